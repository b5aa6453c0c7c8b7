import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import {
	evaluationsAbi,
	modelRegistryAbi,
} from "@ai-model-marketplace/contracts/abi";
import type {
	ContentStore,
	MarketplaceClient,
	MarketplaceClientConfig,
} from "@ai-model-marketplace/sdk";
import type { Address, Hex } from "viem";
import { checkModel } from "../check.ts";
import {
	MissingKeyError,
	NotEvaluatorError,
	StoreUnavailableError,
} from "../errors.ts";
import { CHECKS_VERSION, checksVersionOf, SUITE } from "../report.ts";
import type { Limits, Report, Verdict } from "../types.ts";

/** What the agent did, reported through `onProgress`. */
export type AgentEvent =
	| { type: "key-published"; publicKey: Hex; hash: Hex }
	| { type: "ready"; evaluator: Address; fromBlock: bigint }
	| { type: "scanned"; fromBlock: bigint; toBlock: bigint; requests: number }
	| { type: "request"; requestId: bigint; modelId: bigint; version: number }
	| { type: "downloaded"; requestId: bigint; files: number; bytes: number }
	| { type: "checked"; requestId: bigint; verdict: Verdict; score: number }
	| { type: "attested"; processed: ProcessedRequest }
	| { type: "skipped"; requestId: bigint; status: string }
	| {
			type: "recheck";
			modelId: bigint;
			version: number;
			/** The suite of the agent's latest attestation of the version (older checks). */
			previousSuite: string;
	  }
	| {
			type: "failed";
			requestId: bigint | undefined;
			error: Error;
			/** Transient (chain or store unreachable): the request is tried again next round. */
			retrying: boolean;
	  };

/** A request the agent answered with an attestation, or a version it re-checked. */
export type ProcessedRequest = {
	/** 0 for a re-check (attested without a request). */
	requestId: bigint;
	/** For a re-check: the suite of the attestation it supersedes. */
	recheckOf?: string;
	modelId: bigint;
	version: number;
	verdict: Verdict;
	/** Parts per million of the suite's best score, as attested. */
	score: number;
	reportURI: string;
	attestationId: bigint;
	hash: Hex;
};

export type StartEvaluatorAgentParameters = (
	| {
			/** A marketplace client whose wallet account has the evaluator role; its store must be writable. */
			client: MarketplaceClient;
	  }
	| (MarketplaceClientConfig & { client?: undefined })
) & {
	/** Where versions are decrypted while checked (default: a fresh folder under the OS temp folder). */
	workDir?: string;
	/** First block to scan (default: the Evaluations contract's deployment block, so a restart catches up). */
	fromBlock?: bigint;
	/** How often to look for new blocks, in milliseconds (default 1000). */
	pollingInterval?: number;
	/** Overrides of the checks' limits (e.g. a shorter `evalTimeoutMs`). */
	limits?: Partial<Limits>;
	/**
	 * Re-check every version the agent attested under an older checks version (suite
	 * `ai-model-marketplace/checks@<n>` with n < CHECKS_VERSION) and attest it anew, without a
	 * request (default true). The version key comes from the request first answered.
	 */
	recheck?: boolean;
	onProgress?: (event: AgentEvent) => void;
};

export type EvaluatorAgent = {
	evaluator: Address;
	/** Every request attested since the start, in order. */
	processed: ProcessedRequest[];
	/** Resolves once every request up to the chain's head at the time of the call has been handled. */
	caughtUp(): Promise<void>;
	/** Stops watching; resolves when the current round has finished. */
	stop(): Promise<void>;
};

const STATUSES = ["None", "Open", "Fulfilled", "Cancelled"] as const;
// Errors worth a retry: the request stays open and is tried again next round.
const TRANSIENT = new Set([
	"STORE_UNAVAILABLE",
	"CHAIN_REQUEST_FAILED",
	"CONTENT_NOT_FOUND",
]);
// viem's names for an RPC endpoint that did not answer (raw reads are not wrapped by the SDK)
const UNREACHABLE = new Set([
	"HttpRequestError",
	"TimeoutError",
	"SocketClosedError",
	"WebSocketRequestError",
]);

/** Whether a failure is the network's (try again later) rather than the request's. */
function isTransient(error: unknown): boolean {
	if (TRANSIENT.has((error as { code?: string })?.code ?? "")) return true;
	for (let e = error; e instanceof Error; e = e.cause)
		if (UNREACHABLE.has(e.name)) return true;
	return false;
}

// The CID of an empty file (raw leaf): a cheap probe that the store answers.
const EMPTY_CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

