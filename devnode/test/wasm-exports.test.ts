import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { rewriteExports } from "../src/runtime/wasm-exports.ts";
import { FIXTURES_DIR } from "./helpers/fixtures.ts";

const wasm = readFileSync(
	join(FIXTURES_DIR, "tokens", "build", "Token", "Token.wasm"),
);

describe("export section rewrite", () => {
	it("keeps only the host's entry points and exports the mutable globals", () => {
		const keep = new Set([
			"memory",
			"allocate",
			"id_of_type",
			"_start",
			"handleTransfer",
		]);
		const { wasm: rewritten, globals } = rewriteExports(wasm, keep);
		const module = new WebAssembly.Module(rewritten);
		const exports = WebAssembly.Module.exports(module);
		expect(
			WebAssembly.Module.exports(new WebAssembly.Module(wasm)).length,
		).toBeGreaterThan(50);
		expect(
			exports
				.filter((e) => e.kind !== "global")
				.map((e) => e.name)
				.sort(),
		).toEqual([...keep].sort());
		expect(globals.length).toBeGreaterThan(0);
		expect(
			exports.filter((e) => e.kind === "global").map((e) => e.name),
		).toEqual(globals);
		// Imports and code are untouched.
		expect(WebAssembly.Module.imports(module)).toEqual(
			WebAssembly.Module.imports(new WebAssembly.Module(wasm)),
		);
	});

	it("exposes the allocator's state, so restoring the globals after _start restores the heap top", () => {
		const { wasm: rewritten, globals } = rewriteExports(
			wasm,
			new Set(["memory", "allocate", "_start"]),
		);
		const module = new WebAssembly.Module(rewritten);
		const imports: Record<string, Record<string, () => number>> = {};
		for (const imp of WebAssembly.Module.imports(module)) {
			imports[imp.module] ??= {};
			imports[imp.module][imp.name] = () => 0;
		}
		const exports = new WebAssembly.Instance(module, imports).exports as Record<
			string,
			unknown
		>;
		(exports._start as () => void)();
		const state = globals.map((g) => (exports[g] as WebAssembly.Global).value);
		const allocate = exports.allocate as (n: number) => number;
		const first = allocate(64);
		allocate(64);
		globals.forEach((g, i) => {
			(exports[g] as WebAssembly.Global).value = state[i];
		});
		expect(allocate(64)).toBe(first);
	});
});
