import {
	cpSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
	type Devnode,
	IndexingFailedError,
	ManifestError,
	startDevnode,
	UnsupportedFeatureError,
} from "../src/index.ts";
import { tokensChain } from "./helpers/chain.ts";
import { FIXTURES_DIR } from "./helpers/fixtures.ts";

type Chain = Awaited<ReturnType<typeof tokensChain>>;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const f of cleanups.splice(0).reverse()) await f();
});

async function start(
	chain: Chain,
	extra: { dataDir?: string } = {},
): Promise<Devnode> {
	const node = await startDevnode({
		subgraphDir: chain.buildDir,
		provider: chain.provider,
		port: 0,
		pollIntervalMs: 20,
		onLog: () => {},
		...extra,
	});
	cleanups.push(() => node.stop());
	return node;
}

async function newChain(): Promise<Chain> {
	const chain = await tokensChain();
	cleanups.push(() => chain.close());
	return chain;
}

const accounts = async (node: Devnode) =>
	(
		(await node.query("{ accounts(orderBy: id) { id balance transferCount } }"))
			.data as { accounts: unknown[] }
	).accounts;

describe("failure semantics", () => {
	it("fails the subgraph on a handler error, storing nothing of that block and keeping the last good block", async () => {
		const chain = await newChain();
		const node = await start(chain);
		const me = chain.wallet.account.address.toLowerCase();
		const good = await chain.tokenTx("mint", me, 5n);
		await node.waitForBlock(good);
		// Two transactions in one block: the mint's writes must vanish with the failing handler.
		await chain.rpc("evm_setAutomine", [false]);
		await chain.tokenTxNoWait("mint", me, 7n);
		const failing = await chain.tokenTxNoWait("fail", "critical");
		await chain.rpc("evm_mine");
		await chain.rpc("evm_setAutomine", [true]);
		const bad = Number(
			(await chain.publicClient.getTransactionReceipt({ hash: failing }))
				.blockNumber,
		);
		const badHash = (
			await chain.publicClient.getBlock({ blockNumber: BigInt(bad) })
		).hash;

		const error = await node.waitForBlock(bad).catch((e) => e);
		expect(error).toBeInstanceOf(IndexingFailedError);
		const status = node.status();
		expect(status.health).toBe("failed");
		expect(status.fatalError).toEqual({
			message: `transaction ${failing.slice(2)}: Critical error logged in mapping with log message: boom: critical`,
			handler: "handleFailing",
			block: { number: bad, hash: badHash },
		});
		expect(error.message).toBe(
			`subgraph failed: ${status.fatalError?.message} in handler \`handleFailing\` at block #${bad} (${badHash.slice(2)})`,
		);
		expect(status.latestBlock?.number).toBe(bad - 1);
		expect(await accounts(node)).toEqual([
			{ id: me, balance: "5", transferCount: 1 },
		]);
		const meta = await node.query(
			"{ _meta { block { number } hasIndexingErrors } }",
		);
		expect(meta.data).toEqual({
			_meta: { block: { number: bad - 1 }, hasIndexingErrors: true },
		});
	});

	it.each([
		[
			"abort",
			/^transaction [0-9a-f]{64}: Mapping aborted at src\/token\.ts, line \d+, column \d+, with message: asserted in the fixture$/,
		],
		[
			"missing-field",
			/^transaction [0-9a-f]{64}: Entity Note\[bad\]: missing value for non-nullable field `\w+`/,
		],
		[
			"div-zero",
			/^transaction [0-9a-f]{64}: attempted to divide BigInt `7` by zero$/,
		],
		[
			"no-template",
			/^transaction [0-9a-f]{64}: Failed to create data source from name `Nope`: No template with this name in parent data source `Token`\. Available names: Pair\.$/,
		],
	])("reports graph-node's message for %s", async (reason, expected) => {
		const chain = await newChain();
		const node = await start(chain);
		const block = await chain.tokenTx("fail", reason);
		await expect(node.waitForBlock(block)).rejects.toThrow(IndexingFailedError);
		expect(node.status().fatalError?.message).toMatch(expected);
	});
});

