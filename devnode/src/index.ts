/**
 * devnode: a local indexer that runs a `graph build` output against a chain and serves graph-node's
 * GraphQL API, without graph-node.
 *
 * @example
 * const node = await startDevnode({ subgraphDir: "subgraph/build", rpcUrl: "http://127.0.0.1:8545" });
 * await node.waitForBlock(42);
 * const res = await fetch(`${node.url}/subgraphs/name/${node.name}`, { method: "POST", body: JSON.stringify({ query: "{ _meta { block { number } } }" }) });
 * await node.stop();
 */
import {
	createServer,
	type IncomingMessage,
	type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { basename, dirname } from "node:path";
import { createQueryHandler } from "./graphql/index.ts";
import type { LogLevel } from "./runtime/host.ts";
import {
	Indexer,
	type IndexerStatus,
	type Indexer as IndexerType,
} from "./runtime/indexer.ts";
import { loadManifest } from "./runtime/manifest.ts";
import { type Eip1193Provider, httpProvider, Rpc } from "./runtime/rpc.ts";
import { SchemaIndex } from "./runtime/schema-index.ts";
import { parseSchema, validateEntity } from "./schema/index.ts";
import { openStore } from "./store/index.ts";

export { QueryLimitsError } from "./graphql/index.ts";
export { BigDecimal, BigDecimalError } from "./runtime/bigdecimal.ts";
export type { LogLevel } from "./runtime/host.ts";
export {
	describeFatalError,
	type FatalError,
	type IndexerStatus,
	IndexingFailedError,
} from "./runtime/indexer.ts";
export { ManifestError, UnsupportedFeatureError } from "./runtime/manifest.ts";
export {
	type Eip1193Provider,
	RpcError,
	RpcUnavailableError,
} from "./runtime/rpc.ts";

export interface StartDevnodeOptions {
	/** A folder `graph build` wrote (or a subgraph folder containing `build/`). */
	subgraphDir: string;
	/** A JSON-RPC URL to poll (e.g. `hardhat node`'s http://127.0.0.1:8545). */
	rpcUrl?: string;
	/** An EIP-1193 provider instead of `rpcUrl`: Hardhat's in-process network, so tests need no ports. */
	provider?: Eip1193Provider;
	/** A PostgreSQL server; without it the store is embedded PGlite. */
	databaseUrl?: string;
	/** PGlite's data folder: a restart resumes where it stopped. Without it (and `databaseUrl`) the store is in memory. */
	dataDir?: string;
	/** HTTP port; 0 picks a free one. Default 8000. */
	port?: number;
	/** Host to listen on. Default 127.0.0.1. */
	host?: string;
	/** The name in `/subgraphs/name/<name>`. Default: the subgraph folder's name. */
	name?: string;
	/** How often to poll the chain for new blocks. Default 500 ms. */
	pollIntervalMs?: number;
	/** Mapping logs (`log.info` …) and devnode's own notices. Default: warnings and worse to stderr. */
	onLog?(level: LogLevel, message: string, source: string): void;
	/** Called after every committed block, failure and rewind. */
	onBlock?(status: DevnodeStatus): void;
}

export interface DevnodeStatus extends IndexerStatus {
	name: string;
}

export interface Devnode {
	/** `http://host:port`; GraphQL is at `${url}/subgraphs/name/${name}`, status at `${url}/status`. */
	url: string;
	name: string;
	/** The GraphQL endpoint. */
	graphqlUrl: string;
	status(): DevnodeStatus;
	/** Runs a GraphQL query in-process, exactly as the HTTP endpoint would. */
	query(
		query: string,
		variables?: Record<string, unknown>,
	): Promise<{ data?: unknown; errors?: readonly { message: string }[] }>;
	/** Resolves once block `n` is indexed; rejects with IndexingFailedError if the subgraph fails first. */
	waitForBlock(n: number, options?: { timeoutMs?: number }): Promise<void>;
	stop(): Promise<void>;
}

export class DevnodeOptionsError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "DevnodeOptionsError";
	}
}

