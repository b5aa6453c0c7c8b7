/**
 * A page with `skip` (and every fulltext page) is read in two steps: the page's row versions by the
 * sort key, then the asked columns of those rows. Each such page must be exactly the matching slice of
 * the unskipped order, whatever the sort: ties on the key, nulls, child sort keys, descending, Bytes ids.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	createQueryEngine,
	type QueryEngine,
} from "../src/graphql/index.ts";
import {
	ENGINES,
	musicStore,
	type SongIdType,
	type TestStore,
} from "./query-fixture.ts";

// [collection field, arguments besides first and skip, selection]
const ORDERS: [string, string, string][] = [
	["musicians", "orderBy: name", "id name"],
	["musicians", "orderBy: name, orderDirection: desc", "id name"],
	// ties on the key fall back to id, in the key's direction
	["musicians", "orderBy: birthDate", "id"],
	["musicians", "orderBy: birthDate, orderDirection: desc", "id"],
	// a child sort key, null for musicians without a main band
	["musicians", "orderBy: mainBand__name", "id mainBand { name }"],
	[
		"musicians",
		"orderBy: mainBand__name, orderDirection: desc",
		"id mainBand { name }",
	],
	["musicians", `where: { name_not: "Lisa" }, orderBy: favoriteCount`, "id"],
	["songs", "orderBy: title, orderDirection: desc", "id title"],
	["songs", "", "id"],
	["bandReviewSearch", `text: "musicians"`, "id body"],
	["bandReviewSearch", `text: "musicians | amateurs"`, "id"],
];

for (const engine of ENGINES)
	for (const songId of ["String", "Bytes"] as SongIdType[])
		describe(`skipped pages on ${engine.name}, ${songId} song ids`, () => {
			let store: TestStore;
			let q: QueryEngine;
			const list = async (field: string, args: string, selection: string) => {
				const r = await q.executeQuery(
					`{ page: ${field}(${args}) { ${selection} } }`,
				);
				expect(r.errors).toBeUndefined();
				return (r.data as { page: unknown[] }).page;
			};

			beforeAll(async () => {
				const built = await musicStore(songId, engine.databaseUrl);
				store = built.store;
				q = createQueryEngine({
					store,
					schema: built.schema,
					name: "pages",
				});
			}, 60_000);
			afterAll(async () => {
				if (engine.databaseUrl)
					await store.read(`drop schema ${store.layout.dbSchema} cascade`);
				await store.close();
			});

			it.each(ORDERS)(
				"%s(%s) pages by skip are slices of the whole order",
				async (field, args, selection) => {
					const sep = args ? `${args}, ` : "";
					const all = await list(field, `${sep}first: 1000`, selection);
					expect(all.length).toBeGreaterThan(1);
					for (let skip = 1; skip <= all.length; skip++)
						expect(
							await list(field, `${sep}first: 2, skip: ${skip}`, selection),
						).toEqual(all.slice(skip, skip + 2));
				},
			);
		});
