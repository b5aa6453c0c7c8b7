// A first build (what the first `npm run demo` or `npm test` does) prints a few progress lines of its
// own, not graph-cli's spinner redraws: built here from a copy of the subgraph's sources, beside the
// real folder so the repository's node_modules and contract artifacts resolve the same way.
import { execFile } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const subgraphDir = join(import.meta.dirname, "..");

it("builds from scratch with one progress line per step and no escape codes", async () => {
  const copy = await mkdtemp(join(subgraphDir, "..", ".subgraph-build-test-"));
  try {
    for (const entry of ["schema.graphql", "subgraph.yaml", "src", "scripts", "package.json"]) await cp(join(subgraphDir, entry), join(copy, entry), { recursive: true });
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(copy, "scripts", "ensure-build.ts")], { cwd: copy, timeout: 600_000 });
    const output = `${stdout}${stderr}`;
    expect(output.includes(String.fromCharCode(27)), "escape codes").toBe(false);
    expect(output.includes("\r"), "carriage returns").toBe(false);
    expect(output.trim().split("\n")).toEqual([
      "subgraph: writing the ABIs…",
      expect.stringMatching(/^subgraph: writing the ABIs done in [\d.]+ s$/),
      "subgraph: generating types (graph codegen)…",
      expect.stringMatching(/^subgraph: generating types \(graph codegen\) done in [\d.]+ s$/),
      "subgraph: compiling the mappings to WASM (graph build, about a minute the first time)…",
      expect.stringMatching(/^subgraph: compiling the mappings to WASM .* done in [\d.]+ s$/),
    ]);
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}, 600_000);
