import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { Deployment } from "@ai-model-marketplace/sdk";
import {
	createPublicClient,
	createWalletClient,
	defineChain,
	type Hex,
	http,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { EvaluatorError, MissingKeyError } from "../errors.ts";
import { type AgentEvent, startEvaluatorAgent } from "./agent.ts";

export const AGENT_USAGE = `Usage: evaluator agent --rpc <url> --deployment <file> (--store-url <url> | --store-dir <folder>)
                       [--graphql <url>] [--private-key <hex>] [--once] [--no-recheck]

Watches the chain for evaluation requests addressed to the key's account, decrypts each version,
runs the checks, adds the JSON report to the store and attests suite, verdict, score (parts per
million) and ipfs://<report CID>. Publishes the account's X25519 key first if the chain has none.
Versions it attested under older checks are checked again and attested anew (see --no-recheck).

Options:
  --rpc <url>            JSON-RPC endpoint of the chain
  --deployment <file>    the protocol's deployment (contracts/deployments/<chainId>.json)
  --store-url <url>      Kubo RPC API of the store (e.g. http://127.0.0.1:5001)
  --store-dir <folder>   an embedded store's folder instead
  --graphql <url>        the subgraph's GraphQL endpoint (optional: requests are read from logs)
  --private-key <hex>    the evaluator's key (default: env EVALUATOR_PRIVATE_KEY)
  --once                 handle every request up to the current block, then exit
  --no-recheck           do not re-check versions attested under older checks
  --poll <ms>            how often to look for new blocks (default 1000)
  -h, --help             show this help

Exit code: 0 stopped cleanly, 2 usage error, 3 cannot start (no evaluator role, store or chain down).`;

/** Where the command writes and what it reads; the process's by default, a test's in tests. */
export type AgentIo = {
	out(line: string): void;
	err(line: string): void;
	env: Record<string, string | undefined>;
	/** Resolves when the agent should stop (default: SIGINT or SIGTERM). */
	stopSignal?: Promise<unknown>;
};

const processIo: AgentIo = {
	out: (line) => process.stdout.write(`${line}\n`),
	err: (line) => process.stderr.write(`${line}\n`),
	env: process.env,
};

class UsageError extends EvaluatorError {
	constructor(message: string) {
		super("usage", message);
	}
}

/** `evaluator agent …`: returns the exit code. */
export async function agentCommand(
	argv: string[],
	io: AgentIo = processIo,
): Promise<number> {
	let options: ReturnType<typeof parse>;
	try {
		options = parse(argv, io.env);
	} catch (error) {
		io.err(`${(error as Error).message}\n\n${AGENT_USAGE}`);
		return 2;
	}
	if (options === "help") {
		io.out(AGENT_USAGE);
		return 0;
	}
	try {
		const client = await connect(options);
		const agent = await startEvaluatorAgent({
			client,
			pollingInterval: options.poll,
			recheck: options.recheck,
			onProgress: (event) => {
				const line = describe(event);
				if (line !== undefined) io.out(line);
			},
		});
		if (options.once) await agent.caughtUp();
		else await (io.stopSignal ?? signalled());
		await agent.stop();
		await (client.store as { close?: () => Promise<void> }).close?.();
		io.out(`stopped: ${agent.processed.length} request(s) attested`);
		return 0;
	} catch (error) {
		if (!(error instanceof EvaluatorError)) throw error;
		io.err(`evaluator agent: ${error.message}`);
		return 3;
	}
}

type AgentOptions = {
	rpc: string;
	deployment: string;
	storeUrl?: string;
	storeDir?: string;
	graphql?: string;
	privateKey: Hex;
	once: boolean;
	poll: number;
	recheck: boolean;
};

function parse(argv: string[], env: AgentIo["env"]): AgentOptions | "help" {
	const { values, positionals } = parseArgs({
		args: argv,
		allowPositionals: true,
		options: {
			rpc: { type: "string" },
			graphql: { type: "string" },
			"store-url": { type: "string" },
			"store-dir": { type: "string" },
			"private-key": { type: "string" },
			deployment: { type: "string" },
			once: { type: "boolean", default: false },
			"no-recheck": { type: "boolean", default: false },
			poll: { type: "string", default: "1000" },
			help: { type: "boolean", short: "h", default: false },
		},
	});
	if (values.help) return "help";
	if (positionals.length > 0)
		throw new UsageError(`unexpected argument: ${positionals[0]}`);
	if (!values.rpc) throw new UsageError("--rpc is required");
	if (!values.deployment) throw new UsageError("--deployment is required");
	if (!values["store-url"] === !values["store-dir"])
		throw new UsageError("give exactly one of --store-url and --store-dir");
	const key = values["private-key"] ?? env.EVALUATOR_PRIVATE_KEY;
	if (!key)
		throw new MissingKeyError(
			"no private key: pass --private-key or set EVALUATOR_PRIVATE_KEY",
		);
	if (!/^(0x)?[0-9a-fA-F]{64}$/.test(key))
		throw new UsageError("the private key must be 32 bytes in hex");
	const poll = Number(values.poll);
	if (!Number.isInteger(poll) || poll < 10)
		throw new UsageError(
			"--poll must be an integer number of milliseconds ≥ 10",
		);
	return {
		rpc: values.rpc,
		deployment: values.deployment,
		storeUrl: values["store-url"],
		storeDir: values["store-dir"],
		graphql: values.graphql,
		privateKey: (key.startsWith("0x") ? key : `0x${key}`) as Hex,
		once: values.once,
		poll,
		recheck: !values["no-recheck"],
	};
}

/** The SDK client the agent runs with, on the chain the deployment names. */
async function connect(options: AgentOptions) {
	// the SDK is loaded only here, so `evaluator check` runs without it being built
	const sdk = await import("@ai-model-marketplace/sdk").catch((cause) => {
		throw new EvaluatorError(
			"sdk-missing",
			"cannot load @ai-model-marketplace/sdk: build it first (npm run build -w sdk)",
			{ cause },
		);
	});
	const deployment = await readDeployment(options.deployment);
	const chain = defineChain({
		id: deployment.chainId,
		name: `chain ${deployment.chainId}`,
		nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
		rpcUrls: { default: { http: [options.rpc] } },
	});
	const transport = http(options.rpc);
	const publicClient = createPublicClient({ chain, transport });
	const chainId = await publicClient.getChainId().catch((cause) => {
		throw new EvaluatorError(
			"chain-unavailable",
			`no chain answers at ${options.rpc}`,
			{ cause },
		);
	});
	if (chainId !== deployment.chainId)
		throw new EvaluatorError(
			"chain-mismatch",
			`${options.rpc} is chain ${chainId}, the deployment is for chain ${deployment.chainId}`,
		);
	const store = options.storeUrl
		? sdk.kuboStore({ url: options.storeUrl })
		: (await import("@ai-model-marketplace/sdk/node")).embeddedStore({
				dir: options.storeDir as string,
			});
	return sdk.createMarketplaceClient({
		publicClient: publicClient as never,
		walletClient: createWalletClient({
			chain,
			transport,
			account: privateKeyToAccount(options.privateKey),
		}) as never,
		deployment,
		store,
		indexer: options.graphql
			? sdk.subgraphIndexer({ url: options.graphql })
			: undefined,
	});
}

async function readDeployment(file: string): Promise<Deployment> {
	let deployment: Deployment;
	try {
		deployment = JSON.parse(await readFile(file, "utf8"));
	} catch (cause) {
		throw new UsageError(
			`cannot read the deployment ${file}: ${(cause as Error).message}`,
		);
	}
	if (
		!Number.isInteger(deployment?.chainId) ||
		!deployment.contracts?.Evaluations?.address
	)
		throw new UsageError(
			`${file} is not a deployment (chainId and contracts.Evaluations expected)`,
		);
	return deployment;
}

function signalled(): Promise<void> {
	return new Promise((resolve) => {
		process.once("SIGINT", resolve);
		process.once("SIGTERM", resolve);
	});
}

/** One line of progress per event. */
function describe(event: AgentEvent): string | undefined {
	switch (event.type) {
		case "key-published":
			return `published the evaluator key ${event.publicKey} (tx ${event.hash})`;
		case "ready":
			return `evaluator ${event.evaluator}: watching requests from block ${event.fromBlock}`;
		case "scanned":
			if (event.requests === 0) return undefined; // quiet while nothing happens
			return `blocks ${event.fromBlock}–${event.toBlock}: ${event.requests} request(s)`;
		case "request":
			return `request ${event.requestId}: model ${event.modelId} version ${event.version}`;
		case "downloaded":
			return `request ${event.requestId}: decrypted ${event.files} file(s), ${event.bytes} bytes`;
		case "checked":
			return `${event.requestId === 0n ? "re-check" : `request ${event.requestId}`}: ${event.verdict.toUpperCase()} score ${event.score}/1000000`;
		case "recheck":
			return `re-check: model ${event.modelId} version ${event.version}, last attested as ${event.previousSuite}`;
		case "attested": {
			const d = event.processed;
			return `${d.recheckOf ? `re-check of model ${d.modelId} version ${d.version}` : `request ${d.requestId}`}: attested #${d.attestationId} ${d.verdict} ${d.score} ${d.reportURI} (tx ${d.hash})`;
		}
		case "skipped":
			return `request ${event.requestId}: skipped (${event.status})`;
		case "failed":
			return `${event.requestId === undefined ? "scan" : `request ${event.requestId}`} failed${event.retrying ? " (will retry)" : ""}: ${event.error.message.split("\n")[0]}`;
	}
}
