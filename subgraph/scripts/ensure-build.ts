/**
 * Makes sure `build/` holds the subgraph built from the current sources: compiles the contracts when
 * their artifacts are missing and rebuilds the subgraph when any of its sources is newer than `build/`.
 * Tests that run the subgraph (here, in the SDK, in the examples) call it first, so they work from a
 * fresh clone and stay fast afterwards. `node scripts/ensure-build.ts` does the same from a shell.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { CONTRACTS } from "./prepare-abis.ts";

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

/** Builds the subgraph if it is missing or stale; returns the folder `graph build` wrote. */
export function ensureSubgraphBuild(): string {
  if (CONTRACTS.some((contract) => !existsSync(artifact(contract)))) {
    execFileSync("hardhat", ["build"], { cwd: repoDir, env, stdio: "inherit" });
  }
  const buildDir = join(subgraphDir, "build");
  const built = join(buildDir, "subgraph.yaml");
  const sources = [
    join(subgraphDir, "schema.graphql"),
    join(subgraphDir, "subgraph.yaml"),
    join(subgraphDir, "src"),
    ...CONTRACTS.map(artifact),
  ];
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources.map(newestMtime))) return buildDir;
  execFileSync("node", ["scripts/prepare-abis.ts"], { cwd: subgraphDir, env, stdio: "inherit" });
  execFileSync("graph", ["codegen"], { cwd: subgraphDir, env, stdio: "inherit" });
  execFileSync("graph", ["build"], { cwd: subgraphDir, env, stdio: "inherit" });
  return buildDir;
}

if (import.meta.main) ensureSubgraphBuild();
