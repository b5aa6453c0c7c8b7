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

/**
 * Runs one build step with its output captured: graph-cli redraws spinners (escape codes, for minutes
 * on a first build) that would bury the caller's own output. One progress line per step instead; on
 * failure the step's whole output is printed and the error rethrown.
 */
function step(what: string, command: string, args: string[], cwd: string): void {
  const started = performance.now();
  console.log(`subgraph: ${what}…`);
  try {
    execFileSync(command, args, { cwd, env: { ...env, FORCE_COLOR: "0", CI: "1" }, stdio: "pipe", maxBuffer: 64 << 20 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    console.error(`subgraph: ${what} failed:\n${stdout ?? ""}${stderr ?? ""}`);
    throw error;
  }
  console.log(`subgraph: ${what} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** Builds the subgraph if it is missing or stale; returns the folder `graph build` wrote. */
export function ensureSubgraphBuild(): string {
  if (CONTRACTS.some((contract) => !existsSync(artifact(contract)))) {
    step("compiling the contracts (hardhat build)", "hardhat", ["build", "--quiet", "--no-tests"], repoDir);
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
  step("writing the ABIs", "node", ["scripts/prepare-abis.ts"], subgraphDir);
  step("generating types (graph codegen)", "graph", ["codegen"], subgraphDir);
  step("compiling the mappings to WASM (graph build, about a minute the first time)", "graph", ["build"], subgraphDir);
  return buildDir;
}

if (import.meta.main) ensureSubgraphBuild();
