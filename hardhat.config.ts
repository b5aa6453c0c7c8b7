import hardhatToolboxViem from "@nomicfoundation/hardhat-toolbox-viem";
import { createRequire } from "node:module";
import { configVariable, defineConfig } from "hardhat/config";

// Compiles offline with the solcjs build shipped in the `solc` npm package (same version).
const SOLC_VERSION = "0.8.30";
const SOLCJS_PATH = createRequire(import.meta.url).resolve("solc/soljson.js");
const MARKETPLACE_RUNS = 1000;
const settings = (runs: number) => ({
  optimizer: { enabled: true, runs },
  evmVersion: "cancun",
  outputSelection: { "*": { "*": ["storageLayout"] } },
});

export default defineConfig({
  plugins: [hardhatToolboxViem],
  solidity: {
    // Deployed as they are: the protocol's AccessManager and the ERC-1967 proxies.
    npmFilesToBuild: [
      "@openzeppelin/contracts/access/manager/AccessManager.sol",
      "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol",
    ],
    profiles: {
      default: {
        compilers: [{ version: SOLC_VERSION, path: SOLCJS_PATH, settings: settings(10_000) }],
        // The marketplace is optimized for size as much as for gas: at 10,000 runs it passes the
        // 24,576-byte code size limit.
        overrides: { "contracts/Marketplace.sol": { version: SOLC_VERSION, path: SOLCJS_PATH, settings: settings(MARKETPLACE_RUNS) } },
      },
    },
  },
  // Modest fuzzing keeps the contracts suite within a few minutes on a small machine.
  test: { solidity: { fuzz: { runs: 256 }, invariant: { runs: 64, depth: 32 } } },
  paths: { sources: "contracts", tests: { solidity: "contracts/test", nodejs: "test" } },
  networks: {
    hardhatMainnet: { type: "edr-simulated", chainType: "l1" },
    localhost: { type: "http", url: "http://127.0.0.1:8545" },
    custom: {
      type: "http",
      url: configVariable("RPC_URL"),
      accounts: [configVariable("DEPLOYER_PRIVATE_KEY")],
    },
  },
});
