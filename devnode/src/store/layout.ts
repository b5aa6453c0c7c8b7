/**
 * graph-node's relational layout: one table per entity type (snake_case), one column per field, `vid`,
 * and `block_range int4range` (mutable) or `block$ int` (immutable). Also how values become SQL literals
 * and how the text the database returns becomes values again.
 */
import {
	type AggregationInterval,
	type AggregationType,
	intervalTypeName,
	isReference,
	type SubgraphSchema,
	toSnakeCase,
	valueTypeOf,
} from "../schema/index.ts";
import type { SchemaField, Value } from "./types.ts";

export const BLOCK_RANGE = "block_range";
export const BLOCK_COLUMN = "block$";

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

export interface Column {
	field: SchemaField;
	name: string;
	/** graph-node value type: String, Bytes, BigInt, BigDecimal, Int, Int8, Boolean, Timestamp. */
	valueType: string;
	/** SQL element type (without `[]`). */
	sqlType: string;
	isEnum: boolean;
	isReference: boolean;
}

export interface FulltextColumn {
	name: string;
	language: string;
	fields: string[];
}

export interface Table {
	entity: string;
	name: string;
	/** `"schema"."table"` */
	qualified: string;
	immutable: boolean;
	skipDuplicates: boolean;
	idType: "String" | "Bytes" | "Int8";
	columns: Column[];
	columnsByField: Map<string, Column>;
	fulltext: FulltextColumn[];
	/** For the table of an aggregation's interval (`Stats_hour`): the aggregation and the interval. */
	aggregation?: { type: AggregationType; interval: AggregationInterval };
}

export interface Layout {
	dbSchema: string;
	tables: Map<string, Table>;
	/** Postgres enum type name (qualified) per schema enum. */
	enumTypes: Map<string, string>;
}

/** SQL column type per graph-node value type. */
export const SQL_TYPES: Record<string, string> = {
	String: "text",
	Bytes: "bytea",
	BigInt: "numeric",
	BigDecimal: "numeric",
	Int: "int4",
	Int8: "int8",
	Boolean: "boolean",
	Timestamp: "int8", // microseconds since the epoch, the value the mappings see
};

export function buildLayout(schema: SubgraphSchema, dbSchema: string): Layout {
	const enumTypes = new Map<string, string>();
	for (const name of schema.enums.keys())
		enumTypes.set(
			name,
			`${quoteIdent(dbSchema)}.${quoteIdent(toSnakeCase(name))}`,
		);
	const tables = new Map<string, Table>();
	const columnsOf = (fields: SchemaField[]): Column[] =>
		fields
			.filter((f) => f.derivedFrom === undefined)
			.map((field) => {
				const valueType = valueTypeOf(schema, field);
				const isEnum = schema.enums.has(field.type);
				return {
					field,
					name: toSnakeCase(field.name),
					valueType,
					sqlType: isEnum
						? (enumTypes.get(field.type) as string)
						: SQL_TYPES[valueType],
					isEnum,
					isReference: isReference(schema, field),
				};
			});
	for (const e of schema.entities.values()) {
		const columns = columnsOf(e.fields);
		const name = toSnakeCase(e.name);
		tables.set(e.name, {
			entity: e.name,
			name,
			qualified: `${quoteIdent(dbSchema)}.${quoteIdent(name)}`,
			immutable: e.immutable,
			skipDuplicates: e.skipDuplicates,
			idType: e.idType,
			columns,
			columnsByField: new Map(columns.map((c) => [c.field.name, c])),
			fulltext: schema.fulltext
				.filter((f) => f.entity === e.name)
				.map((f) => ({
					name: toSnakeCase(f.name),
					language: f.language,
					fields: f.fields,
				})),
		});
	}
	// graph-node stores each interval of an aggregation as an immutable type `<Aggregation>_<interval>`
	for (const a of schema.aggregations.values())
		for (const interval of a.intervals) {
			const entity = intervalTypeName(a.name, interval);
			const name = toSnakeCase(entity);
			const columns = columnsOf(a.fields);
			tables.set(entity, {
				entity,
				name,
				qualified: `${quoteIdent(dbSchema)}.${quoteIdent(name)}`,
				immutable: true,
				skipDuplicates: false,
				idType: "Int8",
				columns,
				columnsByField: new Map(columns.map((c) => [c.field.name, c])),
				fulltext: [],
				aggregation: { type: a, interval },
			});
		}
	return { dbSchema, tables, enumTypes };
}

