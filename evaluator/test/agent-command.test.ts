// `evaluator agent` as a user runs it: flags, a Kubo RPC store URL, a deployment file and an HTTP
// JSON-RPC endpoint (here Hardhat's in-process chain behind a small HTTP bridge).
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startKuboRpcServer } from "@ai-model-marketplace/sdk/node";
import { parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startProtocol } from "../../sdk/test/actions/harness.ts";
import { type AgentIo, agentCommand } from "../src/agent/command.ts";
import { safetensorsSample } from "../src/index.ts";
import { tempFolder } from "./fixtures/tmp.ts";

// Hardhat's default accounts #4 (the harness's evaluator) and #5 (a stranger)
const EVALUATOR_KEY =
	"0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a";
const STRANGER_KEY =
	"0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";

let p: Awaited<ReturnType<typeof startProtocol>>;
let kubo: Awaited<ReturnType<typeof startKuboRpcServer>>;
let rpc: ReturnType<typeof createServer>;
let flags: string[];
const tmp = await tempFolder();

beforeAll(async () => {
	p = await startProtocol();
	kubo = await startKuboRpcServer({ store: p.store, port: 0 });
	rpc = createServer(async (req, res) => {
		let body = "";
		for await (const chunk of req) body += chunk;
		const call = async (m: {
			id: number;
			method: string;
			params?: unknown[];
		}) => {
			try {
				return {
					jsonrpc: "2.0",
					id: m.id,
					result: await p.provider.request({
						method: m.method,
						params: m.params,
					}),
				};
			} catch (e) {
				const error = e as { code?: number; message: string; data?: unknown };
				return {
					jsonrpc: "2.0",
					id: m.id,
					error: {
						code: error.code ?? -32000,
						message: error.message,
						data: error.data,
					},
				};
			}
		};
		const message = JSON.parse(body);
		const answer = Array.isArray(message)
			? await Promise.all(message.map(call))
			: await call(message);
		res.setHeader("content-type", "application/json");
		res.end(JSON.stringify(answer));
	}).listen(0, "127.0.0.1");
	await once(rpc, "listening");
	const deployment = await tmp.write(
		`${p.deployment.chainId}.json`,
		JSON.stringify(p.deployment, (_, v) =>
			typeof v === "bigint" ? Number(v) : v,
		),
	);
	flags = [
		"--rpc",
		`http://127.0.0.1:${(rpc.address() as AddressInfo).port}`,
		"--deployment",
		deployment,
		"--store-url",
		kubo.url,
		"--poll",
		"50",
	];
}, 120_000);
afterAll(async () => {
	rpc?.close();
	await kubo?.close();
	await p?.close();
});

async function run(argv: string[], env: AgentIo["env"] = {}) {
	const out: string[] = [];
	const err: string[] = [];
	const code = await agentCommand(argv, {
		out: (l) => out.push(l),
		err: (l) => err.push(l),
		env,
	});
	return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("evaluator agent (command)", () => {
	it("refuses bad usage, a missing key and an account without the evaluator role", async () => {
		expect(privateKeyToAccount(EVALUATOR_KEY).address.toLowerCase()).toBe(
			p.accounts.evaluator.account.address.toLowerCase(),
		);
		expect(await run([])).toMatchObject({
			code: 2,
			err: expect.stringContaining("--rpc is required"),
		});
		expect(
			await run([...flags, "--store-dir", "x"], {
				EVALUATOR_PRIVATE_KEY: EVALUATOR_KEY,
			}),
		).toMatchObject({
			code: 2,
			err: expect.stringContaining(
				"exactly one of --store-url and --store-dir",
			),
		});
		expect(await run(flags)).toMatchObject({
			code: 2,
			err: expect.stringContaining("EVALUATOR_PRIVATE_KEY"),
		});
		expect(await run([...flags, "--private-key", STRANGER_KEY])).toMatchObject({
			code: 3,
			err: expect.stringContaining("does not have the evaluator role"),
		});
	});

	it("--once attests the open requests and exits; run again, it attests nothing", async () => {
		const sample = safetensorsSample();
		const { modelId } = await p.seller.listModel({
			name: "CLI model",
			task: sample.task,
			license: sample.license,
			files: sample.files,
			price: parseEther("1"),
		});
		// the agent publishes its key on its first run; a request needs it to wrap the version key
		expect(
			await run([...flags, "--once"], { EVALUATOR_PRIVATE_KEY: EVALUATOR_KEY }),
		).toMatchObject({
			code: 0,
			out: expect.stringContaining("published the evaluator key"),
		});
		const { requestId } = await p.seller.requestEvaluation({
			modelId,
			version: 1,
			evaluator: p.accounts.evaluator.account.address,
		});

		const first = await run([
			...flags,
			"--once",
			"--private-key",
			EVALUATOR_KEY,
		]);
		expect(first.code).toBe(0);
		expect(first.out).toContain(
			`request ${requestId}: model ${modelId} version 1`,
		);
		expect(first.out).toMatch(
			new RegExp(
				`request ${requestId}: attested #\\d+ pass 1000000 ipfs://b[a-z2-7]+ \\(tx 0x[0-9a-f]{64}\\)`,
			),
		);
		expect(first.out).toContain("stopped: 1 request(s) attested");

		const second = await run([
			...flags,
			"--once",
			"--private-key",
			EVALUATOR_KEY,
		]);
		expect(second.out).toContain(`request ${requestId}: skipped (Fulfilled)`);
		expect(second.out).toContain("stopped: 0 request(s) attested");
	});
});
