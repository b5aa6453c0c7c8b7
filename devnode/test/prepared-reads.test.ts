/**
 * GraphQL reads run as prepared statements kept per SQL text (on PGlite, bound and executed in one call
 * into the engine): repeated shapes must answer with their own parameters, failures must leave nothing
 * broken behind, the statements kept are bounded, and a read never sees a block being written.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueryEngine } from "../src/graphql/index.ts";
import { parseSchema } from "../src/schema/index.ts";
import { type Db, openPglite } from "../src/store/db.ts";
import { openStore } from "../src/store/index.ts";
import type { BlockPtr, Entity, Value } from "../src/store/types.ts";
import { ENGINES } from "./query-fixture.ts";

const schema = parseSchema(`
type _Schema_
  @fulltext(
    name: "noteSearch"
    language: en
    algorithm: rank
    include: [{ entity: "Note", fields: [{ name: "text" }] }]
  )
type Note @entity {
  id: ID!
  text: String!
  rank: Int!
}
`);

const ptr = (number: number): BlockPtr => ({
	number,
	hash: `0x${number.toString(16).padStart(64, "0")}`,
	timestamp: 1_700_000_000 + number,
});
const note = (id: string, text: string, rank: number): Entity =>
	new Map<string, Value>([
		["id", { kind: "String", value: id }],
		["text", { kind: "String", value: text }],
		["rank", { kind: "Int", value: rank }],
	]);

for (const engine of ENGINES)
	describe(`prepared reads on ${engine.name}`, () => {
		let store: Awaited<ReturnType<typeof openStore>>;
		let engineQ: ReturnType<typeof createQueryEngine>;

		beforeAll(async () => {
			store = await openStore({
				schema,
				databaseUrl: engine.databaseUrl,
				dbSchema: engine.databaseUrl
					? `devnode_test_prepared_${process.pid}`
					: undefined,
			});
			await store.transactBlock(
				ptr(1),
				[
					note("n1", "red apples and pears", 3),
					note("n2", "green apples", 1),
					note("n3", "red wine", 2),
				].map((data) => ({
					op: "set" as const,
					entityType: "Note",
					id: (data.get("id") as { value: string }).value,
					data,
				})),
			);
			engineQ = createQueryEngine({ store, schema, name: "prepared" });
		}, 60_000);
		afterAll(async () => {
			if (engine.databaseUrl)
				await store.read(`drop schema ${store.layout.dbSchema} cascade`);
			await store.close();
		});

		it("answers a repeated query shape with each call's own parameters", async () => {
			const query = `query($min: Int!) { notes(where: { rank_gte: $min }, orderBy: rank, orderDirection: desc) { id } }`;
			for (const [min, ids] of [
				[1, ["n1", "n3", "n2"]],
				[2, ["n1", "n3"]],
				[3, ["n1"]],
				[4, []],
				[2, ["n1", "n3"]],
			] as const) {
				const r = await engineQ.executeQuery(query, { min });
				expect(r).toEqual({ data: { notes: ids.map((id) => ({ id })) } });
			}
		});

		it("keeps a statement usable after one of its executions failed", async () => {
			const query = `query($text: String!) { noteSearch(text: $text) { id } }`;
			const bad = await engineQ.executeQuery(query, { text: "red &" });
			expect(bad.errors?.[0]?.message).toMatch(
				/^Invalid fulltext search query syntax\. Error: .*tsquery: "red &"/,
			);
			const good = await engineQ.executeQuery(query, { text: "red" });
			const found = (good.data?.noteSearch ?? []) as { id: string }[];
			expect(found.map((n) => n.id).sort()).toEqual(["n1", "n3"]);
			await expect(store.read("select nothing from nowhere")).rejects.toThrow(
				/relation "nowhere" does not exist/,
			);
			await expect(store.read("select nothing from nowhere")).rejects.toThrow(
				/relation "nowhere" does not exist/,
			);
			expect(await store.read("select 'still' as answer")).toEqual([
				{ answer: "still" },
			]);
		});
	});

describe("prepared statements on PGlite", () => {
	let db: Db;
	beforeAll(async () => {
		db = await openPglite();
		await db.exec("create table t (n int4)");
	}, 60_000);
	afterAll(() => db.close());

	it("keeps at most 256 statements, closing the least recently used", async () => {
		for (let i = 0; i < 300; i++)
			expect(await db.prepared(`select ${i}::text as n`)).toEqual([
				{ n: String(i) },
			]);
		const [{ count }] = await db.query(
			"select count(*)::text as count from pg_prepared_statements",
		);
		expect(Number(count)).toBe(256);
		// the newest are kept; an evicted text is prepared anew
		expect(await db.prepared("select 0::text as n")).toEqual([{ n: "0" }]);
	});

	it("plans a prepared read for each call's parameters, never generically", async () => {
		const sql = "select count(*)::text as count from t where n >= $1::int4";
		for (let i = 0; i < 10; i++)
			expect(await db.prepared(sql, [String(i)])).toEqual([{ count: "0" }]);
		expect(
			await db.query(
				"select generic_plans::text, custom_plans::text from pg_prepared_statements where statement = $1",
				[sql],
			),
		).toEqual([{ generic_plans: "0", custom_plans: "10" }]);
	});

	it("never reads inside another caller's open transaction", async () => {
		let inserted!: () => void;
		const insertedPromise = new Promise<void>((r) => {
			inserted = r;
		});
		const tx = db.transaction(async (q) => {
			await q.exec("insert into t values (1)");
			inserted();
			await new Promise((r) => setTimeout(r, 50));
			throw new Error("rolled back");
		});
		await insertedPromise;
		const read = db.prepared("select count(*)::text as count from t");
		await expect(tx).rejects.toThrow("rolled back");
		expect(await read).toEqual([{ count: "0" }]);
	});
});