/**
 * Starts the evaluator agent: publishes the wallet's X25519 key if the chain has none, then
 * watches `EvaluationRequested` logs addressed to the wallet and, for each open request,
 * downloads and decrypts the version, runs `checkModel` against the listing's license and task,
 * adds the JSON report to the store and attests suite, verdict, score and `ipfs://<cid>`. It
 * keeps no state: the request's on-chain status is read before working and again before
 * attesting, so a restart never attests twice.
 */
export async function startEvaluatorAgent(
	parameters: StartEvaluatorAgentParameters,
): Promise<EvaluatorAgent> {
	const {
		onProgress,
		limits,
		pollingInterval = 1000,
		recheck = true,
	} = parameters;
	const client = parameters.client ?? (await clientOf(parameters));
	const account = client.walletClient?.account;
	if (!account)
		throw new MissingKeyError(
			"the client has no wallet account: the agent signs to derive its key and to attest",
		);
	const evaluator = account.address;
	const evaluations = client.deployment.contracts.Evaluations;
	const read = <T>(functionName: string, args: readonly unknown[]) =>
		client.publicClient.readContract({
			address: evaluations.address,
			abi: evaluationsAbi,
			functionName,
			args,
		} as never) as Promise<T>;

	if (!(await read<boolean>("isEvaluator", [evaluator])))
		throw new NotEvaluatorError(evaluator);
	const store = await writableStore(client);
	if (BigInt(await read<Hex>("evaluatorKey", [evaluator])) === 0n) {
		const { publicKey, hash } = await client.setEvaluatorKey();
		onProgress?.({ type: "key-published", publicKey, hash });
	}

	const ownWorkDir = parameters.workDir === undefined;
	const workDir =
		parameters.workDir ?? (await mkdtemp(join(tmpdir(), "amm-evaluator-")));
	let next = parameters.fromBlock ?? BigInt(evaluations.blockNumber);
	const retry = new Set<bigint>();
	const processed: ProcessedRequest[] = [];
	/** Per version ("model:version") the agent attested: its latest suite and a request to reopen. */
	const attested = new Map<
		string,
		{ modelId: bigint; version: number; suite: string; requestId?: bigint }
	>();
	const recheckDone = new Set<string>();
	let attestedNext = BigInt(evaluations.blockNumber);
	const waiters: { block: bigint; resolve: () => void }[] = [];
	let stopped = false;
	let timer: ReturnType<typeof setTimeout> | undefined;
	onProgress?.({ type: "ready", evaluator, fromBlock: next });

	const status = async (requestId: bigint) =>
		STATUSES[
			(await read<{ status: number }>("getRequest", [requestId])).status
		] ?? "None";

	async function handle(requestId: bigint): Promise<void> {
		try {
			const before = await status(requestId);
			if (before !== "Open") {
				retry.delete(requestId);
				return onProgress?.({ type: "skipped", requestId, status: before });
			}
			const request = await client.openEvaluationRequest({ requestId });
			const { modelId, version } = request;
			onProgress?.({ type: "request", requestId, modelId, version });
			const report = await evaluate(
				client,
				request,
				join(workDir, `request-${requestId}`),
				limits,
				onProgress,
			);
			onProgress?.({
				type: "checked",
				requestId,
				verdict: report.verdict,
				score: report.score,
			});
			// checking can take minutes: the requester may have cancelled, or another run attested
			const after = await status(requestId);
			if (after !== "Open") {
				retry.delete(requestId);
				return onProgress?.({ type: "skipped", requestId, status: after });
			}
			const { cid } = await store.add(
				new TextEncoder().encode(JSON.stringify(report)),
			);
			const reportURI = `ipfs://${cid}`;
			const { attestationId, hash } = await client.attestEvaluation({
				modelId,
				version,
				requestId,
				suite: report.suite,
				verdict: report.verdict,
				score: report.score,
				report: reportURI,
				keyCheck: keyCheckOf(request, report),
			});
			retry.delete(requestId);
			const done = {
				requestId,
				modelId,
				version,
				verdict: report.verdict,
				score: report.score,
				reportURI,
				attestationId,
				hash,
			};
			processed.push(done);
			onProgress?.({ type: "attested", processed: done });
		} catch (error) {
			// another run of the agent attested between our status check and our transaction
			if (
				(error as { errorName?: string }).errorName ===
				"EvaluationsRequestNotOpen"
			) {
				retry.delete(requestId);
				return onProgress?.({
					type: "skipped",
					requestId,
					status: await status(requestId),
				});
			}
			const transient = isTransient(error);
			if (transient) retry.add(requestId);
			else retry.delete(requestId);
			onProgress?.({
				type: "failed",
				requestId,
				error: error as Error,
				retrying: transient,
			});
		}
	}

	/** Reads the agent's own attestations up to `head`, keeping the latest suite per version. */
	async function readAttested(head: bigint): Promise<void> {
		if (head < attestedNext) return;
		const logs = await client.publicClient.getContractEvents({
			address: evaluations.address,
			abi: evaluationsAbi,
			eventName: "EvaluationAttested",
			fromBlock: attestedNext,
			toBlock: head,
			strict: true,
		});
		for (const log of logs) {
			const args = log.args as {
				modelId: bigint;
				version: number;
				evaluator: Address;
				requestId: bigint;
				suite: string;
			};
			if (args.evaluator.toLowerCase() !== evaluator.toLowerCase()) continue;
			const key = `${args.modelId}:${args.version}`;
			const previous = attested.get(key);
			attested.set(key, {
				modelId: args.modelId,
				version: Number(args.version),
				suite: args.suite,
				requestId: args.requestId === 0n ? previous?.requestId : args.requestId,
			});
		}
		attestedNext = head + 1n;
	}

	/** Re-checks, with today's checks, every version last attested under older ones. */
	async function recheckStale(): Promise<void> {
		for (const [key, entry] of attested) {
			if (stopped) return;
			const older = checksVersionOf(entry.suite);
			if (older === undefined || older >= CHECKS_VERSION) continue;
			if (recheckDone.has(key) || entry.requestId === undefined) continue;
			const { modelId, version } = entry;
			onProgress?.({
				type: "recheck",
				modelId,
				version,
				previousSuite: entry.suite,
			});
			try {
				const request = await client.openEvaluationRequest({
					requestId: entry.requestId,
				});
				const report = await evaluate(
					client,
					request,
					join(workDir, `recheck-${modelId}-${version}`),
					limits,
					undefined,
				);
				onProgress?.({
					type: "checked",
					requestId: 0n,
					verdict: report.verdict,
					score: report.score,
				});
				const { cid } = await store.add(
					new TextEncoder().encode(JSON.stringify(report)),
				);
				const reportURI = `ipfs://${cid}`;
				const { attestationId, hash } = await client.attestEvaluation({
					modelId,
					version,
					requestId: 0n,
					suite: report.suite,
					verdict: report.verdict,
					score: report.score,
					report: reportURI,
					keyCheck: keyCheckOf(request, report),
				});
				recheckDone.add(key);
				const done: ProcessedRequest = {
					requestId: 0n,
					recheckOf: entry.suite,
					modelId,
					version,
					verdict: report.verdict,
					score: report.score,
					reportURI,
					attestationId,
					hash,
				};
				processed.push(done);
				onProgress?.({ type: "attested", processed: done });
			} catch (error) {
				const transient = isTransient(error);
				// a broken version is not tried again and again; the network is
				if (!transient) recheckDone.add(key);
				onProgress?.({
					type: "failed",
					requestId: undefined,
					error: error as Error,
					retrying: transient,
				});
			}
		}
	}

	async function scan(): Promise<void> {
		try {
			const head = await client.publicClient.getBlockNumber({ cacheTime: 0 });
			for (const requestId of [...retry]) if (!stopped) await handle(requestId);
			if (head >= next) {
				const logs = await client.publicClient.getContractEvents({
					address: evaluations.address,
					abi: evaluationsAbi,
					eventName: "EvaluationRequested",
					args: { evaluator },
					fromBlock: next,
					toBlock: head,
					strict: true,
				});
				for (const log of logs)
					if (!stopped)
						await handle((log.args as { requestId: bigint }).requestId);
				onProgress?.({
					type: "scanned",
					fromBlock: next,
					toBlock: head,
					requests: logs.length,
				});
				next = head + 1n;
			}
			if (recheck && !stopped) {
				await readAttested(head);
				await recheckStale();
			}
			for (const waiter of [...waiters])
				if (waiter.block < next) {
					waiters.splice(waiters.indexOf(waiter), 1);
					waiter.resolve();
				}
		} catch (error) {
			onProgress?.({
				type: "failed",
				requestId: undefined,
				error: error as Error,
				retrying: true,
			});
		}
		if (!stopped) timer = setTimeout(() => (round = scan()), pollingInterval);
	}
	let round = scan();

	return {
		evaluator,
		processed,
		async caughtUp() {
			const head = await client.publicClient.getBlockNumber({ cacheTime: 0 });
			if (head < next) return;
			await new Promise<void>((resolve) =>
				waiters.push({ block: head, resolve }),
			);
		},
		async stop() {
			stopped = true;
			clearTimeout(timer);
			await round;
			if (ownWorkDir) await rm(workDir, { recursive: true, force: true });
		},
	};
}

