// networks.json is generated from contracts/deployments, never typed by hand, and covers every network.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { deployProtocol } from "@ai-model-marketplace/contracts/deploy";
import { network } from "hardhat";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONTRACTS } from "../scripts/prepare-abis.ts";
import { type DeploymentFile, MissingContractError, NETWORK_NAMES, networkEntry, networkName, UnknownNetworkError } from "../scripts/networks.ts";

const subgraphDir = join(import.meta.dirname, "..");
const networks = JSON.parse(readFileSync(join(subgraphDir, "networks.json"), "utf8"));
// contracts/deployments/31337.json is generated (npm run deploy -- --network localhost), not committed: the
// local network's entry is what the first deployment on a fresh chain gives (addresses and blocks are
// deterministic), so deploy once on Hardhat's simulated chain and compare.
const { viem } = await network.connect();
const [admin] = await viem.getWalletClients();
const deployment: DeploymentFile = await deployProtocol({ walletClient: admin as never, publicClient: (await viem.getPublicClient()) as never });

describe("networks.json", () => {
  it("has the local chain exactly as the first deployment on a fresh Hardhat chain, start blocks included", () => {
    expect(networks.hardhat).toEqual(networkEntry(deployment));
  });

  it("has every data source on sepolia, base and arbitrum-one", () => {
    for (const name of ["sepolia", "base", "arbitrum-one"]) {
      expect(Object.keys(networks[name]).sort()).toEqual([...CONTRACTS].sort());
    }
    expect(Object.keys(networks).sort()).toEqual(Object.values(NETWORK_NAMES).sort());
  });

  it("is what the committed subgraph.yaml was built for (graph build --network hardhat)", () => {
    const manifest = parse(readFileSync(join(subgraphDir, "subgraph.yaml"), "utf8"));
    for (const source of manifest.dataSources) {
      expect(source.network).toBe("hardhat");
      expect(source.source).toMatchObject(networks.hardhat[source.name]);
    }
  });

  it("refuses an unknown chain and a deployment missing a contract", () => {
    expect(() => networkName(1)).toThrow(UnknownNetworkError);
    const { Evaluations: _, ...partial } = deployment.contracts;
    expect(() => networkEntry({ chainId: 31337, contracts: partial })).toThrow(MissingContractError);
  });
});
