// Compiles the contracts when their artifacts are missing and rebuilds the subgraph when any of its
// sources is newer than `build/`, so `npm test` works from a fresh clone and stays fast afterwards.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { CONTRACTS } from "../scripts/prepare-abis.ts";

const subgraphDir = join(import.meta.dirname, "..");
const repoDir = join(subgraphDir, "..");
const bin = join(repoDir, "node_modules", ".bin");
const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

const artifact = (contract: string) => join(repoDir, "artifacts", "contracts", `${contract}.sol`, `${contract}.json`);

export default function setup(): void {
  if (CONTRACTS.some((contract) => !existsSync(artifact(contract)))) {
    execFileSync("hardhat", ["build"], { cwd: repoDir, env, stdio: "inherit" });
  }
  const built = join(subgraphDir, "build", "subgraph.yaml");
  const sources = [
    join(subgraphDir, "schema.graphql"),
    join(subgraphDir, "subgraph.yaml"),
    join(subgraphDir, "src"),
    ...CONTRACTS.map(artifact),
  ];
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources.map(newestMtime))) return;
  execFileSync("node", ["scripts/prepare-abis.ts"], { cwd: subgraphDir, env, stdio: "inherit" });
  execFileSync("graph", ["codegen"], { cwd: subgraphDir, env, stdio: "inherit" });
  execFileSync("graph", ["build"], { cwd: subgraphDir, env, stdio: "inherit" });
}
