// The evaluator agent end to end: Hardhat's in-process chain (EDR) with the protocol deployed, the
// embedded store, and devnode running the built subgraph. Sellers list models and request
// evaluations; the agent decrypts, checks, stores its report and attests; search filters on it.

import {
	evaluationsAbi,
	modelRegistryAbi,
} from "@ai-model-marketplace/contracts/abi";
import {
	kuboStore,
	type MarketplaceClient,
	subgraphIndexer,
} from "@ai-model-marketplace/sdk";
import { type Hex, parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startProtocol } from "../../sdk/test/actions/harness.ts";
import { startIndexer } from "../../sdk/test/e2e-sdk/indexer.ts";
import { collect } from "../../sdk/test/helpers.ts";
import { stateDictPickle, systemCallPickle } from "../src/fixtures/pickle.ts";
import buildSubgraphIfStale from "../../subgraph/test/global-setup.ts";
import {
	type AgentEvent,
	CHECKS_VERSION,
	type EvaluatorAgent,
	MissingKeyError,
	maliciousPickleSample,
	onnxSample,
	type Report,
	type SampleModel,
	StoreUnavailableError,
	SUITE,
	safetensorsSample,
	startEvaluatorAgent,
} from "../src/index.ts";

let p: Awaited<ReturnType<typeof startProtocol>>;
let indexer: Awaited<ReturnType<typeof startIndexer>>;
let reader: MarketplaceClient;
const wait = { waitForIndexer: 30_000 };

beforeAll(async () => {
	buildSubgraphIfStale();
	p = await startProtocol();
	indexer = await startIndexer(p.provider, p.deployment);
	reader = p.clientOf(undefined, {
		indexer: subgraphIndexer({ url: indexer.url }),
	}) as MarketplaceClient;
}, 300_000);
afterAll(async () => {
	await indexer?.stop();
	await p?.close();
});

/** Runs an agent as the evaluator (given a client, or its parts), recording its events, until `stop`. */
async function runAgent(
	from: "client" | "parts" = "client",
): Promise<EvaluatorAgent & { events: AgentEvent[] }> {
	const events: AgentEvent[] = [];
	const client = p.evaluator as MarketplaceClient;
	const { publicClient, walletClient, deployment, store } = client;
	const agent = await startEvaluatorAgent({
		...(from === "client"
			? { client }
			: { publicClient, walletClient, deployment, store }),
		pollingInterval: 50,
		onProgress: (event) => events.push(event),
	});
	return Object.assign(agent, { events });
}

async function list(sample: SampleModel, name: string, price: bigint) {
	const { modelId } = await p.seller.listModel({
		name,
		summary: "A model",
		task: sample.task,
		license: sample.license,
		files: sample.files,
		price,
	});
	return modelId;
}

async function request(modelId: bigint) {
	const { requestId } = await p.seller.requestEvaluation({
		modelId,
		version: 1,
		evaluator: p.accounts.evaluator.account.address,
	});
	return requestId;
}