/** A client from its parts; the SDK is loaded only then, so passing a client needs no SDK build. */
async function clientOf(
	config: MarketplaceClientConfig,
): Promise<MarketplaceClient> {
	const { createMarketplaceClient } = await import("@ai-model-marketplace/sdk");
	const { publicClient, walletClient, deployment, store, indexer } = config;
	return createMarketplaceClient({
		publicClient,
		walletClient,
		deployment,
		store,
		indexer,
	});
}

/** The client's store, once it answers; fails early and clearly when reports could not be stored. */
async function writableStore(client: MarketplaceClient): Promise<ContentStore> {
	const store = client.store as ContentStore;
	if (typeof store.add !== "function")
		throw new StoreUnavailableError(
			"the client's store is read-only: the agent adds its reports to it",
		);
	try {
		await store.has(EMPTY_CID);
	} catch (cause) {
		throw new StoreUnavailableError(
			`the store does not answer: ${(cause as Error).message.split("\n")[0]}`,
			{ cause },
		);
	}
	return store;
}

type OpenRequest = Awaited<
	ReturnType<MarketplaceClient["openEvaluationRequest"]>
>;

/**
 * Whether the key the registry commits to (the key buyers receive) opens the version: the request
 * carries the model key, which must match the commitment and decrypt the version to its on-chain
 * sha256 (the download checks it). Nothing to state for a public version or a model without one.
 */
