/**
 * Conformance cases ported from graph-node's query tests (store/test-store/tests/graphql/query.rs),
 * run against the same data on every engine and for String and Bytes song ids.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueryEngine, type QueryEngine } from "../src/graphql/index.ts";
import {
	BIRTH,
	ENGINES,
	musicStore,
	ptr,
	type SongIdType,
	songIds,
	type TestStore,
} from "./query-fixture.ts";

for (const engine of ENGINES)
	for (const idType of ["String", "Bytes"] as SongIdType[])
		describe(`graph-node query tests on ${engine.name}, ${idType} song ids`, () => {
			let store: TestStore;
			let q: QueryEngine;
			const s = songIds(idType);
			const data = async (
				query: string,
				variables?: Record<string, unknown>,
			) => {
				const r = await q.executeQuery(query, variables);
				expect(r.errors).toBeUndefined();
				return JSON.parse(JSON.stringify(r.data));
			};
			const error = async (query: string) => {
				const r = await q.executeQuery(query);
				expect(r.data).toBeUndefined();
				return r.errors?.map((e) => e.message);
			};

			beforeAll(async () => {
				const opened = await musicStore(idType, engine.databaseUrl);
				store = opened.store;
				q = createQueryEngine({
					store,
					schema: opened.schema,
					name: "graphqlTestsQuery",
				});
			}, 60_000);
			afterAll(async () => {
				if (engine.databaseUrl)
					await store.read(`drop schema ${store.layout.dbSchema} cascade`);
				await store.close();
			});

			it("can_query_one_to_one_relationship", async () => {
				expect(
					await data(`{
            musicians(first: 100, orderBy: id) { name mainBand { name } favoriteCount birthDate }
            songStats(first: 100, orderBy: id) { id song { id title } played }
          }`),
				).toEqual({
					musicians: [
						{
							name: "John",
							mainBand: { name: "The Musicians" },
							favoriteCount: "10",
							birthDate: BIRTH,
						},
						{
							name: "Lisa",
							mainBand: { name: "The Musicians" },
							favoriteCount: "100",
							birthDate: BIRTH,
						},
						{
							name: "Tom",
							mainBand: { name: "The Amateurs" },
							favoriteCount: "5",
							birthDate: BIRTH,
						},
						{
							name: "Valerie",
							mainBand: null,
							favoriteCount: "20",
							birthDate: BIRTH,
						},
						{
							name: "Paul",
							mainBand: { name: "The Amateurs" },
							favoriteCount: "2",
							birthDate: BIRTH,
						},
					],
					songStats: [
						{ id: s[1], song: { id: s[1], title: "Cheesy Tune" }, played: 10 },
						{ id: s[2], song: { id: s[2], title: "Rock Tune" }, played: 15 },
					],
				});
			});

			it("simple_aggregation", async () => {
				expect(
					await data(
						`{ songPlays_collection(interval: hour) { id timestamp song { id } played } }`,
					),
				).toEqual({
					songPlays_collection: [
						{ id: "5", timestamp: "0", song: { id: s[1] }, played: 4 },
						{ id: "3", timestamp: "0", song: { id: s[2] }, played: 1 },
					],
				});
				expect(
					await data(
						`{ userPlays_collection(interval: hour) { id timestamp user { id } played } }`,
					),
				).toEqual({
					userPlays_collection: [
						{ id: "5", timestamp: "0", user: { id: "u1" }, played: 4 },
						{ id: "2", timestamp: "0", user: { id: "u2" }, played: 1 },
					],
				});
				expect(
					await data(
						`{ userPlays_collection(interval: hour, where: { timestamp_gt: "1000000" }) { id } }`,
					),
				).toEqual({ userPlays_collection: [] });
			});

			it("can_filter_by_timestamp", async () => {
				const names = (r: { musicians: { name: string }[] }) =>
					r.musicians.map((m) => m.name);
				expect(
					names(
						await data(
							`{ musicians(first: 100, orderBy: id, where: { birthDate_gt: "1710837304040955" }) { name } }`,
						),
					),
				).toEqual(["John", "Lisa", "Tom", "Valerie", "Paul"]);
				expect(
					names(
						await data(
							`{ musicians(first: 100, orderBy: id, where: { birthDate_lt: "1710837304040955" }) { name } }`,
						),
					),
				).toEqual([]);
			});

			it("can_query_one_to_many_relationships_in_both_directions", async () => {
				const song = (title: string, author: string) => ({
					title,
					writtenBy: { name: author },
				});
				expect(
					await data(
						`{ musicians(first: 100, orderBy: id) { name writtenSongs(first: 100, orderBy: id) { title writtenBy { name } } } }`,
					),
				).toEqual({
					musicians: [
						{
							name: "John",
							writtenSongs: [
								song("Cheesy Tune", "John"),
								song("Pop Tune", "John"),
							],
						},
						{ name: "Lisa", writtenSongs: [song("Rock Tune", "Lisa")] },
						{ name: "Tom", writtenSongs: [song("Folk Tune", "Tom")] },
						{ name: "Valerie", writtenSongs: [] },
						{ name: "Paul", writtenSongs: [] },
					],
				});
			});

			it("can_query_many_to_many_relationship", async () => {
				const members = (names: string[]) => names.map((name) => ({ name }));
				const musicians = {
					name: "The Musicians",
					members: members(["John", "Lisa", "Tom"]),
				};
				const amateurs = {
					name: "The Amateurs",
					members: members(["John", "Tom", "Paul"]),
				};
				expect(
					await data(
						`{ musicians(first: 100, orderBy: id) { name bands(first: 100, orderBy: id) { name members(first: 100, orderBy: id) { name } } } }`,
					),
				).toEqual({
					musicians: [
						{ name: "John", bands: [musicians, amateurs] },
						{ name: "Lisa", bands: [musicians] },
						{ name: "Tom", bands: [musicians, amateurs] },
						{ name: "Valerie", bands: [] },
						{ name: "Paul", bands: [amateurs] },
					],
				});
			});

			it("can_query_with_fulltext_search", async () => {
				expect(
					await data(
						`{ bandReviewSearch(text: "musicians") { id body author { name } } }`,
					),
				).toEqual({
					bandReviewSearch: [
						{ id: "r1", body: "Bad musicians", author: { name: "Baden" } },
						{
							id: "r5",
							body: "Very Bad musicians",
							author: { name: "Anonymous 3" },
						},
					],
				});
			});

			it("can_query_with_fulltext_search_filter", async () => {
				expect(
					await data(
						`{ bandReviewSearch(text: "musicians", where: { author_: { name: "Anonymous 3" } }) { id body author { name } } }`,
					),
				).toEqual({
					bandReviewSearch: [
						{
							id: "r5",
							body: "Very Bad musicians",
							author: { name: "Anonymous 3" },
						},
					],
				});
			});

			// [graph-node test name, query, expected data]
			const cases: Array<[string, string, unknown]> = [
				[
					"can_query_with_sorting_by_child_entity",
					`{ desc: musicians(first: 100, orderBy: mainBand__name, orderDirection: desc) { name mainBand { name } }
             asc: musicians(first: 100, orderBy: mainBand__name, orderDirection: asc) { name mainBand { name } } }`,
					{
						desc: [
							{ name: "Valerie", mainBand: null },
							{ name: "Lisa", mainBand: { name: "The Musicians" } },
							{ name: "John", mainBand: { name: "The Musicians" } },
							{ name: "Paul", mainBand: { name: "The Amateurs" } },
							{ name: "Tom", mainBand: { name: "The Amateurs" } },
						],
						asc: [
							{ name: "Tom", mainBand: { name: "The Amateurs" } },
							{ name: "Paul", mainBand: { name: "The Amateurs" } },
							{ name: "John", mainBand: { name: "The Musicians" } },
							{ name: "Lisa", mainBand: { name: "The Musicians" } },
							{ name: "Valerie", mainBand: null },
						],
					},
				],
				[
					"can_query_with_sorting_by_derived_child_entity",
					`{ desc: songStats(first: 100, orderBy: song__title, orderDirection: desc) { id played }
             asc: songStats(first: 100, orderBy: song__title, orderDirection: asc) { id played } }`,
					{
						desc: [
							{ id: s[2], played: 15 },
							{ id: s[1], played: 10 },
						],
						asc: [
							{ id: s[1], played: 10 },
							{ id: s[2], played: 15 },
						],
					},
				],
				[
					"can_query_with_sorting_by_child_entity_id",
					`{ desc: bandReviews(first: 100, orderBy: author__id, orderDirection: desc) { body author { name } }
             asc: bandReviews(first: 100, orderBy: author__id, orderDirection: asc) { body author { name } } }`,
					{
						desc: [
							{ body: "Very Bad musicians", author: { name: "Anonymous 3" } },
							{ body: "Good amateurs", author: { name: "Goodwill" } },
							{ body: "Bad musicians", author: { name: "Baden" } },
						],
						asc: [
							{ body: "Bad musicians", author: { name: "Baden" } },
							{ body: "Good amateurs", author: { name: "Goodwill" } },
							{ body: "Very Bad musicians", author: { name: "Anonymous 3" } },
						],
					},
				],
				[
					"can_query_with_sorting_by_derived_child_entity_id",
					`{ desc: songStats(first: 100, orderBy: song__id, orderDirection: desc) { id song { id title } }
             asc: songStats(first: 100, orderBy: song__id, orderDirection: asc) { id } }`,
					{
						desc: [
							{ id: s[2], song: { id: s[2], title: "Rock Tune" } },
							{ id: s[1], song: { id: s[1], title: "Cheesy Tune" } },
						],
						asc: [{ id: s[1] }, { id: s[2] }],
					},
				],
				[
					"can_query_with_sorting_by_child_interface",
					`{ desc: songReviews(first: 100, orderBy: author__name, orderDirection: desc) { body author { name } }
             asc: songReviews(first: 100, orderBy: author__name, orderDirection: asc) { body } }`,
					{
						desc: [
							{ body: "Good", author: { name: "Goodwill" } },
							{ body: "Bad", author: { name: "Baden" } },
							{ body: "Very Bad", author: { name: "Anonymous 3" } },
						],
						asc: [{ body: "Very Bad" }, { body: "Bad" }, { body: "Good" }],
					},
				],
				[
					"can_query_interface_with_sorting_by_child_entity",
					`{ desc: medias(first: 100, orderBy: author__name, orderDirection: desc) { title }
             asc: medias(first: 100, orderBy: author__name, orderDirection: asc) { title } }`,
					{
						desc: [
							"Folk Tune Music Video",
							"Rock Tune Music Video",
							"Cheesy Tune Music Video",
							"Pop Tune Single Cover",
							"Rock Tune Single Cover",
							"Cheesy Tune Single Cover",
						].map((title) => ({ title })),
						asc: [
							"Cheesy Tune Single Cover",
							"Rock Tune Single Cover",
							"Pop Tune Single Cover",
							"Cheesy Tune Music Video",
							"Rock Tune Music Video",
							"Folk Tune Music Video",
						].map((title) => ({ title })),
					},
				],
				[
					"can_query_interface_with_sorting_by_derived_child_entity",
					`{ desc: medias(first: 100, orderBy: song__title, orderDirection: desc) { title song { title } }
             asc: medias(first: 100, orderBy: song__title, orderDirection: asc) { title } }`,
					{
						desc: [
							{ title: "Rock Tune Music Video", song: { title: "Rock Tune" } },
							{ title: "Rock Tune Single Cover", song: { title: "Rock Tune" } },
							{ title: "Pop Tune Single Cover", song: { title: "Pop Tune" } },
							{ title: "Folk Tune Music Video", song: { title: "Folk Tune" } },
							{
								title: "Cheesy Tune Music Video",
								song: { title: "Cheesy Tune" },
							},
							{
								title: "Cheesy Tune Single Cover",
								song: { title: "Cheesy Tune" },
							},
						],
						asc: [
							"Cheesy Tune Single Cover",
							"Cheesy Tune Music Video",
							"Folk Tune Music Video",
							"Pop Tune Single Cover",
							"Rock Tune Single Cover",
							"Rock Tune Music Video",
						].map((title) => ({ title })),
					},
				],
				[
					"can_query_with_child_filter_on_list_type_field",
					`{ musicians(first: 100, orderBy: id, where: { bands_: { name: "The Amateurs" } }) { name bands(first: 100, orderBy: id) { name } } }`,
					{
						musicians: [
							{
								name: "John",
								bands: [{ name: "The Musicians" }, { name: "The Amateurs" }],
							},
							{
								name: "Tom",
								bands: [{ name: "The Musicians" }, { name: "The Amateurs" }],
							},
							{ name: "Paul", bands: [{ name: "The Amateurs" }] },
						],
					},
				],
				[
					"can_query_with_child_filter_on_derived_list_type_field",
					`{ musicians(first: 100, orderBy: id, where: { writtenSongs_: { title_contains: "Rock" } }) { name } }`,
					{ musicians: [{ name: "Lisa" }] },
				],
				[
					"can_query_with_child_filter_on_named_type_field",
					`{ musicians(first: 100, orderBy: id, where: { mainBand_: { name_contains: "The Amateurs" } }) { name mainBand { id } } }`,
					{
						musicians: [
							{ name: "Tom", mainBand: { id: "b2" } },
							{ name: "Paul", mainBand: { id: "b2" } },
						],
					},
				],
				[
					"can_query_with_child_filter_on_derived_named_type_field",
					`{ songs(first: 100, orderBy: id, where: { band_: { name_contains: "The Musicians" } }) { title } }`,
					{ songs: [{ title: "Cheesy Tune" }, { title: "Rock Tune" }] },
				],
				[
					"can_query_an_interface_with_child_filter_on_named_type_field",
					`{ reviews(first: 100, orderBy: id, where: { author_: { name_starts_with: "Good" } }) { body author { name } } }`,
					{
						reviews: [
							{ body: "Good amateurs", author: { name: "Goodwill" } },
							{ body: "Good", author: { name: "Goodwill" } },
						],
					},
				],
				[
					"can_query_with_child_filter_on_derived_interface_list_field",
					`{ users(first: 100, orderBy: id, where: { reviews_: { body_starts_with: "Good" } }) { name reviews { body } } }`,
					{
						users: [
							{
								name: "Goodwill",
								reviews: [{ body: "Good amateurs" }, { body: "Good" }],
							},
						],
					},
				],
				[
					"can_query_entity_by_child_entity_field",
					`{ users(first: 100, orderBy: id, where: { latestSongReview_: { body_starts_with: "Good" } }) { name latestSongReview { body } } }`,
					{ users: [{ name: "Goodwill", latestSongReview: { body: "Good" } }] },
				],
				[
					"can_query_entity_by_child_interface_field",
					`{ users(first: 100, orderBy: id, where: { latestReview_: { body_starts_with: "Good" } }) { name latestReview { body } } }`,
					{
						users: [
							{ name: "Goodwill", latestReview: { body: "Good amateurs" } },
						],
					},
				],
				[
					"can_query_entity_by_child_interface_derived_field",
					`{ songs(first: 100, orderBy: id, where: { release_: { title_starts_with: "Pop" } }) { title release { title } } }`,
					{
						songs: [
							{ title: "Pop Tune", release: { title: "Pop and Folk" } },
							{ title: "Folk Tune", release: { title: "Pop and Folk" } },
						],
					},
				],
				[
					"can_query_interface_by_child_entity_derived_field",
					`{ medias(first: 100, orderBy: id, where: { song_: { title_starts_with: "Folk" } }) { title song { title } } }`,
					{
						medias: [
							{ title: "Folk Tune Music Video", song: { title: "Folk Tune" } },
						],
					},
				],
				[
					"can_query_entity_by_child_interface_list_field",
					`{ songs(first: 100, orderBy: id, where: { media_: { title_starts_with: "Cheesy Tune" } }) { title media { title } } }`,
					{
						songs: [
							{
								title: "Cheesy Tune",
								media: [
									{ title: "Cheesy Tune Single Cover" },
									{ title: "Cheesy Tune Music Video" },
								],
							},
						],
					},
				],
				[
					"can_query_entity_by_child_interface_list_derived_field",
					`{ songs(first: 100, orderBy: id, where: { reviews_: { body_starts_with: "Good" } }) { title reviews { body } } }`,
					{ songs: [{ title: "Pop Tune", reviews: [{ body: "Good" }] }] },
				],
				[
					"root_fragments_are_expanded",
					`fragment Musicians on Query { musicians(first: 100, where: { name: "Tom" }) { name } } query MyQuery { ...Musicians }`,
					{ musicians: [{ name: "Tom" }] },
				],
				[
					"mixed_parent_child_id",
					`{ songs(first: 2) { publisher { id } writtenBy { id } } }`,
					{
						songs: [
							{ publisher: { id: "0xb1" }, writtenBy: { id: "m1" } },
							{ publisher: { id: "0xb1" }, writtenBy: { id: "m2" } },
						],
					},
				],
				[
					"skip_is_nullable / first_is_nullable",
					`{ a: musicians(orderBy: id, skip: null) { name } b: musicians(first: null, orderBy: id) { name } }`,
					{
						a: ["John", "Lisa", "Tom", "Valerie", "Paul"].map((name) => ({
							name,
						})),
						b: ["John", "Lisa", "Tom", "Valerie", "Paul"].map((name) => ({
							name,
						})),
					},
				],
				[
					"can_filter_by_relationship_fields",
					`{ musicians(orderBy: id, where: { mainBand: "b2" }) { id name mainBand { id } }
             bands(orderBy: id, where: { originalSongs: ["${s[1]}", "${s[3]}", "${s[4]}"] }) { id name originalSongs { id } } }`,
					{
						musicians: [
							{ id: "m3", name: "Tom", mainBand: { id: "b2" } },
							{ id: "m5", name: "Paul", mainBand: { id: "b2" } },
						],
						bands: [
							{
								id: "b2",
								name: "The Amateurs",
								originalSongs: [{ id: s[1] }, { id: s[3] }, { id: s[4] }],
							},
						],
					},
				],
				[
					"can_use_nested_filter",
					`{ musicians(orderBy: id) { name bands(where: { originalSongs: ["${s[1]}", "${s[3]}", "${s[4]}"] }) { id } } }`,
					{
						musicians: [
							{ name: "John", bands: [{ id: "b2" }] },
							{ name: "Lisa", bands: [] },
							{ name: "Tom", bands: [{ id: "b2" }] },
							{ name: "Valerie", bands: [] },
							{ name: "Paul", bands: [{ id: "b2" }] },
						],
					},
				],
				["can_query_root_typename", `{ __typename }`, { __typename: "Query" }],
				[
					"can_query_with_or_filter",
					`{ musicians(where: { or: [{ name: "John" }, { id: "m2" }] }) { name id } }`,
					{
						musicians: [
							{ name: "John", id: "m1" },
							{ name: "Lisa", id: "m2" },
						],
					},
				],
				[
					"can_query_with_or_filter_fields_always_and",
					`{ musicians(where: { or: [{ name: "John", id: "m2" }] }) { name id } }`,
					{ musicians: [] },
				],
				[
					"can_query_with_and_filter",
					`{ musicians(where: { and: [{ name: "John", id: "m2" }] }) { name id } }`,
					{ musicians: [] },
				],
				[
					"can_query_with_or_and_filter",
					`{ musicians(where: { or: [{ name: "John", id: "m1" }, { mainBand: "b2" }] }) { name id } }`,
					{
						musicians: [
							{ name: "John", id: "m1" },
							{ name: "Tom", id: "m3" },
							{ name: "Paul", id: "m5" },
						],
					},
				],
				[
					"can_query_with_or_explicit_and_filter",
					`{ musicians(where: { or: [{ and: [{ name: "John", id: "m1" }] }, { mainBand: "b2" }] }) { name id } }`,
					{
						musicians: [
							{ name: "John", id: "m1" },
							{ name: "Tom", id: "m3" },
							{ name: "Paul", id: "m5" },
						],
					},
				],
				[
					"can_query_array_contains_nocase",
					`{ musicians(where: { bands_contains_nocase: ["B1", "B2"] }) { name bands { id } } }`,
					{
						musicians: [
							{ name: "John", bands: [{ id: "b1" }, { id: "b2" }] },
							{ name: "Lisa", bands: [{ id: "b1" }] },
							{ name: "Tom", bands: [{ id: "b1" }, { id: "b2" }] },
							{ name: "Paul", bands: [{ id: "b2" }] },
						],
					},
				],
				[
					"can_query_with_or_implicit_and_filter",
					`{ musicians(where: { or: [{ name: "John", id: "m1" }, { name: "Lisa", id: "m2" }] }) { name id } }`,
					{
						musicians: [
							{ name: "John", id: "m1" },
							{ name: "Lisa", id: "m2" },
						],
					},
				],
				[
					"can_compare_id",
					`{ gt: songs(where: { id_gt: "${s[2]}" }) { sid } gte: songs(where: { id_gte: "${s[2]}" }) { sid }
             lt: songs(where: { id_lt: "${s[2]}" }) { sid } lte: songs(where: { id_lte: "${s[2]}" }) { sid }
             not: songs(where: { id_not: "${s[2]}" }) { sid } }`,
					{
						gt: [{ sid: "s3" }, { sid: "s4" }],
						gte: [{ sid: "s2" }, { sid: "s3" }, { sid: "s4" }],
						lt: [{ sid: "s1" }],
						lte: [{ sid: "s1" }, { sid: "s2" }],
						not: [{ sid: "s1" }, { sid: "s3" }, { sid: "s4" }],
					},
				],
				[
					"empty_type_c",
					`{ single(id: "rl4") { songs { id } } }`,
					{ single: { songs: [] } },
				],
			];
			for (const [name, query, expected] of cases)
				it(name, async () => expect(await data(query)).toEqual(expected));

			it("query_variables_are_used / nested_variable / variable_defaults", async () => {
				expect(
					await data(
						`query musicians($where: Musician_filter!) { musicians(first: 100, where: $where) { name } }`,
						{
							where: { name: "Tom" },
						},
					),
				).toEqual({ musicians: [{ name: "Tom" }] });
				expect(
					await data(
						`query musicians($name: String) { musicians(first: 100, where: { name: $name }) { name } }`,
						{ name: "Lisa" },
					),
				).toEqual({ musicians: [{ name: "Lisa" }] });
				const q = `query musicians($orderDir: OrderDirection = desc) { bands(first: 2, orderBy: id, orderDirection: $orderDir) { id } }`;
				expect(await data(q, {})).toEqual({
					bands: [{ id: "b2" }, { id: "b1" }],
				});
				expect(await data(q, { orderDir: null })).toEqual({
					bands: [{ id: "b1" }, { id: "b2" }],
				});
			});

			it("ambiguous_derived_from_result", async () => {
				expect(
					await error(`{ songs(first: 100, orderBy: id) { id band { id } } }`),
				).toEqual([
					"Ambiguous result for derived field `band`: Multiple `Band` entities refer back via `originalSongs`",
				]);
			});

			it("cannot_filter_by_derved_relationship_fields / ignores_invalid_field_arguments (with validation)", async () => {
				expect(
					await error(
						`{ musicians(orderBy: id, where: { writtenSongs: ["${s[1]}"] }) { id } }`,
					),
				).toEqual([
					'Field "writtenSongs" is not defined by type "Musician_filter".',
				]);
				expect(await error(`{ musicians(id: "m1") { id } }`)).toEqual([
					'Unknown argument "id" on field "Query.musicians".',
				]);
			});

			it("query_at_block / query_at_block_with_vars", async () => {
				const ids = async (
					block: string,
					variables?: Record<string, unknown>,
				) => {
					const r = await q.executeQuery(
						`query q${block.startsWith("$") ? "($b: Block_height!)" : ""} { musicians(block: ${block}) { id } }`,
						variables,
					);
					return r.errors
						? r.errors.map((e) => e.message)
						: (r.data as { musicians: { id: string }[] }).musicians.map(
								(m) => m.id,
							);
				};
				const all = ["m1", "m2", "m3", "m4", "m5"];
				const notIndexed = (n: number, arg = "block.number") =>
					`Failed to decode \`${arg}\` value: \`subgraph graphqlTestsQuery has only indexed up to block number 2 and data for block number ${n} is therefore not yet available\``;
				expect(await ids("{ number: 7000 }")).toEqual([notIndexed(7000)]);
				expect(await ids("{ number: 0 }")).toEqual(["m1", "m2"]);
				expect(await ids("{ number: 1 }")).toEqual(all);
				expect(await ids("$b", { b: { number: 0 } })).toEqual(["m1", "m2"]);
				expect(await ids("{ number_gte: 7000 }")).toEqual([
					notIndexed(7000, "block.number_gte"),
				]);
				expect(await ids("{ number_gte: 0 }")).toEqual(all);
				expect(await ids(`{ hash: "${ptr(0).hash}" }`)).toEqual(["m1", "m2"]);
				expect(await ids(`{ hash: "${ptr(1).hash.slice(2)}" }`)).toEqual(all);
				expect(await ids(`{ hash: "${ptr(4).hash}" }`)).toEqual([
					"Failed to decode `block.hash` value: `no block with that hash found`",
				]);
			});

			it("can_query_meta", async () => {
				expect(
					await data(
						`{ _meta { deployment hasIndexingErrors block { hash number timestamp __typename } __typename } }`,
					),
				).toEqual({
					_meta: {
						deployment: "graphqlTestsQuery",
						hasIndexingErrors: false,
						block: {
							hash: ptr(2).hash,
							number: 2,
							timestamp: ptr(2).timestamp,
							__typename: "_Block_",
						},
						__typename: "_Meta_",
					},
				});
				// a block given by number has no hash, as in graph-node
				expect(
					await data(
						`{ _meta(block: { number: 0 }) { block { hash number } } }`,
					),
				).toEqual({
					_meta: { block: { hash: null, number: 0 } },
				});
				expect(
					await data(
						`{ _meta(block: { hash: "${ptr(0).hash.slice(2)}" }) { block { hash number } } }`,
					),
				).toEqual({
					_meta: { block: { hash: ptr(0).hash, number: 0 } },
				});
				expect(
					await error(`{ _meta(block: { number: 3 }) { block { number } } }`),
				).toHaveLength(1);
				expect(
					await data(
						`{ _meta(block: { number_gte: 1 }) { block { hash number } } }`,
					),
				).toEqual({
					_meta: { block: { hash: ptr(2).hash, number: 2 } },
				});
			});
		});