describe("rewinds and restarts", () => {
	it("rolls back when Hardhat's evm_revert rewinds the chain, then shows only the new history", async () => {
		const chain = await newChain();
		const node = await start(chain);
		const me = chain.wallet.account.address.toLowerCase();
		const other = chain.other.account.address.toLowerCase();
		const snapshot = await chain.rpc<string>("evm_snapshot");
		await chain.tokenTx("mint", me, 100n);
		await node.waitForBlock(await chain.tokenTx("mint", me, 1n));
		expect(await accounts(node)).toEqual([
			{ id: me, balance: "101", transferCount: 2 },
		]);

		await chain.rpc("evm_revert", [snapshot]);
		await chain.tokenTx("mint", other, 200n);
		await chain.tokenTx("mint", other, 2n);
		const head = await chain.tokenTx("mint", other, 3n);
		await node.waitForBlock(head);
		expect(node.status().rewinds).toBeGreaterThanOrEqual(1);
		expect(await accounts(node)).toEqual([
			{ id: other, balance: "205", transferCount: 3 },
		]);
		const transfers = (await node.query("{ transfers { value } }")).data as {
			transfers: { value: string }[];
		};
		expect(transfers.transfers.map((t) => t.value).sort()).toEqual([
			"2",
			"200",
			"3",
		]);
	});

	it("resumes from its data folder after a restart, with template data sources restored", async () => {
		const chain = await newChain();
		const dataDir = mkdtempSync(join(tmpdir(), "devnode-data-"));
		cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
		const me = chain.wallet.account.address.toLowerCase();

		const first = await startDevnode({
			subgraphDir: chain.buildDir,
			provider: chain.provider,
			port: 0,
			pollIntervalMs: 20,
			dataDir,
			onLog: () => {},
		});
		await chain.tokenTx("mint", me, 1n);
		await first.waitForBlock(await chain.factoryTx("createPair", "kept"));
		const pair = (
			(await first.query("{ pairs { id } }")).data as {
				pairs: { id: `0x${string}` }[];
			}
		).pairs[0].id;
		await first.stop();

		await chain.tokenTx("mint", me, 2n);
		const swapBlock = await chain.pairTx(pair, "swap", 5n);
		const second = await start(chain, { dataDir });
		await second.waitForBlock(swapBlock);
		// Re-running old blocks would have counted the first mint twice.
		expect(await accounts(second)).toEqual([
			{ id: me, balance: "3", transferCount: 2 },
		]);
		const pairs = (
			await second.query(
				"{ pairs { label swapCount swaps(orderBy: amount) { amount } } }",
			)
		).data;
		expect(pairs).toEqual({
			pairs: [
				{
					label: "kept",
					swapCount: 2,
					swaps: [{ amount: "1" }, { amount: "5" }],
				},
			],
		});
	});
});

describe("bad input", () => {
	it("refuses a folder that is not a graph build", async () => {
		const chain = await newChain();
		const attempt = startDevnode({
			subgraphDir: join(FIXTURES_DIR, "tokens", "src"),
			provider: chain.provider,
			port: 0,
		});
		await expect(attempt).rejects.toThrow(ManifestError);
		await expect(attempt).rejects.toThrow(
			/is not a `graph build` output folder/,
		);
	});

	it("names a host function the mapping imports and devnode lacks, and refuses unsupported manifest features", async () => {
		const chain = await newChain();
		const dir = mkdtempSync(join(tmpdir(), "devnode-build-"));
		cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
		cpSync(chain.buildDir, dir, { recursive: true });
		const wasm = join(dir, "Token", "Token.wasm");
		// Same length, so the module stays valid: only the import's name changes.
		writeFileSync(
			wasm,
			Buffer.from(
				readFileSync(wasm)
					.toString("latin1")
					.replace("bigInt.plus", "bigInt.plvs"),
				"latin1",
			),
		);
		await expect(
			startDevnode({ subgraphDir: dir, provider: chain.provider, port: 0 }),
		).rejects.toThrow(
			"data source `Token`: its mapping imports `bigInt.plvs`, which devnode does not implement",
		);

		cpSync(chain.buildDir, dir, { recursive: true });
		const manifest = join(dir, "subgraph.yaml");
		writeFileSync(
			manifest,
			readFileSync(manifest, "utf8").replace(
				"      eventHandlers:\n",
				"      blockHandlers:\n        - handler: handleBlock\n      eventHandlers:\n",
			),
		);
		await expect(
			startDevnode({ subgraphDir: dir, provider: chain.provider, port: 0 }),
		).rejects.toThrow(UnsupportedFeatureError);
	});

	it("keeps retrying with backoff while the RPC is down, and says so", async () => {
		const port = await new Promise<number>((resolve) => {
			const s = createServer().listen(0, "127.0.0.1", () => {
				const p = (s.address() as { port: number }).port;
				s.close(() => resolve(p));
			});
		});
		const warnings: string[] = [];
		const node = await startDevnode({
			subgraphDir: join(FIXTURES_DIR, "tokens", "build"),
			rpcUrl: `http://127.0.0.1:${port}`,
			port: 0,
			onLog: (level, message) => level === "warning" && warnings.push(message),
		});
		cleanups.push(() => node.stop());
		await new Promise((r) => setTimeout(r, 1200));
		expect(node.status().rpcError).toMatch(
			new RegExp(
				`RPC http://127.0.0.1:${port} is unreachable \\(ECONNREFUSED\\)`,
			),
		);
		expect(warnings.length).toBeGreaterThanOrEqual(2);
		expect(warnings[0]).toMatch(
			/unreachable \(ECONNREFUSED\); retrying in 0\.25 s/,
		);
		expect(warnings[1]).toMatch(/retrying in 0\.50 s/);
	});
});
