/**
 * Time series and aggregations, ported from graph-node: the rollup cases of
 * store/test-store/tests/postgres/aggregation.rs (`simple`, `current_include`, `current_exclude`,
 * `current_include_with_filter`, `current_include_cumulative`), read through the GraphQL API; the API
 * schema of graph/src/schema/api.rs' `aggregation` test; and the schema validation cases of
 * graph/src/schema/test_schemas/ts_*.graphql with graph-node's messages.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueryEngine, type QueryEngine } from "../src/graphql/index.ts";
import {
	parseSchema,
	type SchemaError,
	UnsupportedSchemaFeatureError,
} from "../src/schema/index.ts";
import { openStore } from "../src/store/index.ts";
import type { BlockPtr } from "../src/store/types.ts";
import { ENGINES, type TestStore, toEntity } from "./query-fixture.ts";

const SCHEMA = `
type Token @entity {
  id: Bytes!
  name: String!
}

type Data @entity(timeseries: true) {
  id: Int8!
  timestamp: Timestamp!
  token: Token!
  price: BigDecimal!
  amount: BigDecimal!
}

type Stats @aggregation(intervals: ["day", "hour"], source: "Data") {
  id: Int8!
  timestamp: Timestamp!
  token: Token!
  sum: BigDecimal! @aggregate(fn: "sum", arg: "price")
  sum_sq: BigDecimal! @aggregate(fn: "sum", arg: "price * price")
  max: BigDecimal! @aggregate(fn: "max", arg: "amount")
  first: BigDecimal @aggregate(fn: "first", arg: "amount")
  last: BigDecimal! @aggregate(fn: "last", arg: "amount")
  value: BigDecimal! @aggregate(fn: "sum", arg: "price * amount")
  totalValue: BigDecimal! @aggregate(fn: "sum", arg: "price * amount", cumulative: true)
}

type TotalStats @aggregation(intervals: ["hour"], source: "Data") {
  id: Int8!
  timestamp: Timestamp!
  max: BigDecimal! @aggregate(fn: "max", arg: "price")
  count: Int8! @aggregate(fn: "count", cumulative: true)
}
`;

const schema = parseSchema(SCHEMA);
const TOKEN1 = "0xdeadbeef01";
const TOKEN2 = "0xdeadbeef02";
const TOKEN3 = "0xdeadbeef03";
// graph-node's TIMES: minutes 30, 40, 65 and 121 after the epoch
const TIMES = [30, 40, 65, 121].map((m) => m * 60);
const block = (n: number): BlockPtr => ({
	number: n,
	hash: `0x${(n + 1).toString(16).padStart(64, "0")}`,
	timestamp: TIMES[n],
});
const micros = (seconds: number) => String(seconds * 1_000_000);

const data = (
	id: number,
	time: number,
	token: string,
	price: number,
	amount: number,
) => ({
	op: "set" as const,
	entityType: "Data",
	id: String(id),
	data: toEntity(schema, "Data", {
		id: String(id),
		timestamp: micros(time),
		token,
		price: String(price),
		amount: String(amount),
	}),
});
const token = (id: string, name: string) => ({
	op: "set" as const,
	entityType: "Token",
	id,
	data: toEntity(schema, "Token", { id, name }),
});

async function insertTestData(store: TestStore) {
	await store.transactBlock(block(0), [
		token(TOKEN1, "Token1"),
		token(TOKEN2, "Token2"),
		token(TOKEN3, "Token3"),
		data(1, TIMES[0], TOKEN1, 1, 10),
		data(2, TIMES[0], TOKEN2, 1, 1),
	]);
	await store.transactBlock(block(1), [
		data(11, TIMES[1], TOKEN1, 2, 2),
		data(12, TIMES[1], TOKEN2, 2, 20),
	]);
	await store.transactBlock(block(2), [
		data(21, TIMES[2], TOKEN1, 3, 30),
		data(22, TIMES[2], TOKEN2, 3, 3),
	]);
	await store.transactBlock(block(3), [
		data(31, TIMES[3], TOKEN1, 4, 4),
		data(32, TIMES[3], TOKEN2, 4, 40),
	]);
}

const FIELDS = "id timestamp token { id } sum sum_sq max first last value totalValue";
type Row = Record<string, unknown>;
const row = (
	id: number,
	ts: number,
	tokenId: string,
	v: [number, number, number, number, number, number, number],
): Row => ({
	id: String(id),
	timestamp: micros(ts),
	token: { id: tokenId },
	sum: String(v[0]),
	sum_sq: String(v[1]),
	max: String(v[2]),
	first: String(v[3]),
	last: String(v[4]),
	value: String(v[5]),
	totalValue: String(v[6]),
});

// graph-node's stats_hour(): an aggregation marked with block N holds data up to block N-1, since
// the rollup happens at the first block after the interval ended
const HOUR0 = [
	row(11, 0, TOKEN1, [3, 5, 10, 10, 2, 14, 14]),
	row(12, 0, TOKEN2, [3, 5, 20, 1, 20, 41, 41]),
];
const HOUR1 = [
	row(21, 3600, TOKEN1, [3, 9, 30, 30, 30, 90, 104]),
	row(22, 3600, TOKEN2, [3, 9, 3, 3, 3, 9, 50]),
];
const STATS_HOUR = [[], [], HOUR0, [...HOUR0, ...HOUR1]];

for (const engine of ENGINES)
	describe(`aggregations on ${engine.name}`, () => {
		let store: TestStore;
		let q: QueryEngine;
		const run = async (query: string) => {
			const r = await q.executeQuery(query);
			expect(r.errors).toBeUndefined();
			return JSON.parse(JSON.stringify(r.data));
		};
		const errors = async (query: string) =>
			(await q.executeQuery(query)).errors?.map((e) => e.message);

		beforeAll(async () => {
			store = await openStore({
				schema,
				databaseUrl: engine.databaseUrl,
				dbSchema: engine.databaseUrl
					? `devnode_test_aggregation_${process.pid}`
					: undefined,
			});
			await insertTestData(store);
			q = createQueryEngine({ store, schema, name: "rollup" });
		});
		afterAll(async () => {
			if (engine.databaseUrl)
				await store.read(`drop schema ${store.layout.dbSchema} cascade`);
			await store?.close();
		});

		it("simple: rolls up each hour at the first block after it, none of the days", async () => {
			expect(
				await run(`{ stats_collection(interval: day) { id } }`),
			).toEqual({ stats_collection: [] });
			for (let i = 0; i < 4; i++) {
				const r = await run(
					`{ stats_collection(interval: hour, block: { number: ${i} }, orderBy: id) { ${FIELDS} } }`,
				);
				expect(r.stats_collection, `block ${i}`).toEqual(STATS_HOUR[i]);
			}
			// an aggregation without dimensions, with a cumulative count
			expect(
				await run(
					`{ totalStats_collection(interval: hour, orderBy: timestamp) { id timestamp max count } }`,
				),
			).toEqual({
				totalStats_collection: [
					{ id: "12", timestamp: "0", max: "2", count: "4" },
					{ id: "22", timestamp: micros(3600), max: "3", count: "6" },
				],
			});
		});

		it("current_exclude: only rolled-up buckets, newest first by default", async () => {
			const r = await run(
				`{ stats_collection(interval: hour, current: exclude) { ${FIELDS} } }`,
			);
			// graph-node's default order for aggregations: timestamp descending, then id descending
			expect(r.stats_collection).toEqual([
				HOUR1[1],
				HOUR1[0],
				HOUR0[1],
				HOUR0[0],
			]);
			expect(
				await run(`{ stats_collection(interval: hour) { id } }`),
			).toEqual({
				stats_collection: [{ id: "22" }, { id: "21" }, { id: "12" }, { id: "11" }],
			});
		});

		it("current_include: adds the bucket being filled, computed from the data points", async () => {
			const r = await run(
				`{ stats_collection(interval: hour, current: include, block: { number: 3 }) { ${FIELDS} } }`,
			);
			expect(r.stats_collection).toHaveLength(6);
			// hour 2 from block 3's data points: the largest id, the bucket's start
			const current = [
				row(32, 7200, TOKEN2, [4, 16, 40, 40, 40, 160, 210]),
				row(31, 7200, TOKEN1, [4, 16, 4, 4, 4, 16, 120]),
			];
			expect(r.stats_collection).toEqual([
				...current,
				HOUR1[1],
				HOUR1[0],
				HOUR0[1],
				HOUR0[0],
			]);
		});

		it("current_include_with_filter: the filter applies to rolled-up rows and data points", async () => {
			const r = await run(
				`{ stats_collection(interval: hour, current: include, where: { token: "${TOKEN1}" }) { timestamp token { id } } }`,
			);
			expect(r.stats_collection).toEqual(
				[7200, 3600, 0].map((ts) => ({
					timestamp: micros(ts),
					token: { id: TOKEN1 },
				})),
			);
		});

		it("current_include_cumulative: the current bucket adds to the group's last total", async () => {
			const r = await run(
				`{ stats_collection(interval: hour, current: include, where: { timestamp_gte: "${micros(7200)}" }, orderBy: id) { id totalValue } }`,
			);
			expect(r.stats_collection).toEqual([
				{ id: "31", totalValue: "120" },
				{ id: "32", totalValue: "210" },
			]);
		});

		it("filters by timestamp and dimensions, orders and pages as graph-node allows", async () => {
			const ids = async (args: string) =>
				(
					(await run(`{ stats_collection(interval: hour, ${args}) { id } }`))
						.stats_collection as { id: string }[]
				).map((s) => s.id);
			expect(await ids(`where: { timestamp_gte: "${micros(3600)}" }`)).toEqual([
				"22",
				"21",
			]);
			expect(await ids(`where: { timestamp_lt: "${micros(3600)}" }`)).toEqual([
				"12",
				"11",
			]);
			expect(
				await ids(`where: { timestamp_in: ["0"], token: "${TOKEN2}" }`),
			).toEqual(["12"]);
			expect(await ids(`where: { token_: { name: "Token1" } }`)).toEqual([
				"21",
				"11",
			]);
			expect(await ids(`orderBy: max, orderDirection: desc`)).toEqual([
				"21",
				"12",
				"11",
				"22",
			]);
			expect(await ids(`orderBy: token__name, first: 1, skip: 1`)).toEqual([
				"21",
			]);
			expect(await ids(`where: { id_gt: 12, id_lte: 21 }`)).toEqual(["21"]);
			// graph-node's Aggregation filter ops: no `_not`, no `_not_in`, no string matching
			expect(
				await errors(`{ stats_collection(interval: hour, where: { timestamp_not: "0" }) { id } }`),
			).toEqual([
				'Field "timestamp_not" is not defined by type "Stats_filter".',
			]);
			expect(
				await errors(`{ stats_collection(where: {}) { id } }`),
			).toEqual([
				'Field "stats_collection" argument "interval" of type "Aggregation_interval!" is required, but it was not provided.',
			]);
			expect(
				await errors(`{ totalStats_collection(interval: day) { id } }`),
			).toEqual([
				"Aggregation `TotalStats` has no interval `day`; its intervals are hour",
			]);
		});

		it("generates graph-node's API for an aggregation (api.rs `aggregation`)", () => {
			const field = q.apiSchema.getQueryType()?.getFields().stats_collection;
			expect(field?.type.toString()).toBe("[Stats!]!");
			const args = Object.fromEntries(
				(field?.args ?? []).map((a) => [a.name, a.type.toString()]),
			);
			expect(args).toMatchObject({
				interval: "Aggregation_interval!",
				where: "Stats_filter",
				current: "Aggregation_current",
				orderBy: "Stats_orderBy",
			});
			const total = q.apiSchema.getType("TotalStats_filter") as unknown as {
				getFields(): Record<string, unknown>;
			};
			expect(Object.keys(total.getFields()).sort()).toEqual([
				"_change_block",
				"and",
				"id",
				"id_gt",
				"id_gte",
				"id_in",
				"id_lt",
				"id_lte",
				"or",
				"timestamp",
				"timestamp_gt",
				"timestamp_gte",
				"timestamp_in",
				"timestamp_lt",
				"timestamp_lte",
			]);
			// the time series is an immutable entity type with the usual query fields
			expect(q.apiSchema.getQueryType()?.getFields().datas).toBeDefined();
		});

		it("reverts rollups with the blocks that made them", async () => {
			await store.revertTo(block(2));
			expect(
				(
					await run(`{ stats_collection(interval: hour) { id } }`)
				).stats_collection.map((s: { id: string }) => s.id),
			).toEqual(["12", "11"]);
			// block 3 again: hour 1 is rolled up anew
			await store.transactBlock(block(3), [
				data(31, TIMES[3], TOKEN1, 4, 4),
				data(32, TIMES[3], TOKEN2, 4, 40),
			]);
			expect(
				(
					await run(`{ stats_collection(interval: hour, orderBy: id) { ${FIELDS} } }`)
				).stats_collection,
			).toEqual([...HOUR0, ...HOUR1]);
		});

		it("rolls up a day and every hour bucket the chain skipped past", async () => {
			// a block a day later: the hour holding the last rollup (hour 2) and day 0 are rolled up
			const later: BlockPtr = {
				number: 4,
				hash: `0x${"5".padStart(64, "0")}`,
				timestamp: 86400 + 600,
			};
			await store.transactBlock(later, [
				data(41, later.timestamp, TOKEN3, 5, 5),
			]);
			const r = await run(
				`{ day: stats_collection(interval: day, orderBy: id) { id timestamp token { id } sum totalValue }
				   hour: stats_collection(interval: hour, first: 2) { id timestamp totalValue } }`,
			);
			expect(r.day).toEqual([
				{ id: "31", timestamp: "0", token: { id: TOKEN1 }, sum: "10", totalValue: "120" },
				{ id: "32", timestamp: "0", token: { id: TOKEN2 }, sum: "10", totalValue: "210" },
			]);
			expect(r.hour).toEqual([
				{ id: "32", timestamp: micros(7200), totalValue: "210" },
				{ id: "31", timestamp: micros(7200), totalValue: "120" },
			]);
			// time travel: before block 4 neither existed
			expect(
				await run(`{ stats_collection(interval: day, block: { number: 3 }) { id } }`),
			).toEqual({ stats_collection: [] });
		});
	});

describe("time series and aggregation schemas (graph-node's test_schemas)", () => {
	const fails = (text: string) => {
		try {
			parseSchema(text);
		} catch (e) {
			return (e as SchemaError).errors ?? [(e as Error).message];
		}
		throw new Error("the schema was accepted");
	};
	const data = (id = "Int8", timestamp = "Timestamp", extra = "") =>
		`type Data @entity(timeseries: true) { id: ${id}! timestamp: ${timestamp}! price: BigDecimal! ${extra} }`;
	const stats = (body: string, args = `intervals: ["hour", "day"], source: "Data"`) =>
		`type Stats @aggregation(${args}) { id: Int8! timestamp: Timestamp! ${body} }`;
	const SUM = `sum: BigDecimal! @aggregate(fn: "sum", arg: "price")`;

	it("ts_data_not_timeseries: AggregationNonTimeseriesSource", () => {
		expect(
			fails(
				`type Data @entity { id: Int8! timestamp: Timestamp! price: BigDecimal! } ${stats(SUM)}`,
			),
		).toEqual([
			"Aggregation Stats uses Data as the source, but that type is not a timeseries",
		]);
	});

	it("ts_invalid_timestamp_aggregation and _timeseries: InvalidTimestampType", () => {
		expect(
			fails(
				`${data()} type Stats @aggregation(intervals: ["hour"], source: "Data") { id: Int8! timestamp: Int8! ${SUM} }`,
			),
		).toEqual([
			"Type Stats has a `timestamp` field of type Int8, but it must be of type Timestamp",
		]);
		expect(fails(`${data("Int8", "Int8")} ${stats(SUM)}`)).toEqual([
			"Type Data has a `timestamp` field of type Int8, but it must be of type Timestamp",
		]);
	});

	it("ts_no_aggregate: PointlessAggregation", () => {
		expect(
			fails(
				`type Token @entity { id: Bytes! stats: Stats! } ${data("Int8", "Timestamp", "token: Token!")} ${stats("token: Token!")}`,
			),
		).toEqual(["Aggregation Stats has no @aggregate fields"]);
	});

	it("no_aggregations: AggregationsNotSupported before spec version 1.1.0", () => {
		const text = `${data()} ${stats(SUM)}`;
		expect(() => parseSchema(text, { specVersion: "1.0.0" })).toThrow(
			"Aggregations are not supported with spec version 1.0.0; please migrate the subgraph to the latest version",
		);
		expect(parseSchema(text, { specVersion: "1.1.0" }).aggregations.size).toBe(1);
	});

	it("ts_no_timeseries: EntityDirectivesMissing", () => {
		expect(() =>
			parseSchema(
				`type Stats { id: Int8! timestamp: Timestamp! token: Bytes! avg: BigDecimal! @aggregate(fn: "avg", arg: "price") }`,
			),
		).toThrow("Entity type `Stats` does not have an @entity directive");
	});

	it("timeseries: immutable, Int8 ids, a timestamp", () => {
		expect(
			fails(
				`type Data @entity(timeseries: true, immutable: false) { id: Int8! timestamp: Timestamp! }`,
			),
		).toEqual(["Timeseries Data is marked as mutable, it must be immutable"]);
		expect(fails(data("Bytes"))).toEqual([
			"Timeseries `Data` must have an `id` field of type `Int8`",
		]);
		expect(
			fails(`type Data @entity(timeseries: true) { id: Int8! price: Int! }`),
		).toEqual(["Timeseries Data is missing a `timestamp` field"]);
		expect(
			fails(`type Data @entity(timeseries: "yes") { id: Int8! }`),
		).toEqual([
			"The `timeseries` argument of the @entity directive must be a boolean",
		]);
		const ok = parseSchema(data());
		expect(ok.entities.get("Data")).toMatchObject({
			timeseries: true,
			immutable: true,
		});
	});

	it("aggregates: functions, arguments, types and intervals", () => {
		expect(
			fails(
				`${data()} ${stats(`a: BigDecimal! @aggregate(fn: "avg", arg: "price") b: BigDecimal! @aggregate(fn: "sum") c: BigDecimal! @aggregate(fn: "sum", arg: "nope") d: Int! @aggregate(fn: "sum", arg: "price") e: String! @aggregate(fn: "sum", arg: "price") f: BigDecimal! @aggregate(fn: "max", arg: "price", cumulative: "no")`)}`,
			),
		).toEqual([
			"Aggregation Stats, fielde: aggregates must use a numeric type, one of Int, Int8, BigInt, and BigDecimal",
			"Field a in aggregation Stats uses the unknown aggregation function `avg`",
			"Field b in aggregation Stats is missing the `arg` argument since the function sum requires it",
			"Field c in aggregation Stats has `arg` nope but the source type does not have such a field",
			"Field d in aggregation Stats has `arg` price of type BigDecimal but it is of the wider type Int in the source",
			"Aggregation Stats, fielde: aggregates must use a numeric type, one of Int, Int8, BigInt, and BigDecimal",
			"Field f in aggregation Stats has an invalid value for `cumulative`. It needs to be a boolean",
		]);
		expect(
			fails(`${data()} ${stats(SUM, `intervals: ["hour", "week"], source: "Data"`)}`),
		).toEqual(["Aggregation Stats: the interval week is not supported"]);
		expect(fails(`${data()} ${stats(SUM, `intervals: [], source: "Data"`)}`)).toEqual([
			"Aggregation Stats has an invalid argument for `intervals`: it must be a non-empty list of strings",
		]);
		expect(fails(`${data()} ${stats(SUM, `intervals: ["hour"], source: "Nope"`)}`)).toEqual([
			"Aggregaton Stats uses Nope as the source, but there is no timeseries of that name",
		]);
		expect(
			fails(`${data()} ${stats(`${SUM} label: String!`)}`),
		).toEqual([
			"Aggregation Stats uses Data as the source, but that does not have a field label",
		]);
		// `arg` expressions use graph-node's SQL subset; other SQL is refused by name
		expect(() =>
			parseSchema(
				`${data()} ${stats(`x: BigDecimal! @aggregate(fn: "sum", arg: "pg_sleep(price)")`)}`,
			),
		).toThrow(UnsupportedSchemaFeatureError);
		expect(() =>
			parseSchema(
				`${data()} ${stats(`x: BigDecimal! @aggregate(fn: "sum", arg: "price; drop table x")`)}`,
			),
		).toThrow(UnsupportedSchemaFeatureError);
		const ok = parseSchema(
			`${data()} ${stats(`x: BigDecimal! @aggregate(fn: "max", arg: "greatest(price, 0) * 2")`)}`,
		);
		expect(ok.aggregations.get("Stats")?.intervals).toEqual(["hour", "day"]);
	});
});
