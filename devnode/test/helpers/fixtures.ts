/** Builds the fixture subgraphs: Solidity via solc's JS API, then `graph codegen` and `graph build` (offline). */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
	existsSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	statSync,
	writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import type { Abi } from "viem";

const require = createRequire(import.meta.url);
export const FIXTURES_DIR = join(import.meta.dirname, "..", "fixtures");

export interface CompiledContract {
	abi: Abi;
	bytecode: `0x${string}`;
}

function filesUnder(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const p = join(dir, name);
		return statSync(p).isDirectory() ? filesUnder(p) : [p];
	});
}

export function compileContracts(
	fixture: string,
): Record<string, CompiledContract> {
	const solc = require("solc");
	const dir = join(FIXTURES_DIR, fixture, "contracts");
	const sources = Object.fromEntries(
		filesUnder(dir).map((f) => [
			relative(dir, f),
			{ content: readFileSync(f, "utf8") },
		]),
	);
	const input = {
		language: "Solidity",
		sources,
		settings: {
			optimizer: { enabled: true, runs: 200 },
			evmVersion: "cancun",
			outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
		},
	};
	const output = JSON.parse(solc.compile(JSON.stringify(input)));
	const errors = (output.errors ?? []).filter(
		(e: { severity: string }) => e.severity === "error",
	);
	if (errors.length > 0)
		throw new Error(
			errors
				.map((e: { formattedMessage: string }) => e.formattedMessage)
				.join("\n"),
		);
	const out: Record<string, CompiledContract> = {};
	for (const file of Object.values(output.contracts) as Record<
		string,
		{ abi: Abi; evm: { bytecode: { object: string } } }
	>[]) {
		for (const [name, c] of Object.entries(file))
			out[name] = { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
	}
	return out;
}

/** Compiles, writes the ABIs, and runs graph-cli unless the inputs are unchanged since the last build. */
export function buildFixture(fixture: string): {
	buildDir: string;
	contracts: Record<string, CompiledContract>;
} {
	const root = join(FIXTURES_DIR, fixture);
	const contracts = compileContracts(fixture);
	mkdirSync(join(root, "abis"), { recursive: true });
	for (const [name, c] of Object.entries(contracts))
		writeFileSync(
			join(root, "abis", `${name}.json`),
			`${JSON.stringify(c.abi, null, 2)}\n`,
		);
	const inputs = [
		"subgraph.yaml",
		"schema.graphql",
		...filesUnder(join(root, "src")).map((f) => relative(root, f)),
		...filesUnder(join(root, "abis")).map((f) => relative(root, f)),
	];
	const hash = createHash("sha256");
	for (const f of inputs.sort())
		hash.update(f).update(readFileSync(join(root, f)));
	const digest = hash.digest("hex");
	const stamp = join(root, ".build-hash");
	const buildDir = join(root, "build");
	if (
		!existsSync(stamp) ||
		readFileSync(stamp, "utf8") !== digest ||
		!existsSync(join(buildDir, "subgraph.yaml"))
	) {
		const graph = require.resolve("@graphprotocol/graph-cli/bin/run.js");
		for (const cmd of ["codegen", "build"]) {
			execFileSync(process.execPath, [graph, cmd, "subgraph.yaml"], {
				cwd: root,
				stdio: "pipe",
				env: { ...process.env, GRAPH_CLI_TELEMETRY_DISABLE: "1" },
			});
		}
		writeFileSync(stamp, digest);
	}
	return { buildDir, contracts };
}