/** DDL for the entity tables and their indexes; idempotent. Unlogged tables skip the WAL (in-memory stores). */
export function layoutDdl(
	layout: Layout,
	schema: SubgraphSchema,
	unlogged: boolean,
): string {
	const out: string[] = [
		`create schema if not exists ${quoteIdent(layout.dbSchema)};`,
	];
	for (const [name, values] of schema.enums) {
		const type = layout.enumTypes.get(name) as string;
		out.push(
			`do $$ begin create type ${type} as enum (${values.map(sqlString).join(", ")}); exception when duplicate_object then null; end $$;`,
		);
	}
	for (const t of layout.tables.values()) {
		const cols = ["vid bigserial primary key"];
		cols.push(
			t.immutable
				? `${quoteIdent(BLOCK_COLUMN)} int4 not null`
				: `${BLOCK_RANGE} int4range not null`,
		);
		for (const c of t.columns) {
			const type = c.field.list ? `${c.sqlType}[]` : c.sqlType;
			// graph-node requires a C-locale database: strings compare and sort by bytes
			const collate = c.sqlType === "text" ? ' collate "C"' : "";
			cols.push(
				`${quoteIdent(c.name)} ${type}${collate}${c.field.nonNull ? " not null" : ""}`,
			);
		}
		for (const ft of t.fulltext) {
			// graph-node concatenates one to_tsvector(language, field) per included field
			const expr = ft.fields
				.map(
					(f) =>
						`to_tsvector('${ft.language}'::regconfig, coalesce(${quoteIdent(t.columnsByField.get(f)?.name as string)}, ''))`,
				)
				.join(" || ");
			cols.push(
				`${quoteIdent(ft.name)} tsvector generated always as (${expr}) stored`,
			);
		}
		out.push(
			`create ${unlogged ? "unlogged " : ""}table if not exists ${t.qualified} (\n  ${cols.join(",\n  ")}\n);`,
		);
		const idx = (suffix: string, body: string) =>
			out.push(
				`create index if not exists ${quoteIdent(`${t.name}_${suffix}`)} on ${t.qualified} ${body};`,
			);
		if (t.immutable) {
			out.push(
				`create unique index if not exists ${quoteIdent(`${t.name}_id_key`)} on ${t.qualified} (${quoteIdent("id")});`,
			);
			idx("block", `(${quoteIdent(BLOCK_COLUMN)})`);
		} else {
			// graph-node adds GiST on block_range; in PGlite it slows every write and misleads the planner
			// at this scale, so versions are found through (id, lower) and the attribute indexes instead
			idx("id_block", `(${quoteIdent("id")}, lower(${BLOCK_RANGE}))`);
		}
		// graph-node indexes every attribute; devnode indexes what filters, orders and joins use most
		// (references and fixed-size scalars) and skips free text, raw bytes and lists, to keep writes fast
		t.columns.forEach((c, i) => {
			if (c.field.name === "id" || c.field.list) return;
			if (
				c.isReference ||
				c.isEnum ||
				!["String", "Bytes"].includes(c.valueType)
			)
				idx(`attr_${i}`, `(${quoteIdent(c.name)})`);
		});
		for (const ft of t.fulltext)
			idx(ft.name, `using gin (${quoteIdent(ft.name)})`);
		// the rollup's lookup of a group's previous bucket (graph-node's #rollup-query-indexing)
		if (t.aggregation && t.aggregation.type.dimensions.length > 0)
			idx(
				"dims_timestamp",
				`(${[...t.aggregation.type.dimensions.map((d) => quoteIdent(t.columnsByField.get(d.name)?.name as string)), quoteIdent("timestamp")].join(", ")})`,
			);
	}
	return out.join("\n");
}

/** A SQL string literal (standard_conforming_strings: only `'` needs doubling). */
export function sqlString(s: string): string {
	return `'${s.replace(/'/g, "''")}'`;
}

