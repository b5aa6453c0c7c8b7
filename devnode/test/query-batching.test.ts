/**
 * Nested collections (derived fields and reference lists) are loaded for all parent rows of a level in
 * one SQL query; each parent must still get exactly the page it gets when asked alone, with its own
 * `first`, `skip`, `orderBy`, `orderDirection` and `where`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	createQueryEngine,
	type QueryEngine,
} from "../src/graphql/index.ts";
import { queryFieldNames } from "../src/schema/index.ts";
import {
	ENGINES,
	musicStore,
	type SongIdType,
	type TestStore,
} from "./query-fixture.ts";

// [parent type, selection of nested collections under it]
const CASES: [string, string][] = [
	// derived from a single reference
	["Musician", "writtenSongs { id title }"],
	[
		"Musician",
		"writtenSongs(first: 1, orderBy: title, orderDirection: desc) { id title }",
	],
	["Musician", `writtenSongs(skip: 1, where: { title_not: "Rock Tune" }) { id }`],
	// derived from a list of references
	["Band", "members(orderBy: name, orderDirection: desc) { id name }"],
	["Band", "members(first: 1, skip: 1, orderBy: name) { id }"],
	// derived to interface implementers, paged over their union
	["User", "reviews(orderBy: body, first: 2) { id body }"],
	["User", "medias(orderBy: title, orderDirection: desc, skip: 1) { id title }"],
	// reference lists stored in the parent row, to entities and to an interface
	["Musician", "bands(orderBy: name, orderDirection: desc) { id name }"],
	["Musician", `bands(where: { name_not: "The Musicians" }) { id }`],
	["Band", "originalSongs(first: 1, orderBy: title) { id title }"],
	["Song", "media(orderBy: title) { id title }"],
	// single derived fields, and a nested collection two levels down
	["Song", "release { id title }"],
	[
		"Band",
		"members(orderBy: name) { id writtenSongs(orderBy: title, first: 1) { id reviews { id body } } }",
	],
];

for (const engine of ENGINES)
	for (const songId of ["String", "Bytes"] as SongIdType[])
		describe(`nested collections on ${engine.name}, ${songId} song ids`, () => {
			let store: TestStore;
			let q: QueryEngine;
			let statements = 0;
			const data = async (query: string) => {
				const r = await q.executeQuery(query);
				expect(r.errors).toBeUndefined();
				return JSON.parse(JSON.stringify(r.data));
			};

			beforeAll(async () => {
				const built = await musicStore(songId, engine.databaseUrl);
				store = built.store;
				const read = store.read.bind(store);
				const counted = Object.create(store) as TestStore;
				counted.read = (sql, params) => {
					statements++;
					return read(sql, params);
				};
				// counts the SQL of every query, so the query cache is off
				q = createQueryEngine({
					store: counted,
					schema: built.schema,
					name: "test",
					queryCache: false,
				});
			});
			afterAll(() => store?.close());

			for (const [type, selection] of CASES)
				it(`${type} { ${selection} } answers each parent as when asked alone`, async () => {
					const { single, plural } = queryFieldNames(type);
					const all = (await data(`{ ${plural}(orderBy: id) { id ${selection} } }`))[
						plural
					] as { id: string }[];
					expect(all.length).toBeGreaterThan(1);
					for (const row of all) {
						const alone = await data(
							`{ ${single}(id: "${row.id}") { id ${selection} } }`,
						);
						expect(row).toEqual(alone[single]);
					}
				});

			it("pages each parent's children in its own order, with its own skip", async () => {
				expect(
					await data(
						`{ bands(orderBy: id) { id members(orderBy: name, orderDirection: desc, skip: 1) { name } } }`,
					),
				).toEqual({
					bands: [
						{ id: "b1", members: [{ name: "Lisa" }, { name: "John" }] },
						{ id: "b2", members: [{ name: "Paul" }, { name: "John" }] },
					],
				});
			});

			it("reads one SQL statement per nested field and level, whatever the number of parents", async () => {
				statements = 0;
				const r = await data(
					"{ musicians { id mainBand { id } writtenSongs { id reviews { id } } bands { id members { id } } } }",
				);
				expect(r.musicians.length).toBeGreaterThan(2);
				// musicians, mainBand, writtenSongs, their reviews (two implementers: picks, then each
				// type's rows), bands, their members
				expect(statements).toBeLessThanOrEqual(8);
				statements = 0;
				await data("{ musicians(first: 1) { id mainBand { id } writtenSongs { id reviews { id } } bands { id members { id } } } }");
				const one = statements;
				statements = 0;
				await data("{ musicians { id mainBand { id } writtenSongs { id reviews { id } } bands { id members { id } } } }");
				expect(statements).toBe(one);
			});

			it("fails a single derived field matching several entities, once, at that parent", async () => {
				// the first song is in both bands' originalSongs, the others in one each
				const r = await q.executeQuery("{ songs { id band { id } } }");
				expect(r.errors?.map((e) => e.message)).toEqual([
					"Ambiguous result for derived field `band`: Multiple `Band` entities refer back via `originalSongs`",
				]);
				expect(r.errors?.[0].path).toEqual(["songs", expect.any(Number), "band"]);
				// graph-node answers a failed query without data
				expect(r.data).toBeUndefined();
			});

			it("reads the fields asked through fragments and aliases, and the same type differently in two places", async () => {
				const r = await data(`{
					musicians(where: { id: "m1" }) { ...M n: name }
					bands(where: { id: "b1" }) { id }
				}
				fragment M on Musician { mainBand { ... on Band { name } } a: bands(orderBy: id) { id } b: bands(orderBy: id) { name } }`);
				expect(r).toEqual({
					musicians: [
						{
							mainBand: { name: "The Musicians" },
							a: [{ id: "b1" }, { id: "b2" }],
							b: [{ name: "The Musicians" }, { name: "The Amateurs" }],
							n: "John",
						},
					],
					bands: [{ id: "b1" }],
				});
			});

			it("refuses a nested first out of range with graph-node's message, for every parent", async () => {
				const r = await q.executeQuery(
					"{ musicians { id writtenSongs(first: 1001) { id } } }",
				);
				expect(new Set(r.errors?.map((e) => e.message))).toEqual(
					new Set([
						"The `first` argument must be between 0 and 1000, but is 1001",
					]),
				);
			});
		});