function defaultLog(level: LogLevel, message: string, source: string): void {
	if (level === "critical" || level === "error" || level === "warning")
		process.stderr.write(`devnode ${level} [${source}] ${message}\n`);
}

export async function startDevnode(
	options: StartDevnodeOptions,
): Promise<Devnode> {
	if (!options.rpcUrl === !options.provider)
		throw new DevnodeOptionsError(
			"pass exactly one of `rpcUrl` and `provider`",
		);
	if (options.databaseUrl && options.dataDir)
		throw new DevnodeOptionsError(
			"pass at most one of `databaseUrl` and `dataDir`",
		);
	const manifest = loadManifest(options.subgraphDir);
	const schema = parseSchema(manifest.schemaText, {
		specVersion: manifest.specVersion,
	});
	const name =
		options.name ??
		basename(
			basename(manifest.dir) === "build" ? dirname(manifest.dir) : manifest.dir,
		);
	const onLog = options.onLog ?? defaultLog;
	const store = await openStore({
		schema,
		databaseUrl: options.databaseUrl,
		dataDir: options.dataDir,
	});

	let indexer: IndexerType | undefined;
	const rpc = new Rpc(
		options.provider ?? httpProvider(options.rpcUrl as string),
		{
			onUnavailable(message, retryInMs) {
				if (indexer) indexer.status.rpcError = message;
				onLog(
					"warning",
					`${message}; retrying in ${(retryInMs / 1000).toFixed(2)} s`,
					"devnode",
				);
			},
			onRecovered() {
				if (indexer) indexer.status.rpcError = null;
				onLog("info", "RPC reachable again", "devnode");
			},
			isStopped: () => indexer?.isStopped ?? false,
		},
	);
	const status = (): DevnodeStatus => ({
		...(indexer as IndexerType).status,
		name,
	});
	indexer = new Indexer({
		manifest,
		store,
		schema: new SchemaIndex(
			[...schema.entities.values()],
			schema.aggregations.keys(),
		),
		validate: (entityType, entity) =>
			validateEntity(schema, entityType, entity),
		rpc,
		pollIntervalMs: options.pollIntervalMs ?? 500,
		onLog,
		onBlock: options.onBlock ? () => options.onBlock?.(status()) : undefined,
	});

	const queries = createQueryHandler({
		store,
		schema,
		name,
		status: () => ({
			deployment: name,
			hasIndexingErrors: (indexer as IndexerType).status.health === "failed",
		}),
	});
	const server = createServer((req: IncomingMessage, res: ServerResponse) => {
		const path = (req.url ?? "/").split("?")[0];
		if (path === "/status" || path === "/status/") {
			res.writeHead(200, {
				"content-type": "application/json",
				"access-control-allow-origin": "*",
			});
			res.end(
				JSON.stringify(status(), (_k, v) =>
					typeof v === "bigint" ? v.toString() : v,
				),
			);
			return;
		}
		queries(req, res);
	});
	const host = options.host ?? "127.0.0.1";
	try {
		await new Promise<void>((resolve, reject) => {
			server.once("error", reject);
			server.listen(options.port ?? 8000, host, () => resolve());
		});
		await indexer.start();
	} catch (e) {
		server.close();
		await store.close();
		throw e;
	}
	const { port } = server.address() as AddressInfo;
	const url = `http://${host}:${port}`;
	let stopping: Promise<void> | null = null;

	return {
		url,
		name,
		graphqlUrl: `${url}/subgraphs/name/${name}`,
		status,
		query: (query, variables) => queries.executeQuery(query, variables ?? null),
		waitForBlock: (n, opts) =>
			(indexer as IndexerType).waitForBlock(n, opts?.timeoutMs),
		stop() {
			stopping ??= (async () => {
				await (indexer as IndexerType).stop();
				server.closeAllConnections();
				await new Promise<void>((resolve) => server.close(() => resolve()));
				await store.close();
			})();
			return stopping;
		},
	};
}
