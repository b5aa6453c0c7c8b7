/**
 * GraphQL arguments → SQL over graph-node's layout, following graph-node's relational_queries.rs:
 * `_contains` is a LIKE pattern whose `%`/`_` stay wildcards, `_not*` and `_not_in` follow SQL NULL
 * rules, an empty `_in`/`_not_in` list matches nothing, orders are `order by key [desc], id [desc]`
 * with Postgres' nulls placement, and strings compare by bytes (C collation).
 */
import type { SubgraphSchema } from "../schema/index.ts";
import {
	BLOCK_COLUMN,
	BLOCK_RANGE,
	type Layout,
	quoteIdent,
	SQL_TYPES,
	type Table,
} from "../store/layout.ts";
import type { SchemaField } from "../store/types.ts";
import type { ApiSchema, TypeApi } from "./api-schema.ts";
import { QueryError, valueParseError } from "./errors.ts";

/**
 * Collects bind parameters (all passed as text) and numbers subquery aliases while SQL is assembled:
 * the same query shape always yields the same SQL text, which the store prepares once.
 */
export class Params {
	readonly values: (string | null)[] = [];
	private aliases = 0;
	add(value: string, cast: string): string {
		this.values.push(value);
		return `$${this.values.length}::${cast}`;
	}
	alias(): string {
		return `t${++this.aliases}`;
	}
}

export interface SqlContext {
	schema: SubgraphSchema;
	layout: Layout;
	api: ApiSchema;
	block: number;
	params: Params;
	/** The `interval` of an aggregation query: which of the aggregation's tables it reads. */
	interval?: string;
}

export function tableOf(ctx: SqlContext, entity: string): Table {
	return ctx.layout.tables.get(entity) as Table;
}

/** Entity tables behind a type: itself, an interface's implementers, or an aggregation's interval table. */
export function tablesFor(ctx: SqlContext, typeName: string): Table[] {
	if (ctx.schema.aggregations.has(typeName))
		return [tableOf(ctx, `${typeName}_${ctx.interval}`)];
	const iface = ctx.schema.interfaces.get(typeName);
	return iface
		? iface.implementers.map((n) => tableOf(ctx, n))
		: [tableOf(ctx, typeName)];
}

/**
 * The version of each entity visible at the block: `block_range @> block` spelled as plain comparisons,
 * which the planner combines well with the attribute indexes (graph-node relies on a GiST index here).
 */
export function atBlock(t: Table, alias: string, block: number): string {
	if (t.immutable) return `${alias}.${quoteIdent(BLOCK_COLUMN)} <= ${block}`;
	const r = `${alias}.${BLOCK_RANGE}`;
	return `lower(${r}) <= ${block} and (upper_inf(${r}) or upper(${r}) > ${block})`;
}

const col = (alias: string, t: Table, field: string) => {
	const c = t.columnsByField.get(field);
	if (!c)
		throw new QueryError(
			`Entity \`${t.entity}\` has no attribute \`${field}\``,
		);
	return `${alias}.${quoteIdent(c.name)}`;
};

/** graph-node accepts Bytes with or without `0x`; odd lengths and non-hex digits are errors. */
export function bytesText(v: unknown): string {
	const s = String(v).replace(/^0x/, "");
	if (s.length % 2 !== 0)
		throw valueParseError("Bytes", "Odd number of digits");
	if (!/^[0-9a-fA-F]*$/.test(s))
		throw valueParseError("Bytes", "Invalid character");
	return `\\x${s.toLowerCase()}`;
}

function numericText(type: string, v: unknown): string {
	const s = String(v);
	const ok =
		type === "BigDecimal"
			? /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)
			: /^[+-]?\d+$/.test(s);
	if (!ok) throw valueParseError(type, s);
	return s;
}

/** The SQL type name and text of one filter value for a column of `valueType` (or an enum type). */
function scalarParam(
	ctx: SqlContext,
	field: SchemaField,
	valueType: string,
	v: unknown,
): [string, string] {
	if (ctx.schema.enums.has(field.type))
		return [String(v), ctx.layout.enumTypes.get(field.type) as string];
	switch (valueType) {
		case "Bytes":
			return [bytesText(v), "bytea"];
		case "BigInt":
		case "BigDecimal":
		case "Int8":
		case "Timestamp":
			return [
				numericText(valueType === "BigDecimal" ? "BigDecimal" : "BigInt", v),
				SQL_TYPES[valueType],
			];
		case "Boolean":
			return [v ? "t" : "f", "boolean"];
		default:
			return [String(v), SQL_TYPES[valueType] ?? "text"];
	}
}

function valueTypeIn(t: Table, field: SchemaField): string {
	return t.columnsByField.get(field.name)?.valueType ?? "String";
}

