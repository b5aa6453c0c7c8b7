/**
 * Writes `abis/<Contract>.json` for the manifest from the Hardhat artifacts of the implementations
 * (their ABIs include inherited events such as ERC-20/ERC-721 `Transfer`, `Upgraded`, `Initialized`),
 * plus `abis/ERC20.json` for reading payment token metadata. Run after `hardhat build`.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

export const CONTRACTS = ["PlatformToken", "ModelRegistry", "Marketplace", "Arbitration", "Reputation", "Evaluations"] as const;
export type ContractName = (typeof CONTRACTS)[number];

const subgraphDir = join(import.meta.dirname, "..");
const repoDir = join(subgraphDir, "..");

export class MissingArtifactError extends Error {
  constructor(contract: string, path: string) {
    super(`No artifact for ${contract} at ${path}: run \`hardhat build\` at the repository root first`);
    this.name = "MissingArtifactError";
  }
}

/** The ABI of a compiled contract of `contracts/`. */
export function readContractAbi(contract: ContractName): unknown[] {
  const path = join(repoDir, "artifacts", "contracts", `${contract}.sol`, `${contract}.json`);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new MissingArtifactError(contract, path);
  }
  return JSON.parse(text).abi;
}

export function prepareAbis(outDir = join(subgraphDir, "abis")): void {
  mkdirSync(outDir, { recursive: true });
  for (const contract of CONTRACTS) {
    writeFileSync(join(outDir, `${contract}.json`), `${JSON.stringify(readContractAbi(contract), null, 2)}\n`);
  }
  // Any allowed payment token is read through the standard ERC-20 metadata interface.
  const erc20 = createRequire(import.meta.url)("@openzeppelin/contracts/build/contracts/IERC20Metadata.json");
  writeFileSync(join(outDir, "ERC20.json"), `${JSON.stringify(erc20.abi, null, 2)}\n`);
}

if (import.meta.main) prepareAbis();