function keyCheckOf(
	request: OpenRequest,
	report: Report,
): { keyCommitment: `0x${string}`; opens: boolean } | undefined {
	if (!request.key || BigInt(request.key.keyCommitment) === 0n) return undefined;
	const decrypted = !report.findings.some(
		(f) => f.code === "integrity.archive-mismatch",
	);
	return {
		keyCommitment: request.key.keyCommitment,
		opens: request.key.matchesCommitment && decrypted,
	};
}

/**
 * Decrypts the version into `dir` and checks it. A version whose bytes do not match the chain
 * (integrity) fails without being checked; the folder is removed afterwards.
 */
async function evaluate(
	client: MarketplaceClient,
	request: OpenRequest,
	dir: string,
	limits: Partial<Limits> | undefined,
	onProgress: StartEvaluatorAgentParameters["onProgress"],
): Promise<Report> {
	const { requestId, modelId, version, versionKey } = request;
	await rm(dir, { recursive: true, force: true });
	try {
		let files = 0;
		let bytes = 0;
		try {
			// the whole plaintext against the on-chain sha256: what the attestation's keyCheck states
			const { entries } = await client.downloadModel({
				modelId,
				version,
				versionKey,
				verifySha256: true,
			});
			for await (const entry of entries) {
				const target = resolve(dir, entry.path);
				if (!target.startsWith(`${resolve(dir)}${sep}`))
					return failed(
						"archive.path-traversal",
						`the version's archive names a file outside its folder: ${entry.path}`,
					);
				await mkdir(dirname(target), { recursive: true });
				await pipeline(entry.content, createWriteStream(target));
				files++;
				bytes += entry.size;
			}
		} catch (error) {
			if ((error as { code?: string }).code !== "INTEGRITY") throw error;
			return failed(
				"integrity.archive-mismatch",
				(error as { shortMessage?: string }).shortMessage ??
					(error as Error).message,
			);
		}
		onProgress?.({ type: "downloaded", requestId, files, bytes });
		const listing = await listingFields(client, modelId);
		const report = await checkModel(dir, { expected: listing, limits });
		report.findings.unshift({
			severity: "info",
			code: "integrity.archive-match",
			message: `version ${version} decrypted and matched its on-chain sha256, every file its own sha256`,
			file: null,
		});
		return report;
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}

/** The listing's license and task, from its latest `ModelListed` / `ModelUpdated` log (no indexer needed). */
async function listingFields(
	client: MarketplaceClient,
	modelId: bigint,
): Promise<{ license?: string; task?: string }> {
	const registry = client.deployment.contracts.ModelRegistry;
	const logs = (
		await Promise.all(
			(["ModelListed", "ModelUpdated"] as const).map((eventName) =>
				client.publicClient.getContractEvents({
					address: registry.address,
					abi: modelRegistryAbi,
					eventName,
					args: { modelId },
					fromBlock: BigInt(registry.blockNumber),
					toBlock: "latest",
					strict: true,
				}),
			),
		)
	).flat();
	logs.sort((a, b) =>
		a.blockNumber === b.blockNumber
			? a.logIndex - b.logIndex
			: Number(a.blockNumber - b.blockNumber),
	);
	const fields = (
		logs.at(-1)?.args as { fields?: { license: string; task: string } }
	)?.fields;
	return { license: fields?.license, task: fields?.task };
}

/** The report of a version that could not be checked because its bytes are wrong. */
function failed(code: string, message: string): Report {
	return {
		suite: SUITE,
		format: "unknown",
		verdict: "fail",
		score: 0,
		findings: [{ severity: "error", code, message, file: null }],
		metrics: { files: 0, bytes: 0, durationMs: 0 },
		files: [],
	};
}
