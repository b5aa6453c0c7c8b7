/**
 * Conformance cases ported from graph-node's query tests (store/test-store/tests/graphql/query.rs),
 * run against the same data on every engine and for String and Bytes song ids.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueryEngine, type QueryEngine } from "../src/graphql/index.ts";
import { BIRTH, ENGINES, musicStore, type SongIdType, songIds, type TestStore } from "./query-fixture.ts";

for (const engine of ENGINES)
  for (const idType of ["String", "Bytes"] as SongIdType[])
    describe(`graph-node query tests on ${engine.name}, ${idType} song ids`, () => {
      let store: TestStore;
      let q: QueryEngine;
      const s = songIds(idType);
      const data = async (query: string, variables?: Record<string, unknown>) => {
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
        q = createQueryEngine({ store, schema: opened.schema, name: "graphqlTestsQuery" });
      }, 60_000);
      afterAll(async () => {
        if (engine.databaseUrl) await store.read(`drop schema ${store.layout.dbSchema} cascade`);
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
            { name: "John", mainBand: { name: "The Musicians" }, favoriteCount: "10", birthDate: BIRTH },
            { name: "Lisa", mainBand: { name: "The Musicians" }, favoriteCount: "100", birthDate: BIRTH },
            { name: "Tom", mainBand: { name: "The Amateurs" }, favoriteCount: "5", birthDate: BIRTH },
            { name: "Valerie", mainBand: null, favoriteCount: "20", birthDate: BIRTH },
            { name: "Paul", mainBand: { name: "The Amateurs" }, favoriteCount: "2", birthDate: BIRTH },
          ],
          songStats: [
            { id: s[1], song: { id: s[1], title: "Cheesy Tune" }, played: 10 },
            { id: s[2], song: { id: s[2], title: "Rock Tune" }, played: 15 },
          ],
        });
      });

      it("can_filter_by_timestamp", async () => {
        const names = (r: { musicians: { name: string }[] }) => r.musicians.map((m) => m.name);
        expect(names(await data(`{ musicians(first: 100, orderBy: id, where: { birthDate_gt: "1710837304040955" }) { name } }`))).toEqual(
          ["John", "Lisa", "Tom", "Valerie", "Paul"],
        );
        expect(names(await data(`{ musicians(first: 100, orderBy: id, where: { birthDate_lt: "1710837304040955" }) { name } }`))).toEqual([]);
      });

      it("can_query_one_to_many_relationships_in_both_directions", async () => {
        const song = (title: string, author: string) => ({ title, writtenBy: { name: author } });
        expect(
          await data(`{ musicians(first: 100, orderBy: id) { name writtenSongs(first: 100, orderBy: id) { title writtenBy { name } } } }`),
        ).toEqual({
          musicians: [
            { name: "John", writtenSongs: [song("Cheesy Tune", "John"), song("Pop Tune", "John")] },
            { name: "Lisa", writtenSongs: [song("Rock Tune", "Lisa")] },
            { name: "Tom", writtenSongs: [song("Folk Tune", "Tom")] },
            { name: "Valerie", writtenSongs: [] },
            { name: "Paul", writtenSongs: [] },
          ],
        });
      });

      it("can_query_many_to_many_relationship", async () => {
        const members = (names: string[]) => names.map((name) => ({ name }));
        const musicians = { name: "The Musicians", members: members(["John", "Lisa", "Tom"]) };
        const amateurs = { name: "The Amateurs", members: members(["John", "Tom", "Paul"]) };
        expect(
          await data(`{ musicians(first: 100, orderBy: id) { name bands(first: 100, orderBy: id) { name members(first: 100, orderBy: id) { name } } } }`),
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
        expect(await data(`{ bandReviewSearch(text: "musicians") { id body author { name } } }`)).toEqual({
          bandReviewSearch: [
            { id: "r1", body: "Bad musicians", author: { name: "Baden" } },
            { id: "r5", body: "Very Bad musicians", author: { name: "Anonymous 3" } },
          ],
        });
      });

      it("can_query_with_fulltext_search_filter", async () => {
        expect(
          await data(`{ bandReviewSearch(text: "musicians", where: { author_: { name: "Anonymous 3" } }) { id body author { name } } }`),
        ).toEqual({ bandReviewSearch: [{ id: "r5", body: "Very Bad musicians", author: { name: "Anonymous 3" } }] });
      });
    });
