/**
 * How graph-node orders a fulltext search: its fulltext query fields take no orderBy or
 * orderDirection (graph/src/schema/api.rs, query_field_for_fulltext), so build_order_by sorts by
 * the match's rank and build_order_direction leaves it ascending: the most relevant match comes last.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueryEngine, type QueryEngine } from "../src/graphql/index.ts";
import { parseSchema } from "../src/schema/index.ts";
import { openStore } from "../src/store/index.ts";
import { ENGINES, ptr, type TestStore, toEntity } from "./query-fixture.ts";

const schema = parseSchema(`
type Doc @entity {
  id: ID!
  text: String!
  price: Int!
}
type _Schema_ @fulltext(name: "docSearch", language: en, algorithm: rank, include: [{ entity: "Doc", fields: [{ name: "text" }] }])
`);

const doc = (id: string, text: string, price: number) => ({
	op: "set" as const,
	entityType: "Doc",
	id,
	data: toEntity(schema, "Doc", { id, text, price }),
});

for (const engine of ENGINES)
	describe(`fulltext order on ${engine.name}`, () => {
		let store: TestStore;
		let q: QueryEngine;
		const ids = async (args: string) => {
			const r = await q.executeQuery(`{ docSearch(${args}) { id } }`);
			expect(r.errors?.map((e) => e.message)).toBeUndefined();
			return (r.data as { docSearch: { id: string }[] }).docSearch.map((d) => d.id);
		};

		beforeAll(async () => {
			store = await openStore({
				schema,
				databaseUrl: engine.databaseUrl,
				dbSchema: engine.databaseUrl ? `devnode_test_fulltext_${process.pid}` : undefined,
			});
			// "gpu" once among many words ranks lowest, alone ranks highest
			await store.transactBlock(ptr(1), [
				doc("d1", "gpu kernel tuning for large sparse matrix workloads on clusters", 30),
				doc("d2", "gpu", 10),
				doc("d3", "gpu gpu inference", 20),
				doc("d4", "cpu only", 5),
			]);
			q = createQueryEngine({ store, schema, name: "fulltext" });
		});
		afterAll(async () => {
			await store.close();
		});

		it("lists matches by ascending rank, the best last", async () => {
			const ranked = await ids(`text: "gpu"`);
			expect(ranked).toHaveLength(3);
			// "gpu" among many words ranks lowest, "gpu" alone highest
			expect(ranked[0]).toBe("d1");
			expect(ranked.at(-1)).not.toBe("d1");
		});

		it("pages a ranked list with first and skip, and sees a new block's matches", async () => {
			const ranked = await ids(`text: "gpu"`);
			expect([
				...(await ids(`text: "gpu", first: 2`)),
				...(await ids(`text: "gpu", first: 2, skip: 2`)),
			]).toEqual(ranked);
			expect(await ids(`text: "gpu", skip: 3`)).toEqual([]);
			// a page with other fields reads the same order
			const r = await q.executeQuery(`{ docSearch(text: "gpu", first: 2, skip: 1) { id price } }`);
			expect((r.data as { docSearch: { id: string }[] }).docSearch.map((d) => d.id)).toEqual(ranked.slice(1, 3));
			await store.transactBlock(ptr(2), [doc("d5", "gpu gpu gpu", 1)]);
			const again = await ids(`text: "gpu"`);
			expect(again).toHaveLength(4);
			expect(await ids(`text: "gpu", first: 1, skip: 3`)).toEqual(again.slice(3));
			expect(await ids(`text: "gpu", block: { number: 1 }`)).toEqual(ranked);
		});

		it("takes no orderBy or orderDirection, as graph-node's fulltext fields", async () => {
			for (const arg of ["orderBy: price", "orderDirection: desc"]) {
				const r = await q.executeQuery(`{ docSearch(text: "gpu", ${arg}) { id } }`);
				expect(r.errors?.[0]?.message).toMatch(/^Unknown argument "order(By|Direction)" on field "Query.docSearch"/);
			}
		});
	});
