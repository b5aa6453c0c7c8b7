/**
 * The GraphQL API schema graph-node derives from `schema.graphql` (graph/src/schema/api.rs): query
 * fields per entity and interface type, `<Type>_filter` inputs with every operator suffix per field
 * type, `<Type>_orderBy` enums including child fields, fulltext query fields and `_meta`.
 */
import {
	idTypeOf,
	isReference,
	queryFieldNames,
	type SubgraphSchema,
} from "../schema/index.ts";
import type { SchemaField } from "../store/types.ts";

// graph-node's field_filter_ops, per scalar type
const ORDERED = ["", "not", "gt", "lt", "gte", "lte", "in", "not_in"];
const SCALAR_OPS: Record<string, string[]> = {
	Boolean: ["", "not", "in", "not_in"],
	Bytes: [...ORDERED, "contains", "not_contains"],
	ID: ORDERED,
	BigInt: ORDERED,
	BigDecimal: ORDERED,
	Int: ORDERED,
	Int8: ORDERED,
	Timestamp: ORDERED,
	String: [
		...ORDERED,
		"contains",
		"contains_nocase",
		"not_contains",
		"not_contains_nocase",
		"starts_with",
		"starts_with_nocase",
		"not_starts_with",
		"not_starts_with_nocase",
		"ends_with",
		"ends_with_nocase",
		"not_ends_with",
		"not_ends_with_nocase",
	],
};
const ENUM_OPS = ["", "not", "in", "not_in"];
// graph-node's FilterOpsSet::Aggregation: numbers and timestamps compare, everything else matches
const AGGREGATION_ORDERED = ["", "gt", "lt", "gte", "lte", "in"];
const aggregationOps = (scalar: string) =>
	["BigInt", "BigDecimal", "Int", "Int8", "Timestamp"].includes(scalar)
		? AGGREGATION_ORDERED
		: [""];
const LIST_OPS = [
	"",
	"not",
	"contains",
	"contains_nocase",
	"not_contains",
	"not_contains_nocase",
];
const LIST_OPS_CASED = ["", "not", "contains", "not_contains"];

/** What a key of a `<Type>_filter` input means. */
export type FilterKey =
	| { kind: "op"; field: SchemaField; op: string }
	| { kind: "child"; field: SchemaField }
	| { kind: "and" }
	| { kind: "or" }
	| { kind: "change_block" };

export interface TypeApi {
	name: string;
	filterKeys: Map<string, FilterKey>;
	/** `orderBy` enum value → field, and child field for `a__b`. */
	orderBy: Map<string, { field: SchemaField; child?: SchemaField }>;
}

export interface ApiSchema {
	sdl: string;
	types: Map<string, TypeApi>;
}

const BUILTINS = `scalar BigDecimal
scalar BigInt
scalar Bytes
scalar Int8
scalar Timestamp

enum OrderDirection {
  asc
  desc
}

enum Aggregation_interval {
  hour
  day
}

"Indicates whether the current, partially filled bucket should be included in the response. Defaults to \`exclude\`"
enum Aggregation_current {
  "Exclude the current, partially filled bucket from the response"
  exclude
  "Include the current, partially filled bucket in the response"
  include
}

enum _SubgraphErrorPolicy_ {
  "Data will be returned even if the subgraph has indexing errors"
  allow
  "If the subgraph has indexing errors, data will be omitted. The default."
  deny
}

input Block_height {
  hash: Bytes
  number: Int
  number_gte: Int
}

input BlockChangedFilter {
  number_gte: Int!
}

type _Block_ {
  "The hash of the block"
  hash: Bytes
  "The block number"
  number: Int!
  "Integer representation of the timestamp stored in blocks for the chain"
  timestamp: Int
  "The hash of the parent block"
  parentHash: Bytes
}

"The type for the top-level _meta field"
type _Meta_ {
  block: _Block_!
  "The deployment ID"
  deployment: String!
  "If \`true\`, the subgraph encountered indexing errors at some past block"
  hasIndexingErrors: Boolean!
}`;

