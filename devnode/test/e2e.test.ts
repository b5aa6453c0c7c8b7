import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Devnode, startDevnode } from "../src/index.ts";
import { tokensChain } from "./helpers/chain.ts";

type Chain = Awaited<ReturnType<typeof tokensChain>>;

async function gql(
	node: Devnode,
	query: string,
): Promise<{ data?: Record<string, unknown>; errors?: { message: string }[] }> {
	const res = await fetch(node.graphqlUrl, {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: JSON.stringify({ query }),
	});
	return (await res.json()) as never;
}

describe("devnode indexing the tokens fixture on Hardhat's in-process chain", () => {
	let chain: Chain;
	let node: Devnode;
	const logs: string[] = [];

	beforeAll(async () => {
		chain = await tokensChain();
		node = await startDevnode({
			subgraphDir: chain.buildDir,
			provider: chain.provider,
			port: 0,
			pollIntervalMs: 20,
			onLog: (level, message, source) =>
				logs.push(`${level} ${source} ${message}`),
		});
	});
	afterAll(async () => {
		await node?.stop();
		await chain?.close();
	});

	it("indexes transfers, reads them over HTTP and answers derived fields and eth_calls at the event's block", async () => {
		const me = chain.wallet.account.address.toLowerCase();
		const other = chain.other.account.address.toLowerCase();
		await chain.tokenTx("mint", me, 1000n);
		await node.waitForBlock(await chain.tokenTx("transfer", other, 300n));
		const { data, errors } = await gql(
			node,
			`{ accounts(orderBy: balance) { id balance onChainBalance transferCount received { value from } }
         transfers(orderBy: blockNumber) { from to { id } value blockNumber logIndex } }`,
		);
		expect(errors).toBeUndefined();
		expect(data?.accounts).toEqual([
			{
				id: other,
				balance: "300",
				onChainBalance: "300",
				transferCount: 1,
				received: [{ value: "300", from: me }],
			},
			// balanceOf was called at the mint's block, before the transfer left 700.
			{
				id: me,
				balance: "1000",
				onChainBalance: "1000",
				transferCount: 1,
				received: [{ value: "1000", from: `0x${"0".repeat(40)}` }],
			},
		]);
		expect(
			((data?.transfers ?? []) as { value: string }[]).map((t) => t.value),
		).toEqual(["1000", "300"]);
		expect(logs).toContain(`info Token transfer of 1000 to ${me}`);
	});

	it("passes every event parameter kind: strings with non-ASCII and NUL, bytes, negative int256, bool", async () => {
		await node.waitForBlock(
			await chain.tokenTx("note", 7n, "héllo ✓\u0000", "0xdeadbeef", -5n, true),
		);
		const { data } = await gql(
			node,
			`{ note(id: "7") { text data delta flag hash comment } }`,
		);
		expect(data?.note).toEqual({
			text: "héllo ✓",
			data: "0xdeadbeef",
			delta: "-5",
			flag: true,
			hash: "0xd4fd4e189132273036449fc9e11198c739161b4c0116a9a2dccdfa1c492006f1",
			comment: "c",
		});
	});

	it("merges a partial store.set into the stored entity; a null field is removed; remove deletes", async () => {
		await chain.tokenTx("note", 8n, "original", "0x01", 1n, false);
		await chain.tokenTx("probe", "merge", "8");
		await node.waitForBlock(await chain.tokenTx("probe", "unset", "8"));
		expect(
			(await gql(node, `{ note(id: "8") { text data delta flag comment } }`))
				.data?.note,
		).toEqual({
			text: "merged",
			data: "0x01",
			delta: "1",
			flag: false,
			comment: null,
		});
		await node.waitForBlock(await chain.tokenTx("probe", "remove", "8"));
		expect(
			(await gql(node, `{ note(id: "8") { text } }`)).data?.note,
		).toBeNull();
	});

	it("runs host functions with graph-node's results", async () => {
		const token = chain.token.toLowerCase();
		const cases: [string, string, string][] = [
			["bd-div", "1|3", "0.3333333333333333333333333333333333"],
			["bd-div", "2|3", "0.6666666666666666666666666666666667"],
			["bd-times", "1.5|-2", "-3"],
			["bd-plus", "0.1|0.2", "0.3"],
			["bd-minus", "1|1.000001", "-0.000001"],
			["bd-str", "1e3", "1000"],
			["bd-eq", "1.50|1.5", "true"],
			["bi-pow", "2|255", (2n ** 255n).toString()],
			["bi-hex", "255", "0xff"],
			["bi-hex", "-255", "0xff"],
			["bi-hex", "0", "0x0"],
			["bi-div", "-7|2", "-3"],
			["bi-mod", "-7|2", "-1"],
			["bi-shr", "-1|3", "-1"],
			["bi-shl", "1|200", (1n << 200n).toString()],
			["bi-or", "12|3", "15"],
			["bi-and", "12|10", "8"],
			["bi-divdec", "1|3", "0.3333333333333333333333333333333333"],
			[
				"json",
				'{"b":1,"a":[12345678901234567890123,"x",null,true]}',
				"{a=[n:12345678901234567890123,s:x,null,true],b=n:1}",
			],
			["json-try", "{not json", "error"],
			["json-try", "[1]", "ok"],
			["base58", "0x0000287fb4cd", "11233QC4"],
			[
				"keccak",
				"abc",
				"0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
			],
			["utf8", "0x68c3a96c6c6f0000", "héllo"],
			["h160", "0x5FbDB2315678afecb367f032d93F642f64180aa3", token],
			[
				"encode",
				token,
				`0x${"0".repeat(24)}${token.slice(2)}${(42).toString(16).padStart(64, "0")}`,
			],
			[
				"decode",
				`0x${"0".repeat(24)}${token.slice(2)}${(42).toString(16).padStart(64, "0")}`,
				`${token},42`,
			],
			["decode", "0x01", "null"],
			["revert", "", "reverted"],
			["ds", "", `hardhat ${token}`],
		];
		let last = 0;
		for (const [kind, input] of cases)
			last = await chain.tokenTx("probe", kind, input);
		await node.waitForBlock(last);
		const { data } = await gql(
			node,
			"{ probeResults(first: 1000) { id output } }",
		);
		const outputs = new Map(
			((data?.probeResults ?? []) as { id: string; output: string }[]).map(
				(r) => [r.id, r.output],
			),
		);
		for (const [kind, input, expected] of cases)
			expect(outputs.get(`${kind}:${input}`), `${kind}(${input})`).toBe(
				expected,
			);
	});

	it("sees the same block's writes through store.get_in_block and loadRelated", async () => {
		const me = chain.wallet.account.address.toLowerCase();
		await node.waitForBlock(await chain.tokenTx("probe", "related", me));
		await node.waitForBlock(await chain.tokenTx("probe", "inblock", "7"));
		const { data } = await gql(
			node,
			`{ a: probeResult(id: "related:${me}") { output } b: probeResult(id: "inblock:7") { output } }`,
		);
		// Note 7 was written in an earlier block, so it is not "in block".
		expect(data).toEqual({ a: { output: "1" }, b: { output: "absent" } });
	});

	it("instantiates a data source template and runs it over the rest of its creation block", async () => {
		await node.waitForBlock(await chain.factoryTx("createPair", "first"));
		await node.waitForBlock(await chain.factoryTx("createPair", "second"));
		const { data } = await gql(
			node,
			"{ pairs(orderBy: label) { label swapCount swaps { amount sender } } }",
		);
		const factory = chain.factory.toLowerCase();
		expect(data?.pairs).toEqual([
			{
				label: "first",
				swapCount: 1,
				swaps: [{ amount: "1", sender: factory }],
			},
			{
				label: "second",
				swapCount: 1,
				swaps: [{ amount: "1", sender: factory }],
			},
		]);
	});

	it("reports its state at /status and in _meta", async () => {
		const head = await chain.blockNumber();
		await node.waitForBlock(head);
		const status = (await (await fetch(`${node.url}/status`)).json()) as Record<
			string,
			unknown
		>;
		expect(status.health).toBe("healthy");
		expect((status.latestBlock as { number: number }).number).toBe(head);
		expect(status.entitiesWritten).toBeGreaterThan(10);
		const { data } = await gql(
			node,
			"{ _meta { block { number } hasIndexingErrors } }",
		);
		expect(data?._meta).toEqual({
			block: { number: head },
			hasIndexingErrors: false,
		});
	});
});
