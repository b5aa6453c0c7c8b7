/** Loads a `graph build` output folder: manifest, schema, ABIs and one compiled WASM module per data source. */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { keccak_256 } from "@noble/hashes/sha3.js";
import type { Abi, AbiEvent } from "viem";
import { parse as parseYaml } from "yaml";
import type { Entity, Value } from "../store/types.ts";
import { canonicalType } from "./ethereum.ts";
import { IMPLEMENTED_HOST_FUNCTIONS } from "./host.ts";
import { rewriteExports } from "./wasm-exports.ts";

export class ManifestError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "ManifestError";
	}
}

/** A manifest feature graph-node has and devnode refuses rather than get wrong. */
export class UnsupportedFeatureError extends ManifestError {
	constructor(message: string) {
		super(message);
		this.name = "UnsupportedFeatureError";
	}
}

export interface EventHandler {
	event: string;
	topic0: `0x${string}`;
	handler: string;
	abiEvent: AbiEvent;
}

/** A data source or a template: what it takes to run its handlers. */
export interface DataSourceSpec {
	name: string;
	network: string;
	/** Lowercase contract address; undefined for templates (and sources without one). */
	address?: string;
	startBlock: number;
	apiVersion: string;
	/** The mapping, its exports reduced to the host's entry points plus its mutable globals. */
	module: WebAssembly.Module;
	/** Export names of the module's mutable globals, for snapshots of its state after `_start`. */
	mutableGlobals: string[];
	abis: Map<string, Abi>;
	eventHandlers: EventHandler[];
	context: Entity | null;
}

export interface Manifest {
	dir: string;
	/** `specVersion` of subgraph.yaml, e.g. `1.3.0`. */
	specVersion: string;
	schemaText: string;
	dataSources: DataSourceSpec[];
	templates: DataSourceSpec[];
}

type Yaml = Record<string, unknown>;

/** `Name(indexed type,...)` for an ABI event, as graph-cli writes event signatures in manifests. */
export function eventSignature(event: AbiEvent): string {
	return `${event.name}(${event.inputs.map((i) => `${i.indexed ? "indexed " : ""}${canonicalType(i)}`).join(",")})`;
}

export function topic0Of(signature: string): `0x${string}` {
	return `0x${Buffer.from(keccak_256(new TextEncoder().encode(signature.replaceAll("indexed ", "")))).toString("hex")}`;
}

/** `subgraphDir` may be the build folder itself or a subgraph folder with `build/` in it. */
function findBuildDir(subgraphDir: string): string {
	const dir = resolve(subgraphDir);
	for (const candidate of [dir, join(dir, "build")]) {
		const manifest = join(candidate, "subgraph.yaml");
		if (existsSync(manifest) && /\.wasm\b/.test(readFileSync(manifest, "utf8")))
			return candidate;
	}
	throw new ManifestError(
		`${dir} is not a \`graph build\` output folder: expected a subgraph.yaml whose mappings point at compiled .wasm files (run \`graph codegen && graph build\`, then pass the build folder)`,
	);
}

function contextFromManifest(raw: unknown, where: string): Entity | null {
	if (raw === undefined || raw === null) return null;
	const toValue = (v: Yaml, key: string): Value => {
		const data = v.data;
		switch (v.type) {
			case "Bool":
				return { kind: "Bool", value: Boolean(data) };
			case "String":
				return { kind: "String", value: String(data) };
			case "Int":
				return { kind: "Int", value: Number(data) };
			case "Int8":
				return { kind: "Int8", value: BigInt(data as string) };
			case "BigInt":
				return { kind: "BigInt", value: BigInt(data as string) };
			case "BigDecimal":
				return { kind: "BigDecimal", value: String(data) };
			case "Bytes":
				return {
					kind: "Bytes",
					value: Uint8Array.from(
						Buffer.from(String(data).replace(/^0x/, ""), "hex"),
					),
				};
			case "List":
				return {
					kind: "Array",
					value: (data as Yaml[]).map((x) => toValue(x, key)),
				};
			default:
				throw new UnsupportedFeatureError(
					`${where}: context entry \`${key}\` has type \`${String(v.type)}\`, which devnode does not support`,
				);
		}
	};
	const entity: Entity = new Map();
	for (const [key, v] of Object.entries(raw as Yaml))
		entity.set(key, toValue(v as Yaml, key));
	return entity;
}