function typeText(f: SchemaField): string {
	const base = f.list ? `[${f.type}!]` : f.type;
	return f.nonNull ? `${base}!` : base;
}

function fieldsOfType(schema: SubgraphSchema, name: string): SchemaField[] {
	return (
		(
			schema.entities.get(name) ??
			schema.interfaces.get(name) ??
			schema.aggregations.get(name)
		)?.fields ?? []
	);
}

/** `<Type>_orderBy` values: every field, plus `field__child` for scalar children of a single reference. */
function orderByOf(
	schema: SubgraphSchema,
	fields: SchemaField[],
): Map<string, { field: SchemaField; child?: SchemaField }> {
	const orderBy = new Map<string, { field: SchemaField; child?: SchemaField }>();
	for (const f of fields) {
		orderBy.set(f.name, { field: f });
		if (isReference(schema, f) && !f.list)
			for (const c of fieldsOfType(schema, f.type))
				if (!c.list && !isReference(schema, c))
					orderBy.set(`${f.name}__${c.name}`, { field: f, child: c });
	}
	return orderBy;
}

const collectionArgs = (t: string) =>
	`skip: Int = 0, first: Int = 100, orderBy: ${t}_orderBy, orderDirection: OrderDirection, where: ${t}_filter`;

export function buildApiSchema(schema: SubgraphSchema): ApiSchema {
	const out: string[] = [BUILTINS];
	const types = new Map<string, TypeApi>();
	const queryFields: string[] = [];
	const isRef = (f: SchemaField) => isReference(schema, f);

	for (const [name, values] of schema.enums)
		out.push(`enum ${name} {\n${values.map((v) => `  ${v}`).join("\n")}\n}`);

	const typeNames = [...schema.entities.keys(), ...schema.interfaces.keys()];
	for (const name of typeNames) {
		const entity = schema.entities.get(name);
		const fields = fieldsOfType(schema, name);
		const head = entity
			? `type ${name}${entity.interfaces.length ? ` implements ${entity.interfaces.join(" & ")}` : ""}`
			: `interface ${name}`;
		const body = fields.map((f) => {
			const args = f.list && isRef(f) ? `(${collectionArgs(f.type)})` : "";
			return `  ${f.name}${args}: ${typeText(f)}`;
		});
		out.push(`${head} {\n${body.join("\n")}\n}`);

		// <Type>_filter
		const filterKeys = new Map<string, FilterKey>();
		const filterLines: string[] = [];
		const addOps = (
			f: SchemaField,
			ops: string[],
			valueType: string,
			listValue: boolean,
		) => {
			for (const op of ops) {
				const key = op ? `${f.name}_${op}` : f.name;
				const inList = op === "in" || op === "not_in";
				filterLines.push(
					`  ${key}: ${listValue || inList ? `[${valueType}!]` : valueType}`,
				);
				filterKeys.set(key, { kind: "op", field: f, op });
			}
		};
		const addChild = (f: SchemaField) => {
			filterLines.push(`  ${f.name}_: ${f.type}_filter`);
			filterKeys.set(`${f.name}_`, { kind: "child", field: f });
		};
		for (const f of fields) {
			if (isRef(f)) {
				const idType = idTypeOf(schema, f.type);
				const scalar = idType === "Int8" ? "Int" : "String"; // graph-node's id_type_as_scalar
				if (f.derivedFrom === undefined) {
					if (f.list)
						addOps(
							f,
							idType === "String" ? LIST_OPS : LIST_OPS_CASED,
							scalar,
							true,
						);
					else addOps(f, SCALAR_OPS[scalar], scalar, false);
				}
				addChild(f);
			} else if (f.list) {
				addOps(
					f,
					f.type === "String" ? LIST_OPS : LIST_OPS_CASED,
					f.type,
					true,
				);
			} else if (schema.enums.has(f.type)) {
				addOps(f, ENUM_OPS, f.type, false);
			} else {
				addOps(f, SCALAR_OPS[f.type], f.type, false);
			}
		}
		filterLines.push(
			"  _change_block: BlockChangedFilter",
			`  and: [${name}_filter]`,
			`  or: [${name}_filter]`,
		);
		filterKeys.set("_change_block", { kind: "change_block" });
		filterKeys.set("and", { kind: "and" });
		filterKeys.set("or", { kind: "or" });
		out.push(`input ${name}_filter {\n${filterLines.join("\n")}\n}`);

		const orderBy = orderByOf(schema, fields);
		out.push(
			`enum ${name}_orderBy {\n${[...orderBy.keys()].map((v) => `  ${v}`).join("\n")}\n}`,
		);
		types.set(name, { name, filterKeys, orderBy });

		const { single, plural } = queryFieldNames(name);
		const tail =
			"block: Block_height, subgraphError: _SubgraphErrorPolicy_! = deny";
		queryFields.push(`  ${single}(id: ID!, ${tail}): ${name}`);
		queryFields.push(
			`  ${plural}(${collectionArgs(name)}, ${tail}): [${name}!]!`,
		);
	}
	// graph-node's add_types_for_aggregation_types and query_fields_for_agg_type
	for (const [name, agg] of schema.aggregations) {
		out.push(
			`type ${name} {\n${agg.fields.map((f) => `  ${f.name}: ${typeText(f)}`).join("\n")}\n}`,
		);
		const aggregateNames = new Set(agg.aggregates.map((a) => a.field.name));
		const plain = agg.fields.filter((f) => !aggregateNames.has(f.name));
		const filterKeys = new Map<string, FilterKey>();
		const filterLines: string[] = [];
		for (const f of plain) {
			const enumType = schema.enums.has(f.type);
			const scalar = isRef(f)
				? idTypeOf(schema, f.type) === "Int8"
					? "Int"
					: "String"
				: f.type;
			for (const op of enumType ? ENUM_OPS : aggregationOps(scalar)) {
				const key = op ? `${f.name}_${op}` : f.name;
				const inList = op === "in" || op === "not_in";
				filterLines.push(`  ${key}: ${inList ? `[${scalar}!]` : scalar}`);
				filterKeys.set(key, { kind: "op", field: f, op });
			}
			if (isRef(f)) {
				filterLines.push(`  ${f.name}_: ${f.type}_filter`);
				filterKeys.set(`${f.name}_`, { kind: "child", field: f });
			}
		}
		filterLines.push(
			"  _change_block: BlockChangedFilter",
			`  and: [${name}_filter]`,
			`  or: [${name}_filter]`,
		);
		filterKeys.set("_change_block", { kind: "change_block" });
		filterKeys.set("and", { kind: "and" });
		filterKeys.set("or", { kind: "or" });
		out.push(`input ${name}_filter {\n${filterLines.join("\n")}\n}`);
		const orderBy = orderByOf(schema, [
			...plain,
			...agg.aggregates.map((a) => a.field),
		]);
		out.push(
			`enum ${name}_orderBy {\n${[...orderBy.keys()].map((v) => `  ${v}`).join("\n")}\n}`,
		);
		types.set(name, { name, filterKeys, orderBy });
		queryFields.push(
			`  "Collection of aggregated \`${name}\` values"\n  ${queryFieldNames(name).plural}(skip: Int = 0, first: Int = 100, interval: Aggregation_interval!, orderBy: ${name}_orderBy, orderDirection: OrderDirection, current: Aggregation_current, where: ${name}_filter, block: Block_height, subgraphError: _SubgraphErrorPolicy_! = deny): [${name}!]!`,
		);
	}
	for (const ft of schema.fulltext)
		queryFields.push(
			`  ${ft.name}(text: String!, first: Int = 100, skip: Int = 0, block: Block_height, where: ${ft.entity}_filter, subgraphError: _SubgraphErrorPolicy_! = deny): [${ft.entity}!]!`,
		);
	queryFields.push(
		`  "Access to subgraph metadata"\n  _meta(block: Block_height): _Meta_`,
	);
	out.push(`type Query {\n${queryFields.join("\n")}\n}`);
	return { sdl: out.join("\n\n"), types };
}