function param(
	ctx: SqlContext,
	t: Table,
	field: SchemaField,
	v: unknown,
): string {
	const [text, cast] = scalarParam(ctx, field, valueTypeIn(t, field), v);
	return ctx.params.add(text, cast);
}

function arrayParam(
	ctx: SqlContext,
	t: Table,
	field: SchemaField,
	vs: unknown[],
): string {
	const valueType = valueTypeIn(t, field);
	let cast = "text";
	const texts = vs.map((v) => {
		const [text, c] = scalarParam(ctx, field, valueType, v);
		cast = c;
		return `"${text.replace(/[\\"]/g, "\\$&")}"`;
	});
	if (vs.length === 0)
		cast = ctx.schema.enums.has(field.type)
			? (ctx.layout.enumTypes.get(field.type) as string)
			: (SQL_TYPES[valueType] ?? "text");
	return ctx.params.add(`{${texts.join(",")}}`, `${cast}[]`);
}

const CMP: Record<string, string> = {
	"": "=",
	not: "!=",
	gt: ">",
	lt: "<",
	gte: ">=",
	lte: "<=",
};

function likePattern(op: string, v: string): string {
	if (op.includes("contains"))
		return v.startsWith("%") || v.endsWith("%") ? v : `%${v}%`;
	return op.includes("starts_with") ? `${v}%` : `%${v}`;
}

function opSql(
	ctx: SqlContext,
	t: Table,
	alias: string,
	field: SchemaField,
	op: string,
	value: unknown,
): string {
	const c = col(alias, t, field.name);
	if (value === null) {
		if (op === "") return `${c} is null`;
		if (op === "not") return `${c} is not null`;
		throw new QueryError(
			`Filter not supported by value \`null\`: \`${field.name}_${op}\``,
		);
	}
	if (field.list) {
		const arr = arrayParam(ctx, t, field, value as unknown[]);
		switch (op) {
			case "":
				return `${c} = ${arr}`;
			case "not":
				return `${c} != ${arr}`;
			case "contains":
				return `${c} @> ${arr}`;
			case "not_contains":
				return `not ${c} && ${arr}`;
			case "contains_nocase":
				return `exists (select 1 from unnest(${c}) as elem where elem ilike any(${arr}))`;
			case "not_contains_nocase":
				return `not exists (select 1 from unnest(${c}) as elem where elem ilike any(${arr}))`;
		}
	}
	if (op in CMP) return `${c} ${CMP[op]} ${param(ctx, t, field, value)}`;
	if (op === "in" || op === "not_in") {
		const vs = value as unknown[];
		if (vs.length === 0) return "false";
		return `${c} ${op === "in" ? "" : "not "}in (${vs.map((v) => param(ctx, t, field, v)).join(", ")})`;
	}
	const negated = op.startsWith("not_");
	if (valueTypeIn(t, field) === "Bytes") {
		if (op !== "contains" && op !== "not_contains")
			throw new QueryError(
				`Filter not supported by value \`${value}\`: \`${op}\``,
			);
		return `position(${param(ctx, t, field, value)} in ${c}) ${negated ? "= 0" : "> 0"}`;
	}
	const like = op.endsWith("_nocase") ? "ilike" : "like";
	const pattern = ctx.params.add(likePattern(op, String(value)), "text");
	return `${c} ${negated ? "not " : ""}${like} ${pattern}`;
}

/** Rows `ca` of `child` whose `backField` refers to the entity with id `parentId` (a derived field). */
export function derivedMatch(
	child: Table,
	ca: string,
	backField: string,
	parentId: string,
): string {
	const back = child.columnsByField.get(backField);
	if (!back)
		throw new QueryError(
			`Entity \`${child.entity}\` has no attribute \`${backField}\``,
		);
	const bc = `${ca}.${quoteIdent(back.name)}`;
	return back.field.list ? `${parentId} = any(${bc})` : `${bc} = ${parentId}`;
}

/** Entities of `childType` that `field` (of the row `alias` in `t`) refers to, or that refer back to it. */
export function childJoin(
	ctx: SqlContext,
	t: Table,
	alias: string,
	declared: SchemaField,
	child: Table,
	ca: string,
): string {
	// an interface may declare a field that an implementer derives: the implementer's definition counts
	const field =
		ctx.schema.entities.get(t.entity)?.fieldsByName.get(declared.name) ??
		declared;
	if (field.derivedFrom !== undefined)
		return derivedMatch(child, ca, field.derivedFrom, `${alias}.id`);
	const fc = col(alias, t, field.name);
	return field.list ? `${ca}.id = any(${fc})` : `${ca}.id = ${fc}`;
}

