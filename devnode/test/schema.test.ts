import { describe, expect, it } from "vitest";
import { generateId, SchemaIndex } from "../src/runtime/schema-index.ts";
import {
	EntityValidationError,
	parseSchema,
	queryFieldNames,
	toSnakeCase,
	UnsupportedSchemaFeatureError,
	validateEntity,
} from "../src/schema/index.ts";
import type { Entity, Value } from "../src/store/types.ts";

const SCHEMA = `
enum Status { Open, Closed }
interface Event { id: ID! block: BigInt! }
type Account @entity {
  id: Bytes!
  name: String!
  balance: BigInt
  tags: [String!]
  status: Status
  orders: [Order!]! @derivedFrom(field: "buyer")
}
type Order @entity(immutable: true) {
  id: ID!
  buyer: Account!
  price: BigDecimal!
  paidAt: Timestamp
}
type Listed implements Event @entity(immutable: true) { id: ID! block: BigInt! }
type _Schema_ @fulltext(name: "accountSearch", language: en, algorithm: rank,
  include: [{ entity: "Account", fields: [{ name: "name" }] }])
`;

const s = (value: string): Value => ({ kind: "String", value });
const entity = (fields: Record<string, Value>): Entity =>
	new Map(Object.entries(fields));
const addr = new Uint8Array([0xab, 0xcd]);

describe("parseSchema", () => {
	const schema = parseSchema(SCHEMA);

	it("reads entities, immutability, derived fields, interfaces, enums and fulltext", () => {
		expect([...schema.entities.keys()]).toEqual(["Account", "Order", "Listed"]);
		expect(schema.entities.get("Account")?.idType).toBe("Bytes");
		expect(schema.entities.get("Order")?.immutable).toBe(true);
		expect(schema.entities.get("Account")?.fieldsByName.get("orders")).toEqual({
			name: "orders",
			type: "Order",
			list: true,
			nonNull: true,
			derivedFrom: "buyer",
		});
		expect(schema.interfaces.get("Event")?.implementers).toEqual(["Listed"]);
		expect(schema.enums.get("Status")).toEqual(["Open", "Closed"]);
		expect(schema.fulltext).toEqual([
			{
				name: "accountSearch",
				language: "english",
				algorithm: "rank",
				entity: "Account",
				fields: ["name"],
			},
		]);
	});

	it("reads timeseries and aggregations; refuses fields whose type is an aggregation", () => {
		const ts = `type Data @entity(timeseries: true) { id: Int8! timestamp: Timestamp! n: Int! }
type Stats @aggregation(intervals: ["hour"], source: "Data") { id: Int8! timestamp: Timestamp! n: Int8! @aggregate(fn: "sum", arg: "n") }`;
		const schema = parseSchema(ts);
		expect(schema.entities.get("Data")?.timeseries).toBe(true);
		expect(schema.aggregations.get("Stats")?.aggregates).toMatchObject([
			{ fn: "sum", arg: "n", argFields: ["n"], cumulative: false },
		]);
		expect(() =>
			parseSchema(`${ts} type Holder @entity { id: ID! stats: [Stats!]! }`),
		).toThrow(UnsupportedSchemaFeatureError);
	});

	it("rejects undefined types and @derivedFrom to a missing field", () => {
		expect(() => parseSchema(`type A @entity { id: ID! b: Missing }`)).toThrow(
			"Type `A`, field `b`: type `Missing` is not defined",
		);
		expect(() =>
			parseSchema(
				`type A @entity { id: ID! bs: [B!]! @derivedFrom(field: "a") } type B @entity { id: ID! }`,
			),
		).toThrow(/field `a` does not exist on type `B`/);
	});
});