describe("evaluator agent", () => {
	let malicious: bigint;
	let clean: bigint;
	let onnx: bigint;
	let cleanRequest: bigint;

	it("refuses to start without the evaluator role, a wallet account or a reachable store", async () => {
		await expect(
			startEvaluatorAgent({ client: p.stranger as MarketplaceClient }),
		).rejects.toMatchObject({
			name: "NotEvaluatorError",
			code: "not-evaluator",
			account: p.accounts.stranger.account.address,
		});
		await expect(
			startEvaluatorAgent({ client: p.reader as MarketplaceClient }),
		).rejects.toBeInstanceOf(MissingKeyError);
		const down = p.clientOf(p.accounts.evaluator, {
			store: kuboStore({ url: "http://127.0.0.1:9" }),
		}) as MarketplaceClient;
		await expect(startEvaluatorAgent({ client: down })).rejects.toBeInstanceOf(
			StoreUnavailableError,
		);
	});

	it("publishes its key, then fails the os.system pickle and passes the clean and ONNX models", async () => {
		const agent = await runAgent();
		try {
			expect(agent.events[0]).toMatchObject({ type: "key-published" });
			const onnxModel = onnxSample({ accuracy: 0.9 });
			malicious = await list(
				maliciousPickleSample(),
				"Helpful classifier",
				parseEther("5"),
			);
			clean = await list(
				safetensorsSample(),
				"Clean classifier",
				parseEther("5"),
			);
			onnx = await list(onnxModel, "Tabular MLP", 0n); // free: no wrapped key
			await request(malicious);
			cleanRequest = await request(clean);
			await request(onnx);
			await agent.caughtUp();

			const byModel = new Map(agent.processed.map((d) => [d.modelId, d]));
			expect(agent.processed).toHaveLength(3);
			expect(byModel.get(malicious)).toMatchObject({
				verdict: "fail",
				score: 0,
			});
			expect(byModel.get(clean)).toMatchObject({
				verdict: "pass",
				score: 1_000_000,
			});
			expect(byModel.get(onnx)).toMatchObject({
				verdict: "pass",
				score: 900_000,
			});
			expect(agent.events.map((e) => e.type)).toEqual(
				expect.arrayContaining([
					"request",
					"downloaded",
					"checked",
					"attested",
				]),
			);
		} finally {
			await agent.stop();
		}
	});

	it("is indexed: evaluations with their reports, the latest verdict on the model, search by verdict", async () => {
		const head = await p.publicClient.getBlockNumber();
		const [failed] = await reader.getEvaluations({
			modelId: malicious,
			withReports: true,
			minBlock: head,
			...wait,
		});
		expect(failed).toMatchObject({
			suite: SUITE,
			verdict: "Fail",
			score: 0,
			version: 1,
			// the pickle is unsafe, but the committed key does open the version: both are attested
			keyCheck: "Opens",
			keyCommitment: (await reader.getModel({ modelId: malicious }))
				?.keyCommitment,
		});
		const report = failed?.report as unknown as Report;
		expect(report.findings).toContainEqual(
			expect.objectContaining({
				severity: "error",
				code: "pickle.unsafe-import",
				file: "pytorch_model.bin",
				message: expect.stringContaining("os.system"),
			}),
		);
		const [measured] = await reader.getEvaluations({
			modelId: onnx,
			withReports: true,
		});
		// a free model's version is public: there is no key to check
		expect(measured).toMatchObject({ keyCheck: "NotChecked", keyCommitment: null });
		expect(
			(measured?.report as unknown as Report | undefined)?.metrics,
		).toMatchObject({
			accuracy: 0.9,
			samples: 200,
		});
		expect(await reader.getModel({ modelId: malicious })).toMatchObject({
			verdicts: [{ suite: SUITE, verdict: "Fail", score: 0, version: 1 }],
		});

		const passed = await reader.searchModels({
			verdict: { suite: SUITE, verdict: "Pass" },
		});
		expect(passed.models.map((m) => m.name).sort()).toEqual([
			"Clean classifier",
			"Tabular MLP",
		]);
		const all = await reader.searchModels({});
		expect(all.models.map((m) => m.name)).toContain("Helpful classifier");
	});

	it("after a restart, skips what it attested and answers only the request made while it was down", async () => {
		const missed = await request(clean);
		const agent = await runAgent("parts");
		try {
			await agent.caughtUp();
			expect(agent.events.some((e) => e.type === "key-published")).toBe(false);
			expect(agent.processed.map((d) => d.requestId)).toEqual([missed]);
			const skipped = agent.events.filter((e) => e.type === "skipped");
			expect(skipped).toHaveLength(3);
			expect(
				skipped.every((e) => e.type === "skipped" && e.status === "Fulfilled"),
			).toBe(true);
		} finally {
			await agent.stop();
		}
		const evaluations = await reader.getEvaluations({
			modelId: clean,
			minBlock: await p.publicClient.getBlockNumber(),
			...wait,
		});
		expect(evaluations.map((e) => e.requestId)).toEqual([missed, cleanRequest]);
	});

	it("fails a version whose bytes do not match its on-chain sha256 without checking it, and skips a cancelled request", async () => {
		const { seller } = p.accounts;
		const { ModelRegistry, Evaluations } = p.deployment.contracts;
		const send = async (hash: Promise<Hex>) =>
			p.publicClient.waitForTransactionReceipt({ hash: await hash });
		// version 2 reuses version 1's (public) archive but records another sha256
		const v1 = (await p.publicClient.readContract({
			address: ModelRegistry.address,
			abi: modelRegistryAbi,
			functionName: "getVersion",
			args: [onnx, 1],
		})) as { contentCID: Hex; size: bigint };
		await send(
			seller.writeContract({
				address: ModelRegistry.address,
				abi: modelRegistryAbi,
				functionName: "publishVersion",
				args: [
					onnx,
					{
						contentCID: v1.contentCID,
						sha256: `0x${"11".repeat(32)}`,
						size: v1.size,
						semver: "1.0.1",
						changelogURI: "",
					},
				],
			} as never),
		);
		const tampered = (
			await p.seller.requestEvaluation({
				modelId: onnx,
				version: 2,
				evaluator: p.accounts.evaluator.account.address,
			})
		).requestId;
		const cancelled = await request(clean);
		const window = (await p.publicClient.readContract({
			address: Evaluations.address,
			abi: evaluationsAbi,
			functionName: "requestWindow",
		})) as number;
		await p.increaseTime(Number(window) + 1);
		await send(
			seller.writeContract({
				address: Evaluations.address,
				abi: evaluationsAbi,
				functionName: "cancelRequest",
				args: [cancelled],
			} as never),
		);

		const agent = await runAgent();
		try {
			await agent.caughtUp();
			expect(agent.processed).toEqual([
				expect.objectContaining({
					requestId: tampered,
					version: 2,
					verdict: "fail",
					score: 0,
				}),
			]);
			expect(agent.events).toContainEqual({
				type: "skipped",
				requestId: cancelled,
				status: "Cancelled",
			});
			const report = JSON.parse(
				new TextDecoder().decode(
					await collect(
						p.store.cat(
							(agent.processed[0]?.reportURI ?? "").slice("ipfs://".length),
						),
					),
				),
			) as Report;
			expect(report.findings.map((f) => f.code)).toEqual([
				"integrity.archive-mismatch",
			]);
		} finally {
			await agent.stop();
		}
	});

	it("re-checks a version last attested under older checks: new rules, new attestation, the model shows the new verdict", async () => {
		// a state dict with a second pickle after its STOP: the checks before version 2 read the
		// first pickle only and passed it; today's fail the bytes after STOP and name the import
		const hidden = Buffer.concat([
			stateDictPickle(2),
			systemCallPickle(2, "os", "system"),
		]);
		const card = maliciousPickleSample().files[1] as SampleModel["files"][0];
		const modelId = await list(
			{
				license: "MIT",
				task: "text-classification",
				files: [
					{ path: "pytorch_model.bin", size: hidden.length, content: hidden },
					card,
				],
			},
			"Old verdict",
			parseEther("1"),
		);
		const requestId = await request(modelId);
		const olderSuite = `ai-model-marketplace/checks@${CHECKS_VERSION - 1}`;
		// what an agent running the older checks attested
		await (p.evaluator as MarketplaceClient).attestEvaluation({
			modelId,
			version: 1,
			requestId,
			suite: olderSuite,
			verdict: "pass",
			score: 1_000_000,
			report: {
				format: "pickle",
				verdict: "pass",
				findings: [],
				metrics: { files: 2, bytes: hidden.length, durationMs: 1 },
			},
		});
		await reader.getEvaluations({
			modelId,
			minBlock: await p.publicClient.getBlockNumber(),
			...wait,
		});
		expect(await reader.getModel({ modelId })).toMatchObject({
			verdicts: [{ suite: olderSuite, verdict: "Pass", version: 1 }],
		});

		const agent = await runAgent();
		try {
			await agent.caughtUp();
			// only the stale version is re-checked: the others were attested under today's suite
			expect(agent.processed).toEqual([
				expect.objectContaining({
					requestId: 0n,
					recheckOf: olderSuite,
					modelId,
					version: 1,
					verdict: "fail",
					score: 0,
				}),
			]);
			expect(agent.events).toContainEqual({
				type: "recheck",
				modelId,
				version: 1,
				previousSuite: olderSuite,
			});
		} finally {
			await agent.stop();
		}
		const [latest] = await reader.getEvaluations({
			modelId,
			withReports: true,
			minBlock: await p.publicClient.getBlockNumber(),
			...wait,
		});
		expect(latest).toMatchObject({
			suite: SUITE,
			verdict: "Fail",
			requestId: null, // attested without a request
		});
		const report = latest?.report as unknown as Report | undefined;
		expect(report?.findings.map((f) => f.code)).toEqual(
			expect.arrayContaining(["pickle.trailing-data", "pickle.unsafe-import"]),
		);
		// the model page reads verdicts per suite: today's suite shows the new verdict
		expect((await reader.getModel({ modelId }))?.verdicts).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ suite: SUITE, verdict: "Fail", version: 1 }),
				expect.objectContaining({ suite: olderSuite, verdict: "Pass" }),
			]),
		);
		// a second run finds nothing stale
		const again = await runAgent();
		try {
			await again.caughtUp();
			expect(again.processed).toEqual([]);
		} finally {
			await again.stop();
		}
	});
});
