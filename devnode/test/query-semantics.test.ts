/**
 * The query semantics most often gotten wrong, checked against what graph-node's SQL does
 * (store/postgres/src/relational_queries.rs): ordering ties and nulls, byte-order strings, LIKE
 * wildcards, SQL NULL rules, limits, scalar serialization, history, and the HTTP endpoint.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	createQueryEngine,
	createQueryHandler,
	limitsFromEnv,
	type QueryEngine,
	QueryLimitsError,
} from "../src/graphql/index.ts";
import { parseSchema } from "../src/schema/index.ts";
import { openStore } from "../src/store/index.ts";
import { ENGINES, ptr, type TestStore, toEntity } from "./query-fixture.ts";

const schema = parseSchema(`
enum Kind { Alpha, Beta }
type Item @entity {
  id: ID!
  name: String
  amount: BigInt
  price: BigDecimal
  count: Int
  big: Int8
  at: Timestamp
  flag: Boolean
  data: Bytes
  tags: [String!]
  kind: Kind
  owner: Owner
}
type Owner @entity {
  id: Bytes!
  name: String!
  items: [Item!]! @derivedFrom(field: "owner")
}
type Tick @entity(immutable: true) {
  id: ID!
  n: Int!
}
type Counter @entity {
  id: Int8!
  n: Int!
  holders: [Holder!]! @derivedFrom(field: "counter")
}
type Holder @entity {
  id: ID!
  counter: Counter
}
type _Schema_ @fulltext(name: "itemSearch", language: en, algorithm: rank, include: [{ entity: "Item", fields: [{ name: "name" }] }])
`);

type Fields = Parameters<typeof toEntity>[2];
const set = (entityType: string, fields: Fields) => ({
	op: "set" as const,
	entityType,
	id: String(fields.id),
	data: toEntity(schema, entityType, fields),
});

for (const engine of ENGINES)
	describe(`query semantics on ${engine.name}`, () => {
		let store: TestStore;
		let q: QueryEngine;
		const data = async (query: string) => {
			const r = await q.executeQuery(query);
			expect(r.errors).toBeUndefined();
			return JSON.parse(JSON.stringify(r.data));
		};
		const errors = async (query: string) =>
			(await q.executeQuery(query)).errors?.map((e) => e.message);
		const ids = async (where: string, extra = "") =>
			(
				(await data(`{ items(where: ${where}${extra}) { id } }`)).items as {
					id: string;
				}[]
			).map((i) => i.id);

		beforeAll(async () => {
			store = await openStore({
				schema,
				databaseUrl: engine.databaseUrl,
				dbSchema: engine.databaseUrl
					? `devnode_test_semantics_${process.pid}`
					: undefined,
			});
			await store.transactBlock(ptr(1), [
				set("Owner", { id: "0xa1", name: "alice" }),
				set("Item", {
					id: "i1",
					name: "a",
					amount: "99",
					price: "1.50",
					count: 2,
					big: "-9000000000",
					at: "1700000000000000",
					flag: true,
					data: "0x00ff10",
					tags: ["x", "y"],
					kind: "Alpha",
					owner: "0xa1",
				}),
				set("Item", {
					id: "i2",
					name: "B",
					amount: "100",
					price: "0.25",
					count: 2,
					kind: "Beta",
					owner: "0xa1",
					tags: ["y"],
				}),
				set("Item", {
					id: "i3",
					name: "ä",
					amount: "1000000000000000000000000000000",
					count: 1,
					data: "0xff",
				}),
				set("Item", { id: "i4", name: "Z", count: 2, tags: [] }),
				set("Item", { id: "i5", count: 3 }),
				set("Item", { id: "i6", name: "50% off", count: 4 }),
				set("Item", { id: "i7", name: "5000 off" }),
				set("Item", { id: "i8", name: "a_b" }),
				set("Item", { id: "i9", name: "axb" }),
				set("Tick", { id: "t1", n: 1 }),
				set("Counter", { id: 7, n: 70 }),
				set("Counter", { id: 12, n: 120 }),
				set("Holder", { id: "h1", counter: 12 }),
			]);
			await store.transactBlock(ptr(2), [
				set("Item", {
					id: "i1",
					name: "a",
					amount: "101",
					count: 2,
					tags: ["x", "y"],
					owner: "0xa1",
				}),
				set("Tick", { id: "t2", n: 2 }),
			]);
			await store.transactBlock(ptr(3), [
				{ op: "remove", entityType: "Item", id: "i9" },
			]);
			q = createQueryEngine({ store, schema, name: "semantics" });
		}, 60_000);
		afterAll(async () => {
			if (engine.databaseUrl)
				await store.read(`drop schema ${store.layout.dbSchema} cascade`);
			await store.close();
		});

		it("breaks ties on id in the order's direction", async () => {
			expect(await ids("{ count: 2 }", ", orderBy: count")).toEqual([
				"i1",
				"i2",
				"i4",
			]);
			expect(
				await ids("{ count: 2 }", ", orderBy: count, orderDirection: desc"),
			).toEqual(["i4", "i2", "i1"]);
			// without orderBy, orderDirection is ignored: graph-node's default order is id ascending
			expect(await ids("{ count: 2 }", ", orderDirection: desc")).toEqual([
				"i1",
				"i2",
				"i4",
			]);
		});

		it("puts nulls last ascending and first descending", async () => {
			expect(
				await ids('{ id_in: ["i1", "i5", "i4"] }', ", orderBy: name"),
			).toEqual(["i4", "i1", "i5"]);
			expect(
				await ids(
					'{ id_in: ["i1", "i5", "i4"] }',
					", orderBy: name, orderDirection: desc",
				),
			).toEqual(["i5", "i1", "i4"]);
		});

		it("compares and sorts strings by bytes (C collation)", async () => {
			expect(
				await ids('{ name_in: ["a", "B", "ä", "Z"] }', ", orderBy: name"),
			).toEqual(["i2", "i4", "i1", "i3"]);
			expect(
				await ids('{ name_gt: "Z", name_lt: "b" }', ", orderBy: name"),
			).toEqual(["i1", "i8"]);
		});

		it("keeps LIKE wildcards in _contains, _starts_with and _ends_with", async () => {
			expect(await ids('{ name_contains: "0_" }')).toEqual(["i6", "i7"]);
			expect(await ids('{ name_contains: "a_b" }')).toEqual(["i8"]); // i9 "axb" was removed at block 3
			expect(
				await ids('{ name_contains: "a_b" }', ", block: { number: 2 }"),
			).toEqual(["i8", "i9"]);
			// a value that starts or ends with % is used as the whole pattern
			expect(await ids('{ name_contains: "5%" }')).toEqual(["i6", "i7"]);
			expect(await ids('{ name_starts_with: "5_%" }')).toEqual(["i6", "i7"]);
			expect(await ids('{ name_ends_with_nocase: "OFF" }')).toEqual([
				"i6",
				"i7",
			]);
			expect(await ids('{ name_not_ends_with: "off" }')).toEqual([
				"i1",
				"i2",
				"i3",
				"i4",
				"i8",
			]);
			expect(await ids('{ name_starts_with_nocase: "b" }')).toEqual(["i2"]);
			expect(await ids('{ name_not_contains_nocase: "A" }')).toEqual([
				"i2",
				"i3",
				"i4",
				"i6",
				"i7",
			]);
		});

		it("follows SQL NULL rules for _not, _not_in and null values", async () => {
			expect(await ids('{ name_not: "a" }')).not.toContain("i5");
			expect(await ids('{ name_not_in: ["a", "B"] }')).toEqual([
				"i3",
				"i4",
				"i6",
				"i7",
				"i8",
			]);
			expect(await ids("{ name: null }")).toEqual(["i5"]);
			expect(await ids("{ name_not: null, count: 2 }")).toEqual([
				"i1",
				"i2",
				"i4",
			]);
			// an empty list matches nothing, even negated
			expect(await ids("{ name_in: [] }")).toEqual([]);
			expect(await ids("{ name_not_in: [] }")).toEqual([]);
		});

		it("compares numbers as numbers and lists as arrays", async () => {
			expect(await ids('{ amount_gt: "99" }', ", orderBy: amount")).toEqual([
				"i2",
				"i1",
				"i3",
			]);
			expect(await ids('{ price_lte: "0.5" }')).toEqual(["i2"]);
			expect(await ids('{ big_lt: "0" }', ", block: { number: 1 }")).toEqual([
				"i1",
			]);
			expect(await ids('{ tags_contains: ["y"] }')).toEqual(["i1", "i2"]);
			expect(await ids('{ tags_not_contains: ["x"] }')).toEqual(["i2", "i4"]);
			expect(await ids("{ tags: [] }")).toEqual(["i4"]);
			expect(await ids("{ kind_in: [Beta] }")).toEqual(["i2"]);
			expect(
				await ids('{ data_contains: "0xff" }', ", block: { number: 1 }"),
			).toEqual(["i1", "i3"]);
			expect(await ids('{ data: "FF" }')).toEqual(["i3"]);
			expect(await ids("{ flag: true }", ", block: { number: 1 }")).toEqual([
				"i1",
			]);
		});

		it("serializes BigInt, BigDecimal, Int8 and Timestamp as strings and Bytes as lowercase hex", async () => {
			expect(
				await data(
					`{ item(id: "i1", block: { number: 1 }) { amount price count big at flag data tags kind owner { id name } } }`,
				),
			).toEqual({
				item: {
					amount: "99",
					price: "1.5",
					count: 2,
					big: "-9000000000",
					at: "1700000000000000",
					flag: true,
					data: "0x00ff10",
					tags: ["x", "y"],
					kind: "Alpha",
					owner: { id: "0xa1", name: "alice" },
				},
			});
			expect((await data(`{ item(id: "i3") { amount } }`)).item.amount).toBe(
				"1000000000000000000000000000000",
			);
			expect(await data(`{ owner(id: "0xA1") { id } }`)).toEqual({
				owner: { id: "0xa1" },
			});
		});

		it("reads history: block-versioned values, removals and _change_block", async () => {
			expect(
				await data(
					`{ a: item(id: "i1", block: { number: 1 }) { amount } b: item(id: "i1") { amount } }`,
				),
			).toEqual({
				a: { amount: "99" },
				b: { amount: "101" },
			});
			expect(
				await data(
					`{ a: item(id: "i9", block: { number: 2 }) { id } b: item(id: "i9") { id } }`,
				),
			).toEqual({
				a: { id: "i9" },
				b: null,
			});
			expect(await ids("{ _change_block: { number_gte: 2 } }")).toEqual(["i1"]);
			expect(
				await data(
					`{ ticks(where: { _change_block: { number_gte: 2 } }) { id } }`,
				),
			).toEqual({ ticks: [{ id: "t2" }] });
			expect(await data(`{ ticks(block: { number: 1 }) { id } }`)).toEqual({
				ticks: [{ id: "t1" }],
			});
		});

		it("loads the references of a list in one query per type", async () => {
			let reads = 0;
			const counting = Object.create(store, {
				read: {
					value: (sql: string, params?: (string | null)[]) => {
						reads++;
						return store.read(sql, params);
					},
				},
			}) as TestStore;
			const engine = createQueryEngine({
				store: counting,
				schema,
				name: "semantics",
			});
			const r = await engine.executeQuery(
				`{ items(where: { owner_not: null }) { id owner { id name } } }`,
			);
			expect(r.data).toEqual({
				items: [
					{ id: "i1", owner: { id: "0xa1", name: "alice" } },
					{ id: "i2", owner: { id: "0xa1", name: "alice" } },
				],
			});
			expect(reads).toBe(2);
		});

		it("resolves derived fields with their own arguments", async () => {
			expect(
				await data(
					`{ owner(id: "0xa1") { items(orderBy: name, orderDirection: desc, first: 1) { id } all: items { id } } }`,
				),
			).toEqual({
				owner: { items: [{ id: "i1" }], all: [{ id: "i1" }, { id: "i2" }] },
			});
			expect(
				await data(
					`{ owners(where: { items_: { amount_gt: "100" } }) { id } }`,
				),
			).toEqual({ owners: [{ id: "0xa1" }] });
		});

		it("searches fulltext fields with to_tsquery", async () => {
			// english stems and drops stop words such as "off"
			expect(await data(`{ itemSearch(text: "off") { id } }`)).toEqual({
				itemSearch: [],
			});
			expect(await data(`{ itemSearch(text: "50") { id } }`)).toEqual({
				itemSearch: [{ id: "i6" }],
			});
			expect(await data(`{ itemSearch(text: "5000 | 50") { id } }`)).toEqual({
				itemSearch: [{ id: "i6" }, { id: "i7" }],
			});
			expect(
				(await errors(`{ itemSearch(text: "two words") { id } }`))?.[0],
			).toMatch(
				/^Invalid fulltext search query syntax\. Error: .*\. Hint: Search terms with spaces need to be enclosed in single quotes$/,
			);
		});

		it("enforces graph-node's first and skip limits", async () => {
			expect(await errors(`{ items(first: 1001) { id } }`)).toEqual([
				"The `first` argument must be between 0 and 1000, but is 1001",
			]);
			expect(await errors(`{ items(first: -1) { id } }`)).toEqual([
				"The `first` argument must be between 0 and 1000, but is -1",
			]);
			// graph-node's build_range: first must be 1..=max, its message still says "between 0"
			expect(await errors(`{ items(first: 0) { id } }`)).toEqual([
				"The `first` argument must be between 0 and 1000, but is 0",
			]);
			expect(
				await errors(`{ owner(id: "0xa1") { items(first: 0) { id } } }`),
			).toEqual(["The `first` argument must be between 0 and 1000, but is 0"]);
			expect(await errors(`{ items(skip: -1) { id } }`)).toEqual([
				"The `skip` argument must be between 0 and 4294967295, but is -1",
			]);
			// the default maximum skip is graph-node's u32::MAX; a large skip is a valid, empty page
			expect(await data(`{ items(skip: 2000000000) { id } }`)).toEqual({
				items: [],
			});
			expect(
				await errors(`{ owner(id: "0xa1") { items(first: 2000) { id } } }`),
			).toEqual([
				"The `first` argument must be between 0 and 1000, but is 2000",
			]);
			expect(
				await ids("{ count_gte: 0 }", ", first: 2, skip: 1, orderBy: count"),
			).toEqual(["i1", "i2"]);
		});

		it("reads GRAPH_GRAPHQL_MAX_FIRST and GRAPH_GRAPHQL_MAX_SKIP as graph-node does", async () => {
			const saved = { ...process.env };
			try {
				process.env.GRAPH_GRAPHQL_MAX_FIRST = "5";
				process.env.GRAPH_GRAPHQL_MAX_SKIP = "3";
				const limited = createQueryEngine({ store, schema, name: "limited" });
				const messages = async (query: string) =>
					(await limited.executeQuery(query)).errors?.map((e) => e.message);
				expect(await messages(`{ items(first: 6) { id } }`)).toEqual([
					"The `first` argument must be between 0 and 5, but is 6",
				]);
				expect(await messages(`{ items(first: 5, skip: 4) { id } }`)).toEqual([
					"The `skip` argument must be between 0 and 3, but is 4",
				]);
				expect(await messages(`{ items(first: 5, skip: 3) { id } }`)).toBeUndefined();
			} finally {
				process.env = saved;
			}
		});

		it("handles Int8 ids: lookups, numeric order, references filtered by Int", async () => {
			expect(
				await data(`{ counter(id: "12") { id n holders { id } } }`),
			).toEqual({
				counter: { id: "12", n: 120, holders: [{ id: "h1" }] },
			});
			expect(
				await data(`{ counters(orderBy: id, orderDirection: desc) { id } }`),
			).toEqual({
				counters: [{ id: "12" }, { id: "7" }],
			});
			expect(
				await data(`{ holders(where: { counter: 12 }) { id counter { n } } }`),
			).toEqual({
				holders: [{ id: "h1", counter: { n: 120 } }],
			});
		});

		it("refuses nested child filters and ordering by lists, with graph-node's messages", async () => {
			expect(
				await errors(
					`{ owners(where: { items_: { owner_: { name: "alice" } } }) { id } }`,
				),
			).toEqual([
				'Child filter nesting not supported by value `owner`: `owner_: {"name":"alice"}`',
			]);
			expect(await errors(`{ items(orderBy: tags) { id } }`)).toEqual([
				"Ordering by `tags` is not supported for type `Item`",
			]);
		});

		it("rejects bad input with clear errors", async () => {
			expect(await errors(`{ items { id nope } }`)).toEqual([
				'Cannot query field "nope" on type "Item".',
			]);
			expect(
				await errors(`{ items(where: { data: "0xabc" }) { id } }`),
			).toEqual(["Failed to decode `Bytes` value: `Odd number of digits`"]);
			expect(
				await errors(
					`{ items(where: { name: "a", or: [{ count: 1 }] }) { id } }`,
				),
			).toEqual([
				"Cannot mix column filters with 'or' operator at the same level. Found column filter(s) 'name' alongside 'or' operator.\n\nInstead of:\nwhere: { 'name', or: [...] }\n\nUse:\nwhere: { or: [{ 'name', ... }, { 'name', ... }] }",
			]);
			expect(await errors(`{ items(block: { number: 4 }) { id } }`)).toEqual([
				"Failed to decode `block.number` value: `subgraph semantics has only indexed up to block number 3 and data for block number 4 is therefore not yet available`",
			]);
		});

		it("reports indexing errors in _meta", async () => {
			expect(
				(await data(`{ _meta { hasIndexingErrors } }`))._meta.hasIndexingErrors,
			).toBe(false);
			await store.setFatalError("Mapping aborted at ~lib/x.ts", 4);
			expect(
				(await data(`{ _meta { hasIndexingErrors block { number } } }`))._meta,
			).toEqual({
				hasIndexingErrors: true,
				block: { number: 3 },
			});
			await store.revertTo(ptr(3));
		});

		describe("over HTTP", () => {
			let server: Server;
			let base: string;
			beforeAll(async () => {
				const handler = createQueryHandler({
					store,
					schema,
					name: "team/semantics",
				});
				server = createServer(handler);
				await new Promise<void>((resolve) =>
					server.listen(0, "127.0.0.1", resolve),
				);
				base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
			});
			afterAll(
				() => new Promise<void>((resolve) => server.close(() => resolve())),
			);

			it("answers POST and GET at /subgraphs/name/<name>, with CORS", async () => {
				const post = await fetch(`${base}/subgraphs/name/team/semantics`, {
					method: "POST",
					headers: { "content-type": "application/json" },
					body: JSON.stringify({
						query: "query($id: ID!) { item(id: $id) { name } }",
						variables: { id: "i2" },
					}),
				});
				expect(post.status).toBe(200);
				expect(post.headers.get("access-control-allow-origin")).toBe("*");
				expect(await post.json()).toEqual({ data: { item: { name: "B" } } });
				const get = await fetch(
					`${base}/subgraphs/name/team/semantics?query=${encodeURIComponent("{ ticks { id } }")}`,
				);
				expect(await get.json()).toEqual({
					data: { ticks: [{ id: "t1" }, { id: "t2" }] },
				});
			});

			it("answers preflights, and 404 elsewhere", async () => {
				const pre = await fetch(`${base}/subgraphs/name/team/semantics`, {
					method: "OPTIONS",
				});
				expect(pre.status).toBe(204);
				expect(pre.headers.get("access-control-allow-methods")).toContain(
					"POST",
				);
				expect(pre.headers.get("access-control-max-age")).toBe("7200");
				expect(
					(
						await fetch(`${base}/subgraphs/name/other`, {
							method: "POST",
							body: "{}",
						})
					).status,
				).toBe(404);
				const bad = await fetch(`${base}/subgraphs/name/team/semantics`, {
					method: "POST",
					body: "not json",
				});
				expect(bad.status).toBe(400);
			});
		});
	});

describe("query limits from the environment", () => {
	it("defaults to graph-node's 1000 and u32::MAX; an empty GRAPH_GRAPHQL_MAX_SKIP is the default", () => {
		expect(limitsFromEnv({})).toEqual({
			maxFirst: 1000,
			maxSkip: 4294967295,
			queryCacheBlocks: 2,
		});
		expect(limitsFromEnv({ GRAPH_GRAPHQL_MAX_SKIP: "" })).toMatchObject({
			maxFirst: 1000,
			maxSkip: 4294967295,
		});
		expect(
			limitsFromEnv({
				GRAPH_GRAPHQL_MAX_FIRST: "200",
				GRAPH_GRAPHQL_MAX_SKIP: "5000",
			}),
		).toMatchObject({ maxFirst: 200, maxSkip: 5000 });
	});

	it("refuses what graph-node's u32 parsing refuses", () => {
		for (const bad of ["-1", "4294967296", "1e3", "ten"])
			expect(() => limitsFromEnv({ GRAPH_GRAPHQL_MAX_SKIP: bad })).toThrow(
				QueryLimitsError,
			);
		expect(() => limitsFromEnv({ GRAPH_GRAPHQL_MAX_FIRST: "" })).toThrow(
			/GRAPH_GRAPHQL_MAX_FIRST="" is not an unsigned 32-bit integer/,
		);
	});
});

describe("the query cache", () => {
	it("keeps answers as graph-node's query cache does, until the store changes", async () => {
		const store = await openStore({ schema });
		await store.transactBlock(ptr(1), [
			set("Item", { id: "i1", name: "a" }),
			set("Item", { id: "i2", name: "b" }),
			set("Item", { id: "i3", name: "c" }),
		]);
			let reads = 0;
			const counted = Object.create(store) as TestStore;
			counted.read = (sql, params) => {
				reads++;
				return store.read(sql, params);
			};
			const cachedQ = createQueryEngine({ store: counted, schema, name: "cached" });
			const ask = async (query: string) => {
				const before = reads;
				const r = await cachedQ.executeQuery(query);
				return { r, reads: reads - before };
			};
			const query = `{ items(first: 2, orderBy: id) { id name } }`;
			const first = await ask(query);
			expect(first.reads).toBeGreaterThan(0);
			const again = await ask(query);
			expect(again.reads).toBe(0);
			expect(again.r).toEqual(first.r);
			// each reader gets its own copy of a kept answer
			expect(again.r).not.toBe((await ask(query)).r);
			// identical queries at the same time share one execution (graph-node's herd cache)
			const before = reads;
			const other = `{ items(first: 3, orderBy: id) { id } }`;
			const [a, b] = await Promise.all([
				cachedQ.executeQuery(other),
				cachedQ.executeQuery(other),
			]);
			expect(a).toEqual(b);
			expect(reads - before).toBe(first.reads);
			// _meta reports the runner's status, which changes without the store: never kept
			let failing = false;
			const withStatus = createQueryEngine({
				store: counted,
				schema,
				name: "status",
				status: () => ({ hasIndexingErrors: failing }),
			});
			const meta = `{ _meta { hasIndexingErrors } }`;
			expect((await withStatus.executeQuery(meta)).data).toEqual({
				_meta: { hasIndexingErrors: false },
			});
			failing = true;
			expect((await withStatus.executeQuery(meta)).data).toEqual({
				_meta: { hasIndexingErrors: true },
			});
			// errors are not kept
			await ask(`{ items(first: 0) { id } }`);
			// a new block: the next answer is read anew
			const head = (await store.head())?.number ?? 0;
			await store.transactBlock(ptr(head + 1), [set("Item", { id: "i0", name: "z" })]);
			expect((await ask(query)).reads).toBeGreaterThan(0);
			// GRAPH_QUERY_CACHE_BLOCKS=0 (or queryCache: false) turns it off
			const uncached = createQueryEngine({
				store: counted,
				schema,
				name: "uncached",
				queryCache: false,
			});
			await uncached.executeQuery(query);
			const n = reads;
			await uncached.executeQuery(query);
			expect(reads).toBeGreaterThan(n);
			expect(limitsFromEnv({ GRAPH_QUERY_CACHE_BLOCKS: "0" }).queryCacheBlocks).toBe(0);
			await store.close();
	});
});