/** SQL for a `where` object on rows `alias` of table `t`, using the filter keys of `typeApi`. */
export function whereSql(
	ctx: SqlContext,
	typeApi: TypeApi,
	t: Table,
	alias: string,
	where: Record<string, unknown> | null | undefined,
	nested = false,
): string {
	if (!where) return "true";
	const parts: string[] = [];
	const columnFilters = Object.keys(where)
		.filter((k) => k !== "or" && k !== "and" && k !== "_change_block")
		.map((k) => `'${k}'`);
	if ("or" in where && columnFilters.length > 0) {
		const list = columnFilters.join(", ");
		throw new QueryError(
			`Cannot mix column filters with 'or' operator at the same level. Found column filter(s) ${list} alongside 'or' operator.\n\nInstead of:\nwhere: { ${list}, or: [...] }\n\nUse:\nwhere: { or: [{ ${list}, ... }, { ${list}, ... }] }`,
		);
	}
	for (const [key, value] of Object.entries(where)) {
		const fk = typeApi.filterKeys.get(key);
		if (!fk)
			throw new QueryError(
				`Type \`${typeApi.name}_filter\` has no field \`${key}\``,
			);
		if (fk.kind === "and" || fk.kind === "or") {
			// graph-node builds `and` and `or` from the lists of every key of the object, so any other
			// key next to them (whose value is no list of objects) is refused
			const items = Object.values(where).flatMap((v) => {
				if (
					!Array.isArray(v) ||
					v.some((x) => x === null || typeof x !== "object")
				)
					throw new QueryError("Filter must by an object");
				return v as Record<string, unknown>[];
			});
			const subs = items.map(
				(w) => `(${whereSql(ctx, typeApi, t, alias, w, nested)})`,
			);
			// graph-node: an empty `and` is true, an empty `or` is false
			if (subs.length === 0) parts.push(fk.kind === "and" ? "true" : "false");
			else parts.push(`(${subs.join(fk.kind === "and" ? " and " : " or ")})`);
			continue;
		}
		if (fk.kind === "change_block") {
			const n = Number((value as { number_gte: number }).number_gte);
			parts.push(
				t.immutable
					? `${alias}.${quoteIdent(BLOCK_COLUMN)} >= ${n}`
					: `lower(${alias}.${BLOCK_RANGE}) >= ${n}`,
			);
		} else if (fk.kind === "child") {
			if (nested)
				throw new QueryError(
					`Child filter nesting not supported by value \`${fk.field.name}\`: \`${key}: ${JSON.stringify(value)}\``,
				);
			const childApi = ctx.api.types.get(fk.field.type) as TypeApi;
			const alternatives = tablesFor(ctx, fk.field.type).map((child) => {
				const ca = ctx.params.alias();
				return `exists (select 1 from ${child.qualified} ${ca} where ${childJoin(ctx, t, alias, fk.field, child, ca)} and ${atBlock(child, ca, ctx.block)} and ${whereSql(ctx, childApi, child, ca, value as Record<string, unknown>, true)})`;
			});
			parts.push(
				alternatives.length === 1
					? alternatives[0]
					: `(${alternatives.join(" or ")})`,
			);
		} else {
			parts.push(opSql(ctx, t, alias, fk.field, fk.op, value));
		}
	}
	return parts.length > 0 ? parts.join(" and ") : "true";
}

/** The sort key expression for `orderBy` on rows `alias` of `t`, or null for the default (id) order. */
export function sortKeySql(
	ctx: SqlContext,
	typeApi: TypeApi,
	t: Table,
	alias: string,
	orderBy: string | undefined,
): string | null {
	if (!orderBy) return null;
	const spec = typeApi.orderBy.get(orderBy);
	if (!spec)
		throw new QueryError(
			`Ordering by \`${orderBy}\` is not supported for type \`${typeApi.name}\``,
		);
	if (!spec.child) {
		if (spec.field.name === "id") return null;
		if (spec.field.derivedFrom !== undefined || spec.field.list)
			throw new QueryError(
				`Ordering by \`${orderBy}\` is not supported for type \`${typeApi.name}\``,
			);
		const c = col(alias, t, spec.field.name);
		const column = t.columnsByField.get(spec.field.name);
		return column?.valueType === "String" && !column.isEnum
			? `${c} collate "C"`
			: c;
	}
	const child = spec.child;
	const keys = tablesFor(ctx, spec.field.type).map((ct) => {
		const ca = ctx.params.alias();
		const value = child.name === "id" ? `${ca}.id` : col(ca, ct, child.name);
		return `(select ${value} from ${ct.qualified} ${ca} where ${childJoin(ctx, t, alias, spec.field, ct, ca)} and ${atBlock(ct, ca, ctx.block)} limit 1)`;
	});
	return keys.length === 1 ? keys[0] : `coalesce(${keys.join(", ")})`;
}
