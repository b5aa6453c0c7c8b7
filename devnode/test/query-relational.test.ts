/**
 * graph-node's relational store filter cases (store/test-store/tests/postgres/relational.rs,
 * `check_find`), asked through the GraphQL API over the same users and pets.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueryEngine, type QueryEngine } from "../src/graphql/index.ts";
import { parseSchema } from "../src/schema/index.ts";
import { openStore } from "../src/store/index.ts";
import { ENGINES, ptr, type TestStore, toEntity } from "./query-fixture.ts";

const schema = parseSchema(`
type _Schema_
  @fulltext(name: "userSearch", language: en, algorithm: rank, include: [{ entity: "User", fields: [{ name: "name" }, { name: "email" }] }])
  @fulltext(name: "userSearch2", language: en, algorithm: rank, include: [{ entity: "User", fields: [{ name: "name" }, { name: "email" }] }])
enum Color { yellow, red, BLUE }
interface Pet { id: ID!, name: String! }
type Cat implements Pet @entity { id: ID!, name: String! }
type Dog implements Pet @entity { id: ID!, name: String! }
type User @entity {
  id: ID!,
  name: String!,
  bin_name: Bytes!,
  email: String!,
  age: Int!,
  visits: Int8!
  seconds_age: BigInt!,
  weight: BigDecimal!,
  coffee: Boolean!,
  favorite_color: Color,
  drinks: [String!]
}
`);

const hexOf = (s: string) => `0x${Buffer.from(s).toString("hex")}`;
type UserFields = {
	id: string;
	name: string;
	email: string;
	age: number;
	weight: string;
	coffee: boolean;
	color?: string;
	drinks?: string[];
	visits: number;
};
const user = (u: UserFields) => ({
	op: "set" as const,
	entityType: "User",
	id: u.id,
	data: toEntity(schema, "User", {
		id: u.id,
		name: u.name,
		bin_name: hexOf(u.name),
		email: u.email,
		age: u.age,
		visits: u.visits,
		seconds_age: String(BigInt(u.age) * 31557600n),
		weight: u.weight,
		coffee: u.coffee,
		...(u.color ? { favorite_color: u.color } : {}),
		...(u.drinks ? { drinks: u.drinks } : {}),
	}),
});

for (const engine of ENGINES)
	describe(`graph-node relational filter cases on ${engine.name}`, () => {
		let store: TestStore;
		let q: QueryEngine;
		const ids = async (args: string, field = "users") => {
			const r = await q.executeQuery(
				`{ ${field}${args ? `(${args})` : ""} { id } }`,
			);
			expect(r.errors).toBeUndefined();
			return ((r.data as Record<string, { id: string }[]>)[field] ?? []).map(
				(x) => x.id,
			);
		};

		beforeAll(async () => {
			store = await openStore({
				schema,
				databaseUrl: engine.databaseUrl,
				dbSchema: engine.databaseUrl
					? `devnode_test_relational_${process.pid}`
					: undefined,
			});
			// insert_users, then update_user_entity("1", "Jono", …) and insert_pets, as QueryChecker::new
			await store.transactBlock(ptr(0), [
				user({
					id: "1",
					name: "Johnton",
					email: "tonofjohn@email.com",
					age: 67,
					weight: "184.4",
					coffee: false,
					color: "yellow",
					visits: 60,
				}),
				user({
					id: "2",
					name: "Cindini",
					email: "dinici@email.com",
					age: 43,
					weight: "159.1",
					coffee: true,
					color: "red",
					drinks: ["beer", "wine"],
					visits: 50,
				}),
				user({
					id: "3",
					name: "Shaqueeena",
					email: "teeko@email.com",
					age: 28,
					weight: "111.7",
					coffee: false,
					drinks: ["coffee", "tea"],
					visits: 22,
				}),
			]);
			await store.transactBlock(ptr(1), [
				user({
					id: "1",
					name: "Jono",
					email: "achangedemail@email.com",
					age: 67,
					weight: "184.4",
					coffee: false,
					color: "yellow",
					visits: 23,
				}),
				{
					op: "set",
					entityType: "Dog",
					id: "pluto",
					data: toEntity(schema, "Dog", { id: "pluto", name: "Pluto" }),
				},
				{
					op: "set",
					entityType: "Cat",
					id: "garfield",
					data: toEntity(schema, "Cat", { id: "garfield", name: "Garfield" }),
				},
			]);
			q = createQueryEngine({ store, schema, name: "things" });
		}, 60_000);
		afterAll(async () => {
			if (engine.databaseUrl)
				await store.read(`drop schema ${store.layout.dbSchema} cascade`);
			await store.close();
		});

		it("finds through interfaces", async () => {
			expect(await ids("", "pets")).toEqual(["garfield", "pluto"]);
			expect(await ids("orderBy: name, orderDirection: desc", "pets")).toEqual([
				"pluto",
				"garfield",
			]);
			expect(
				await ids(
					`where: { name_starts_with: "Gar" }, orderBy: name, orderDirection: desc`,
					"pets",
				),
			).toEqual(["garfield"]);
			expect(await ids("orderBy: id, orderDirection: desc", "pets")).toEqual([
				"pluto",
				"garfield",
			]);
		});

		it("searches fulltext", async () => {
			for (const search of ["userSearch", "userSearch2"]) {
				expect(await ids(`text: "Shaq:*"`, search)).toEqual(["3"]);
				expect(
					await ids(`text: "Jono & achangedemail@email.com"`, search),
				).toEqual(["1"]);
			}
		});

		it("filters lists", async () => {
			expect(await ids(`where: { drinks_contains: ["beer"] }`)).toEqual(["2"]);
			expect(
				await ids(`where: { drinks_contains: ["tea", "coffee"] }`),
			).toEqual(["3"]);
			expect(await ids(`where: { drinks_contains: ["beer", "tea"] }`)).toEqual(
				[],
			);
			expect(await ids(`where: { drinks_not_contains: ["beer"] }`)).toEqual([
				"3",
			]);
			expect(await ids(`where: { drinks_not_contains: ["tea"] }`)).toEqual([
				"2",
			]);
		});

		it("filters strings", async () => {
			expect(await ids(`where: { name_contains: "ind" }`)).toEqual(["2"]);
			expect(
				await ids(
					`where: { name: "Cindini" }, orderBy: id, orderDirection: desc`,
				),
			).toEqual(["2"]);
			expect(
				await ids(`where: { name_not: "Cindini" }, orderBy: name`),
			).toEqual(["1", "3"]);
			expect(await ids(`where: { name_gt: "Kundi" }`)).toEqual(["3"]);
			expect(await ids(`where: { name_lt: "Kundi" }, orderBy: name`)).toEqual([
				"2",
				"1",
			]);
			expect(
				await ids(
					`where: { name_lt: "Kundi" }, orderBy: name, orderDirection: desc`,
				),
			).toEqual(["1", "2"]);
			expect(
				await ids(
					`where: { name_lt: "ZZZ" }, orderBy: name, orderDirection: desc, first: 1, skip: 1`,
				),
			).toEqual(["1"]);
			expect(
				await ids(
					`where: { and: [{ name_lt: "Cz" }, { name: "Cindini" }] }, orderBy: name, orderDirection: desc`,
				),
			).toEqual(["2"]);
			expect(
				await ids(
					`where: { name_ends_with: "ini" }, orderBy: name, orderDirection: desc`,
				),
			).toEqual(["2"]);
			expect(
				await ids(
					`where: { name_not_ends_with: "ini" }, orderBy: name, orderDirection: desc`,
				),
			).toEqual(["3", "1"]);
			expect(
				await ids(
					`where: { name_in: ["Jono", "Nobody", "Still nobody"] }, orderBy: name, orderDirection: desc`,
				),
			).toEqual(["1"]);
			expect(await ids(`where: { name_in: [] }`)).toEqual([]);
			expect(
				await ids(
					`where: { name_not_in: ["Shaqueeena"] }, orderBy: name, orderDirection: desc`,
				),
			).toEqual(["1", "2"]);
		});

		it("filters decimals, integers and booleans", async () => {
			expect(await ids(`where: { weight: "184.4" }`)).toEqual(["1"]);
			expect(
				await ids(
					`where: { weight_not: "184.4" }, orderBy: name, orderDirection: desc`,
				),
			).toEqual(["3", "2"]);
			expect(await ids(`where: { weight_gt: "160" }`)).toEqual(["1"]);
			expect(await ids(`where: { weight_lt: "160" }, orderBy: name`)).toEqual([
				"2",
				"3",
			]);
			expect(
				await ids(
					`where: { weight_lt: "161" }, orderBy: name, orderDirection: desc, first: 1, skip: 1`,
				),
			).toEqual(["2"]);
			expect(
				await ids(
					`where: { weight_in: ["184.4", "111.7"] }, orderBy: name, orderDirection: desc, first: 5`,
				),
			).toEqual(["3", "1"]);
			expect(
				await ids(
					`where: { weight_not_in: ["184.4", "111.7"] }, orderBy: name, orderDirection: desc, first: 5`,
				),
			).toEqual(["2"]);
			expect(
				await ids(
					`where: { visits: "22" }, orderBy: name, orderDirection: desc`,
				),
			).toEqual(["3"]);
			expect(await ids(`where: { age: 67 }`)).toEqual(["1"]);
			expect(
				await ids(
					`where: { age_not: 67 }, orderBy: name, orderDirection: desc`,
				),
			).toEqual(["3", "2"]);
			expect(await ids(`where: { age_gt: 43 }`)).toEqual(["1"]);
			expect(await ids(`where: { age_gte: 43 }, orderBy: name`)).toEqual([
				"2",
				"1",
			]);
			expect(await ids(`where: { age_lt: 50 }, orderBy: name`)).toEqual([
				"2",
				"3",
			]);
			expect(await ids(`where: { age_lte: 43 }, orderBy: name`)).toEqual([
				"2",
				"3",
			]);
			expect(
				await ids(
					`where: { age_lt: 67 }, orderBy: name, orderDirection: desc, first: 1, skip: 1`,
				),
			).toEqual(["2"]);
			expect(
				await ids(
					`where: { age_in: [67, 43] }, orderBy: name, orderDirection: desc, first: 5`,
				),
			).toEqual(["1", "2"]);
			expect(
				await ids(
					`where: { age_not_in: [67, 43] }, orderBy: name, orderDirection: desc, first: 5`,
				),
			).toEqual(["3"]);
			expect(await ids(`where: { coffee: true }`)).toEqual(["2"]);
			expect(await ids(`where: { coffee_not: true }, orderBy: name`)).toEqual([
				"1",
				"3",
			]);
			expect(await ids(`where: { coffee_in: [true] }`)).toEqual(["2"]);
			expect(
				await ids(
					`where: { coffee_not_in: [true] }, orderBy: name, orderDirection: desc`,
				),
			).toEqual(["3", "1"]);
		});

		it("filters bytes, nulls and enums, and orders every way", async () => {
			expect(await ids(`where: { bin_name: "${hexOf("Jono")}" }`)).toEqual([
				"1",
			]);
			expect(await ids(`where: { favorite_color: null }`)).toEqual(["3"]);
			expect(
				await ids(
					`where: { favorite_color_not: null }, orderBy: name, orderDirection: desc`,
				),
			).toEqual(["1", "2"]);
			expect(await ids(`where: { favorite_color: red }`)).toEqual(["2"]);
			expect(await ids(`where: { favorite_color_not: red }`)).toEqual(["1"]);
			expect(await ids(`where: { favorite_color_in: [red] }`)).toEqual(["2"]);
			expect(await ids(`where: { favorite_color_not_in: [red] }`)).toEqual([
				"1",
			]);
			expect(await ids("orderBy: weight")).toEqual(["3", "2", "1"]);
			expect(await ids("orderBy: weight, orderDirection: desc")).toEqual([
				"1",
				"2",
				"3",
			]);
			expect(await ids("orderBy: id, orderDirection: desc")).toEqual([
				"3",
				"2",
				"1",
			]);
			expect(await ids("orderBy: age")).toEqual(["3", "2", "1"]);
			expect(await ids("orderBy: name")).toEqual(["2", "1", "3"]);
			expect(await ids("orderBy: name, orderDirection: desc")).toEqual([
				"3",
				"1",
				"2",
			]);
			// enums sort in declaration order (Postgres enum types, as graph-node creates them)
			expect(await ids("orderBy: favorite_color")).toEqual(["1", "2", "3"]);
			expect(
				await ids(
					`where: { and: [{ or: [{ id: "1" }, { id: "2" }] }] }, orderBy: id`,
				),
			).toEqual(["1", "2"]);
		});

		it("treats an empty `or` as false and an empty `and` as true", async () => {
			expect(await ids(`where: { and: [{ or: [] }] }`)).toEqual([]);
			expect(await ids(`where: { or: [{ and: [] }] }`)).toEqual([
				"1",
				"2",
				"3",
			]);
		});

		it("refuses `and` next to column filters, as graph-node does", async () => {
			const r = await q.executeQuery(
				`{ users(where: { and: [{ age: 67 }], name: "Jono" }) { id } }`,
			);
			expect(r.errors?.map((e) => e.message)).toEqual([
				"Filter must by an object",
			]);
		});
	});
