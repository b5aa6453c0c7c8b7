/**
 * A mapping writing a timeseries (graph-cli 0.98 codegen, graph-ts 0.38) on Hardhat's chain, with
 * block times set so that hours and days end: graph-node's store_set gives each data point the id
 * `block << 32 | seq` and the block's time, and the first block after a bucket rolls it up.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Devnode, startDevnode } from "../src/index.ts";
import { tokensChain } from "./helpers/chain.ts";

type Chain = Awaited<ReturnType<typeof tokensChain>>;

describe("a timeseries and its aggregation, written by a mapping", () => {
	let chain: Chain;
	let node: Devnode;
	const HOUR = 3600;
	let day0 = 0;
	const blocks: Record<string, number> = {};

	const query = async (q: string) => {
		const r = await node.query(q);
		expect(r.errors).toBeUndefined();
		return JSON.parse(JSON.stringify(r.data));
	};
	/** The id graph-node's SeqGenerator gives the `seq`-th generated id of a block. */
	const idOf = (block: number, seq = 0) =>
		((BigInt(block) << 32n) | BigInt(seq)).toString();
	const us = (seconds: number) => String(BigInt(seconds) * 1_000_000n);

	beforeAll(async () => {
		chain = await tokensChain();
		node = await startDevnode({
			subgraphDir: chain.buildDir,
			provider: chain.provider,
			port: 0,
			pollIntervalMs: 20,
		});
		const latest = await chain.publicClient.getBlock();
		day0 = (Math.floor(Number(latest.timestamp) / 86400) + 1) * 86400;
	});
	afterAll(async () => {
		await node?.stop();
		await chain?.close();
	});

	/** Mines the next transaction at `time` and waits until devnode indexed it. */
	const at = async (time: number, send: () => Promise<number>) => {
		await chain.rpc("evm_setNextBlockTimestamp", [time]);
		const n = await send();
		await node.waitForBlock(n);
		return n;
	};

	it("stores data points with generated ids and the block's time", async () => {
		// 01:05 on day 0: the factory creates a pair, which swaps 1 in the same transaction
		blocks.create = await at(day0 + HOUR + 300, () =>
			chain.factoryTx("createPair", "volume"),
		);
		const { pairs } = await query(`{ pairs { id } }`);
		const pair = pairs[0].id as `0x${string}`;
		blocks.a = await at(day0 + HOUR + 600, () => chain.pairTx(pair, "swap", 5n));
		blocks.b = await at(day0 + HOUR + 1200, () => chain.pairTx(pair, "swap", 7n));
		expect(
			await query(`{ swapPoints(orderBy: id) { id timestamp amount pair { id } } }`),
		).toEqual({
			swapPoints: [
				{ id: idOf(blocks.create), timestamp: us(day0 + HOUR + 300), amount: "1", pair: { id: pair } },
				{ id: idOf(blocks.a), timestamp: us(day0 + HOUR + 600), amount: "5", pair: { id: pair } },
				{ id: idOf(blocks.b), timestamp: us(day0 + HOUR + 1200), amount: "7", pair: { id: pair } },
			],
		});
		// nothing is rolled up until the hour ends; `current: include` computes the open bucket
		expect(
			await query(`{ pairVolumes(interval: hour) { id } }`),
		).toEqual({ pairVolumes: [] });
		expect(
			await query(
				`{ pairVolumes(interval: hour, current: include) { id timestamp volume largest lastAmount swaps } }`,
			),
		).toEqual({
			pairVolumes: [
				{ id: idOf(blocks.b), timestamp: us(day0 + HOUR), volume: "13", largest: "7", lastAmount: "7", swaps: "3" },
			],
		});
	});

	it("rolls up the hour at the first block after it, and the day after the day", async () => {
		const { pairs } = await query(`{ pairs { id } }`);
		const pair = pairs[0].id as `0x${string}`;
		blocks.c = await at(day0 + 2 * HOUR + 600, () => chain.pairTx(pair, "swap", 2n));
		const hour1 = {
			id: idOf(blocks.b),
			timestamp: us(day0 + HOUR),
			volume: "13",
			largest: "7",
			lastAmount: "7",
			swaps: "3",
		};
		const fields = "id timestamp volume largest lastAmount swaps";
		expect(await query(`{ pairVolumes(interval: hour) { ${fields} } }`)).toEqual({
			pairVolumes: [hour1],
		});
		// the next day: the hour of block c and day 0 are rolled up, the count is cumulative
		blocks.d = await at(day0 + 86400 + HOUR, () => chain.pairTx(pair, "swap", 3n));
		const hour2 = {
			id: idOf(blocks.c),
			timestamp: us(day0 + 2 * HOUR),
			volume: "2",
			largest: "2",
			lastAmount: "2",
			swaps: "4",
		};
		expect(
			await query(`{ hours: pairVolumes(interval: hour) { ${fields} }
			   days: pairVolumes(interval: day) { ${fields} pair { swapCount } } }`),
		).toEqual({
			hours: [hour2, hour1],
			days: [
				{
					id: idOf(blocks.c),
					timestamp: us(day0),
					volume: "15",
					largest: "7",
					lastAmount: "2",
					swaps: "4",
					pair: { swapCount: 5 },
				},
			],
		});
		// time travel: at block c only the first hour existed
		expect(
			await query(
				`{ pairVolumes(interval: hour, block: { number: ${blocks.c} }) { id } }`,
			),
		).toEqual({ pairVolumes: [{ id: hour1.id }] });
	});

	it("undoes rollups when the chain rewinds", async () => {
		const snapshot = await chain.rpc<string>("evm_snapshot");
		const { pairs } = await query(`{ pairs { id } }`);
		const pair = pairs[0].id as `0x${string}`;
		const day1 = day0 + 86400;
		const timestamps = async () =>
			(
				(await query(`{ pairVolumes(interval: hour, first: 2) { timestamp volume swaps } }`))
					.pairVolumes as { timestamp: string }[]
			);
		await at(day1 + 2 * HOUR, () => chain.pairTx(pair, "swap", 4n));
		await at(day1 + 3 * HOUR, () => chain.pairTx(pair, "swap", 9n));
		expect(await timestamps()).toEqual([
			{ timestamp: us(day1 + 2 * HOUR), volume: "4", swaps: "6" },
			{ timestamp: us(day1 + HOUR), volume: "3", swaps: "5" },
		]);
		await chain.rpc("evm_revert", [snapshot]);
		// another history from the same height: the rollup of hour 02:00 is gone with its block
		await chain.rpc("evm_setNextBlockTimestamp", [day1 + 3 * HOUR]);
		await chain.pairTx(pair, "swap", 6n);
		await chain.rpc("evm_setNextBlockTimestamp", [day1 + 4 * HOUR]);
		await chain.pairTx(pair, "swap", 8n);
		await at(day1 + 5 * HOUR, () => chain.pairTx(pair, "swap", 1n));
		expect(node.status().rewinds).toBeGreaterThan(0);
		expect(await timestamps()).toEqual([
			{ timestamp: us(day1 + 4 * HOUR), volume: "8", swaps: "7" },
			{ timestamp: us(day1 + 3 * HOUR), volume: "6", swaps: "6" },
		]);
		expect(
			await query(
				`{ pairVolumes(interval: hour, where: { timestamp: "${us(day1 + 2 * HOUR)}" }) { id } }`,
			),
		).toEqual({ pairVolumes: [] });
	});
});