describe("graph-node names", () => {
	it("pluralizes with the Inflector rules graph-node uses", () => {
		expect(queryFieldNames("Account")).toEqual({
			single: "account",
			plural: "accounts",
		});
		expect(queryFieldNames("Stats")).toEqual({
			single: "stats",
			plural: "stats_collection",
		});
		// the uncountable list is matched case-sensitively, so type names (capitalized) rarely hit it
		expect(queryFieldNames("Sheep")).toEqual({
			single: "sheep",
			plural: "sheeps",
		});
		expect(queryFieldNames("Category").plural).toBe("categories");
		expect(queryFieldNames("Box").plural).toBe("boxes");
		expect(queryFieldNames("Status").plural).toBe("statuses");
		expect(queryFieldNames("Leaf").plural).toBe("leaves");
		// the rules are lower-case regexes, so a capitalized irregular word falls through to `s`
		expect(queryFieldNames("Person").plural).toBe("persons");
		expect(queryFieldNames("Datum").plural).toBe("datums");
		expect(queryFieldNames("OrderEvent").plural).toBe("orderEvents");
		expect(queryFieldNames("ERC20Token")).toEqual({
			single: "erc20Token",
			plural: "erc20Tokens",
		});
	});

	it("snake-cases table and column names like graph-node", () => {
		expect(toSnakeCase("OrderEvent")).toBe("order_event");
		expect(toSnakeCase("ERC20Token")).toBe("erc20_token");
		expect(toSnakeCase("blockNumber")).toBe("block_number");
	});
});

describe("validateEntity", () => {
	const schema = parseSchema(SCHEMA);
	const account = (extra: Record<string, Value> = {}) =>
		entity({ id: { kind: "Bytes", value: addr }, name: s("alice"), ...extra });

	it("accepts a valid entity and Null for nullable fields", () => {
		expect(() =>
			validateEntity(schema, "Account", account({ balance: { kind: "Null" } })),
		).not.toThrow();
	});

	it("uses graph-node's texts", () => {
		const cases: Array<[string, Entity, string]> = [
			[
				"Nope",
				entity({ id: s("1") }),
				"Entity Nope[1]: unknown entity type `Nope`",
			],
			[
				"Account",
				account({ zeta: s("x"), alpha: s("y") }),
				"Attempted to set undefined fields [alpha, zeta] for the entity type `Account`. Make sure those fields are defined in the schema.",
			],
			[
				"Account",
				entity({ id: { kind: "Bytes", value: addr } }),
				"Entity Account[0xabcd]: missing value for non-nullable field `name`",
			],
			[
				"Account",
				account({ balance: { kind: "Int", value: 7 } }),
				"Entity Account[0xabcd]: the value `7` for field `balance` must have type BigInt but has type Int",
			],
			[
				"Account",
				account({
					tags: { kind: "Array", value: [s("a"), { kind: "Int", value: 2 }] },
				}),
				"Entity Account[0xabcd]: field `tags` is of type [String!], but the value `[a, 2]` contains a Int at index 1",
			],
			[
				"Account",
				account({ orders: { kind: "Array", value: [s("o1")] } }),
				"Entity Account[0xabcd]: field `orders` is derived and cannot be set",
			],
			[
				"Order",
				entity({
					id: s("o1"),
					buyer: s("0xabcd"),
					price: { kind: "BigDecimal", value: "1.5" },
				}),
				"Entity Order[o1]: the value `0xabcd` for field `buyer` must have type Account! but has type String",
			],
		];
		for (const [type, e, message] of cases) {
			expect(() => validateEntity(schema, type, e)).toThrow(
				EntityValidationError,
			);
			expect(() => validateEntity(schema, type, e)).toThrow(message);
		}
	});
});

describe("generated ids (graph-node's id.rs `generate_id`)", () => {
	it("packs the block and a sequence number: Bytes big-endian, Int8 as block << 32 | seq", () => {
		expect(generateId("Bytes", 1, 2)).toBe("0x0000000100000002");
		expect(generateId("Bytes", 3, 2)).toBe("0x0000000300000002");
		const id = BigInt(generateId("Int8", 3, 2));
		expect(id).toBe(0x0000_0003_0000_0002n);
		expect(BigInt(generateId("Int8", 3, 3)) - id).toBe(1n);
		expect(BigInt(generateId("Int8", 4, 2)) - id).toBe(1n << 32n);
		expect(() => generateId("String", 3, 2)).toThrow(
			"String does not support generating ids",
		);
	});

	it("refuses to save an aggregation from a mapping, as graph-node's store_set", () => {
		const index = new SchemaIndex([], ["Stats"]);
		expect(() => index.entity("Stats")).toThrow(
			"Cannot set entity of type `Stats`. The type must be an @entity type",
		);
	});
});