function loadSource(
	buildDir: string,
	raw: Yaml,
	isTemplate: boolean,
): DataSourceSpec {
	const name = String(raw.name);
	const where = `${isTemplate ? "template" : "data source"} \`${name}\``;
	const kind = String(raw.kind);
	if (kind !== "ethereum" && kind !== "ethereum/contract") {
		throw new UnsupportedFeatureError(
			`${where} has kind \`${kind}\`; devnode runs only \`ethereum\` data sources (no file/IPFS, Arweave, NEAR or substreams sources)`,
		);
	}
	const mapping = raw.mapping as Yaml;
	const source = (raw.source ?? {}) as Yaml;
	if (mapping.language !== "wasm/assemblyscript")
		throw new UnsupportedFeatureError(
			`${where}: mapping language \`${String(mapping.language)}\` is not supported`,
		);
	for (const key of ["blockHandlers", "callHandlers"] as const) {
		if (Array.isArray(mapping[key]) && mapping[key].length > 0) {
			throw new UnsupportedFeatureError(
				`${where} declares ${key}, which devnode does not support (only eventHandlers)`,
			);
		}
	}

	const abis = new Map<string, Abi>();
	for (const abi of (mapping.abis ?? []) as Yaml[]) {
		const file = join(buildDir, String(abi.file));
		const json = JSON.parse(readFileSync(file, "utf8"));
		abis.set(String(abi.name), (Array.isArray(json) ? json : json.abi) as Abi);
	}
	const sourceAbi = abis.get(String(source.abi));
	if (!sourceAbi)
		throw new ManifestError(
			`${where}: source ABI \`${String(source.abi)}\` is not among its mapping.abis`,
		);
	const events = sourceAbi.filter((x): x is AbiEvent => x.type === "event");

	const eventHandlers: EventHandler[] = (
		(mapping.eventHandlers ?? []) as Yaml[]
	).map((h) => {
		const event = String(h.event);
		if (h.receipt === true)
			throw new UnsupportedFeatureError(
				`${where}: handler \`${String(h.handler)}\` asks for \`receipt: true\`, which devnode does not support`,
			);
		for (const topic of ["topic1", "topic2", "topic3"]) {
			if (h[topic] !== undefined)
				throw new UnsupportedFeatureError(
					`${where}: handler \`${String(h.handler)}\` filters on ${topic}, which devnode does not support`,
				);
		}
		const abiEvent =
			events.find((e) => eventSignature(e) === event) ??
			events.find((e) => topic0Of(eventSignature(e)) === topic0Of(event));
		if (!abiEvent)
			throw new ManifestError(
				`${where}: event \`${event}\` is not in ABI \`${String(source.abi)}\``,
			);
		return {
			event,
			topic0: topic0Of(event),
			handler: String(h.handler),
			abiEvent,
		};
	});

	const wasmFile = join(buildDir, String(mapping.file));
	const wasm = readFileSync(wasmFile);
	const module = new WebAssembly.Module(wasm);
	const missing = WebAssembly.Module.imports(module)
		.filter(
			(i) => i.kind === "function" && !IMPLEMENTED_HOST_FUNCTIONS.has(i.name),
		)
		.map((i) => i.name);
	if (missing.length > 0) {
		throw new UnsupportedFeatureError(
			`${where}: its mapping imports ${missing.map((m) => `\`${m}\``).join(", ")}, which devnode does not implement`,
		);
	}
	const exports = new Set(
		WebAssembly.Module.exports(module).map((e) => e.name),
	);
	for (const h of eventHandlers) {
		if (!exports.has(h.handler))
			throw new ManifestError(
				`${where}: handler \`${h.handler}\` is not exported by ${String(mapping.file)}`,
			);
	}

	const rewritten = rewriteExports(
		wasm,
		new Set([
			"memory",
			"allocate",
			"id_of_type",
			"_start",
			...eventHandlers.map((h) => h.handler),
		]),
	);

	return {
		name,
		network: String(raw.network ?? ""),
		address:
			typeof source.address === "string"
				? source.address.toLowerCase()
				: undefined,
		startBlock: Number(source.startBlock ?? 0),
		apiVersion: String(mapping.apiVersion),
		module: new WebAssembly.Module(rewritten.wasm),
		mutableGlobals: rewritten.globals,
		abis,
		eventHandlers,
		context: contextFromManifest(raw.context, where),
	};
}

export function loadManifest(subgraphDir: string): Manifest {
	const dir = findBuildDir(subgraphDir);
	const yaml = parseYaml(
		readFileSync(join(dir, "subgraph.yaml"), "utf8"),
	) as Yaml;
	const features = (yaml.features ?? []) as string[];
	for (const refused of [
		"nonFatalErrors",
		"grafting",
		"ipfsOnEthereumContracts",
	]) {
		if (features.includes(refused))
			throw new UnsupportedFeatureError(
				`subgraph.yaml enables feature \`${refused}\`, which devnode does not support`,
			);
	}
	if (yaml.graft)
		throw new UnsupportedFeatureError(
			"subgraph.yaml grafts onto another subgraph, which devnode does not support",
		);
	const schemaFile = join(dir, String((yaml.schema as Yaml).file));
	return {
		dir,
		specVersion: String(yaml.specVersion ?? "0.0.4"),
		schemaText: readFileSync(schemaFile, "utf8"),
		dataSources: ((yaml.dataSources ?? []) as Yaml[]).map((d) =>
			loadSource(dir, d, false),
		),
		templates: ((yaml.templates ?? []) as Yaml[]).map((d) =>
			loadSource(dir, d, true),
		),
	};
}
