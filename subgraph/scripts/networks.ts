/**
 * Fills one network of `networks.json` from `contracts/deployments/<chainId>.json` (addresses and start
 * blocks), keeping the other networks. `node scripts/networks.ts [chainId]`, 31337 (Hardhat) by default.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CONTRACTS } from "./prepare-abis.ts";

/** graph-node's network names of the chains the protocol deploys to. */
export const NETWORK_NAMES: Record<number, string> = {
  31337: "hardhat",
  11155111: "sepolia",
  8453: "base",
  42161: "arbitrum-one",
};

export interface DeploymentFile {
  chainId: number;
  contracts: Record<string, { address: string; blockNumber: number }>;
}

export type NetworkEntry = Record<string, { address: string; startBlock: number }>;

export class UnknownNetworkError extends Error {
  constructor(chainId: number) {
    super(`No graph-node network name for chain ${chainId}; known: ${Object.keys(NETWORK_NAMES).join(", ")}`);
    this.name = "UnknownNetworkError";
  }
}

export class MissingContractError extends Error {
  constructor(contract: string, chainId: number) {
    super(`The deployment of chain ${chainId} has no ${contract}`);
    this.name = "MissingContractError";
  }
}

/** The `networks.json` entry of a deployment: one data source per contract, starting at its deployment block. */
export function networkEntry(deployment: DeploymentFile): NetworkEntry {
  const entry: NetworkEntry = {};
  for (const contract of CONTRACTS) {
    const deployed = deployment.contracts[contract];
    if (!deployed) throw new MissingContractError(contract, deployment.chainId);
    entry[contract] = { address: deployed.address, startBlock: deployed.blockNumber };
  }
  return entry;
}

export function networkName(chainId: number): string {
  const name = NETWORK_NAMES[chainId];
  if (!name) throw new UnknownNetworkError(chainId);
  return name;
}

/** Writes the deployment of `chainId` into `networksFile`, keeping the other networks. */
export function updateNetworks(chainId: number, networksFile: string, deploymentsDir: string): void {
  const deployment: DeploymentFile = JSON.parse(readFileSync(join(deploymentsDir, `${chainId}.json`), "utf8"));
  const networks = JSON.parse(readFileSync(networksFile, "utf8"));
  networks[networkName(chainId)] = networkEntry(deployment);
  writeFileSync(networksFile, `${JSON.stringify(networks, null, 2)}\n`);
}

if (import.meta.main) {
  const subgraphDir = join(import.meta.dirname, "..");
  updateNetworks(Number(process.argv[2] ?? 31337), join(subgraphDir, "networks.json"), join(subgraphDir, "..", "contracts", "deployments"));
}
