#!/usr/bin/env node
/** `devnode`: index a built subgraph against an RPC and serve graph-node's GraphQL API. */
import { parseArgs } from "node:util";
import {
	type DevnodeStatus,
	describeFatalError,
	startDevnode,
} from "./index.ts";

const HELP = `Usage: devnode --subgraph <dir> --rpc <url> [options]

Runs a \`graph build\` output against a chain and serves graph-node's GraphQL API.

Options:
  --subgraph <dir>   the build folder \`graph build\` wrote (or a subgraph folder with build/)
  --rpc <url>        JSON-RPC endpoint to follow, e.g. http://127.0.0.1:8545
  --port <n>         HTTP port (default 8000; 0 picks a free one)
  --host <host>      address to listen on (default 127.0.0.1)
  --db <url>         a PostgreSQL server (postgres://…); default is embedded PGlite
  --data-dir <dir>   keep PGlite's data in <dir> so a restart resumes (default: in memory)
  --name <name>      serve at /subgraphs/name/<name> (default: the subgraph folder's name)
  --poll <ms>        chain polling interval (default 500)
  --quiet            print only warnings and errors
  -h, --help         show this help

Endpoints: POST/GET /subgraphs/name/<name> (GraphQL), GET /status (JSON).`;

function fail(message: string): never {
	process.stderr.write(`devnode: ${message}\n\n${HELP}\n`);
	process.exit(2);
}

let args: ReturnType<typeof parse>;
function parse() {
	return parseArgs({
		options: {
			subgraph: { type: "string" },
			rpc: { type: "string" },
			port: { type: "string" },
			host: { type: "string" },
			db: { type: "string" },
			"data-dir": { type: "string" },
			name: { type: "string" },
			poll: { type: "string" },
			quiet: { type: "boolean" },
			help: { type: "boolean", short: "h" },
		},
		strict: true,
	}).values;
}
try {
	args = parse();
} catch (e) {
	fail((e as Error).message);
}
if (args.help) {
	process.stdout.write(`${HELP}\n`);
	process.exit(0);
}
if (!args.subgraph) fail("--subgraph is required");
if (!args.rpc) fail("--rpc is required");
if (args.db && args["data-dir"])
	fail("use either --db or --data-dir, not both");
const number = (flag: string, value: string | undefined, fallback: number) => {
	if (value === undefined) return fallback;
	const n = Number(value);
	if (!Number.isInteger(n) || n < 0)
		fail(`${flag} must be a non-negative integer, got \`${value}\``);
	return n;
};

const quiet = args.quiet ?? false;
let lastReport = 0;
let lastBlock: number | null = null;
let lastTime = performance.now();
let lastSynced = false;
function progress(status: DevnodeStatus): void {
	if (quiet || status.health === "failed") return;
	const now = performance.now();
	const block = status.latestBlock?.number ?? null;
	// One line a second while catching up, and one whenever the head is reached.
	const reachedHead = status.synced && !lastSynced;
	lastSynced = status.synced;
	if (!reachedHead && (now - lastReport < 1000 || block === lastBlock)) return;
	const rate =
		lastBlock !== null && block !== null
			? ((block - lastBlock) * 1000) / (now - lastTime)
			: 0;
	process.stdout.write(
		`block ${block ?? "-"}${status.chainHeadBlock !== null ? ` of ${status.chainHeadBlock}` : ""} · ${rate.toFixed(1)} blocks/s · ${status.eventsProcessed} events · ${status.entitiesWritten} entities written${status.synced ? " · synced" : ""}\n`,
	);
	lastReport = now;
	lastBlock = block;
	lastTime = now;
}

try {
	const node = await startDevnode({
		subgraphDir: args.subgraph,
		rpcUrl: args.rpc,
		port: number("--port", args.port, 8000),
		host: args.host,
		databaseUrl: args.db,
		dataDir: args["data-dir"],
		name: args.name,
		pollIntervalMs: number("--poll", args.poll, 500),
		onLog(level, message, source) {
			if (level === "critical" || level === "error" || level === "warning")
				process.stderr.write(`${level.toUpperCase()} [${source}] ${message}\n`);
			else if (!quiet && level !== "debug")
				process.stdout.write(`${level.toUpperCase()} [${source}] ${message}\n`);
		},
		onBlock: progress,
	});
	process.stdout.write(
		`devnode: serving ${node.graphqlUrl} (status at ${node.url}/status)\n`,
	);
	const status = node.status();
	if (status.fatalError)
		process.stderr.write(
			`devnode: the subgraph failed earlier: ${describeFatalError(status.fatalError)}\n`,
		);
	const shutdown = async () => {
		process.stdout.write("devnode: stopping\n");
		await node.stop();
		process.exit(0);
	};
	process.once("SIGINT", shutdown);
	process.once("SIGTERM", shutdown);
} catch (e) {
	process.stderr.write(`devnode: ${(e as Error).message}\n`);
	process.exit(1);
}