const hexOf = (b: Uint8Array) =>
	Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");

/** The text form Postgres parses for one (non-array) value of `valueType`. */
export function scalarText(v: Value): string {
	switch (v.kind) {
		case "Bytes":
			return `\\x${hexOf(v.value)}`;
		case "Bool":
			return v.value ? "t" : "f";
		case "Null":
		case "Array":
			throw new TypeError(`scalarText of ${v.kind}`);
		default:
			return String(v.value);
	}
}

function arrayText(values: Value[]): string {
	return `{${values.map((v) => (v.kind === "Null" ? "NULL" : `"${scalarText(v).replace(/[\\"]/g, "\\$&")}"`)).join(",")}}`;
}

/** A typed SQL literal for a column value. */
export function sqlLiteral(c: Column, v: Value | undefined): string {
	if (!v || v.kind === "Null") return "null";
	const type = c.field.list ? `${c.sqlType}[]` : c.sqlType;
	const text = v.kind === "Array" ? arrayText(v.value) : scalarText(v);
	return `${sqlString(text)}::${type}`;
}

/** The text form of an id parameter, e.g. `\x…` for Bytes ids given as `0x…`. */
export function idText(idType: string, id: string): string {
	return idType === "Bytes" ? `\\x${id.replace(/^0x/i, "").toLowerCase()}` : id;
}

export const idSqlType = (idType: string) =>
	idType === "Bytes" ? "bytea" : idType === "Int8" ? "int8" : "text";

/** Parses a one-dimensional Postgres array literal; elements are returned unescaped, NULL as null. */
export function parseArrayText(text: string): (string | null)[] {
	const out: (string | null)[] = [];
	if (text === "{}") return out;
	let i = 1;
	while (i < text.length) {
		if (text[i] === '"') {
			let s = "";
			i++;
			while (text[i] !== '"') {
				if (text[i] === "\\") i++;
				s += text[i++];
			}
			out.push(s);
			i++; // closing quote
		} else {
			let j = i;
			while (text[j] !== "," && text[j] !== "}") j++;
			const raw = text.slice(i, j);
			out.push(raw === "NULL" ? null : raw);
			i = j;
		}
		i++; // the `,` or `}`
	}
	return out;
}

/** A scalar value from its Postgres text form. */
export function parseScalar(valueType: string, text: string): Value {
	switch (valueType) {
		case "Bytes":
			return {
				kind: "Bytes",
				value: new Uint8Array(Buffer.from(text.slice(2), "hex")),
			};
		case "BigInt":
			return { kind: "BigInt", value: BigInt(text) };
		case "BigDecimal":
			return { kind: "BigDecimal", value: normalizeDecimal(text) };
		case "Int":
			return { kind: "Int", value: Number(text) };
		case "Int8":
			return { kind: "Int8", value: BigInt(text) };
		case "Timestamp":
			return { kind: "Timestamp", value: BigInt(text) };
		case "Boolean":
			return { kind: "Bool", value: text === "t" || text === "true" };
		default:
			return { kind: "String", value: text };
	}
}

export function parseColumn(c: Column, text: string | null): Value {
	if (text === null) return { kind: "Null" };
	if (!c.field.list) return parseScalar(c.valueType, text);
	return {
		kind: "Array",
		value: parseArrayText(text).map((e) =>
			e === null ? { kind: "Null" } : parseScalar(c.valueType, e),
		),
	};
}

/** `select` list reading every column (or `id` and those of `fields`) as text, aliased by field name. */
export function selectColumns(
	t: Table,
	alias: string,
	fields?: ReadonlySet<string>,
): string {
	return t.columns
		.filter((c) => !fields || c.field.name === "id" || fields.has(c.field.name))
		.map(
			(c) =>
				`${alias}.${quoteIdent(c.name)}::text as ${quoteIdent(c.field.name)}`,
		)
		.join(", ");
}

/** numeric text → graph-node's normalized BigDecimal text (no trailing fractional zeros). */
export function normalizeDecimal(text: string): string {
	if (!text.includes(".")) return text === "-0" ? "0" : text;
	const trimmed = text.replace(/0+$/, "").replace(/\.$/, "");
	return trimmed === "-0" ? "0" : trimmed;
}
