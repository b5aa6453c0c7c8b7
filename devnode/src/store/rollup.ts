/**
 * The SQL of graph-node's rollups (store/postgres/src/relational/rollup.rs): aggregating a time
 * series' data points of one bucket into an aggregation's interval table, and the current, partially
 * filled bucket that queries with `current: include` add. Timestamps are microseconds (int8).
 *
 * A bucket's row per group of dimensions takes the largest data point id as its id; `first`/`last`
 * are the non-null values with the smallest/largest id (graph-node's arg_min/arg_max aggregates);
 * cumulative aggregates combine the group's latest earlier row with the bucket, in that order.
 */
import {
	type AggregateDef,
	INTERVAL_SECONDS,
	intervalTypeName,
	tokenizeArg,
} from "../schema/index.ts";
import { BLOCK_COLUMN, quoteIdent, type Table } from "./layout.ts";

/** One interval's rollup: the aggregation table and its source time series table. */
export interface RollupTables {
	agg: Table;
	source: Table;
}

export function rollupTables(
	tables: Map<string, Table>,
): RollupTables[] {
	const out: RollupTables[] = [];
	for (const agg of tables.values()) {
		if (!agg.aggregation) continue;
		const source = tables.get(agg.aggregation.type.source) as Table;
		out.push({ agg, source });
	}
	// graph-node's agg_mappings: intervals non-decreasing, so a rollup loop can stop at the first
	// interval without a finished bucket
	return out.sort(
		(a, b) =>
			INTERVAL_SECONDS[a.agg.aggregation?.interval ?? "hour"] -
			INTERVAL_SECONDS[b.agg.aggregation?.interval ?? "hour"],
	);
}

/** Microseconds of an interval. */
export const intervalMicros = (t: Table) =>
	BigInt(INTERVAL_SECONDS[t.aggregation?.interval ?? "hour"]) * 1_000_000n;

const colOf = (t: Table, field: string) =>
	quoteIdent(t.columnsByField.get(field)?.name as string);

/** The `arg` expression over the source rows `alias`, its field names replaced by columns. */
function argSql(a: AggregateDef, source: Table, alias: string): string {
	return tokenizeArg(a.arg as string, a.field.name)
		.map((tk) =>
			tk.kind === "field" ? `${alias}.${colOf(source, tk.name)}` : tk.text,
		)
		.join(" ");
}

/** `func(value)` for one aggregate; `order` decides first and last (an id, or the combine order). */
function aggregateOver(
	a: AggregateDef,
	value: string,
	order: string,
	combining: boolean,
): string {
	switch (a.fn) {
		case "sum":
		case "max":
		case "min":
			return `${a.fn}(${value})`;
		case "count":
			return combining ? `sum(${value})` : "count(*)";
		case "first":
			return `(array_agg(${value} order by ${order}) filter (where ${value} is not null))[1]`;
		case "last":
			return `(array_agg(${value} order by ${order} desc) filter (where ${value} is not null))[1]`;
	}
}

function sqlTypeOf(t: Table, field: string): string {
	const c = t.columnsByField.get(field);
	return c?.sqlType ?? "numeric";
}

/**
 * `select id, <bucket timestamp>, <dimensions>, <aggregates>` over the source rows `s` matching
 * `where`, grouped by the dimensions; columns named as the aggregation table's.
 */
function bucketSelect(
	{ agg, source }: RollupTables,
	timestamp: string,
	where: string,
	extra = "",
): string {
	const type = agg.aggregation?.type;
	if (!type) throw new TypeError(`${agg.entity} is not an aggregation table`);
	const dims = type.dimensions.map((d) => `s.${colOf(source, d.name)}`);
	const cols = [
		`max(s.id) as id`,
		`${timestamp} as "timestamp"`,
		...type.dimensions.map(
			(d) => `s.${colOf(source, d.name)} as ${colOf(agg, d.name)}`,
		),
		...type.aggregates.map(
			(a) =>
				`${aggregateOver(a, a.arg === null ? "1" : argSql(a, source, "s"), "s.id", false)} as ${colOf(agg, a.field.name)}`,
		),
	];
	return `select ${cols.join(", ")}${extra} from ${source.qualified} s where ${where}${dims.length ? ` group by ${dims.join(", ")}` : ""} having count(*) > 0`;
}

/**
 * Combines each bucket row with its group's latest row in `agg` before `before` (cumulative
 * aggregates only; the others take the bucket's value): graph-node's `prev` and `combined` CTEs.
 */
function cumulativeCtes(
	{ agg }: RollupTables,
	bucket: string,
	before: string,
): string {
	const type = agg.aggregation?.type;
	if (!type) throw new TypeError(`${agg.entity} is not an aggregation table`);
	const dims = type.dimensions.map((d) => colOf(agg, d.name));
	const keys = ["id", `"timestamp"`, ...dims];
	const prevCols = [
		...keys.map((k) => `bucket.${k}`),
		...type.aggregates.map((a) =>
			a.cumulative
				? `prev.${colOf(agg, a.field.name)}`
				: `null::${sqlTypeOf(agg, a.field.name)} as ${colOf(agg, a.field.name)}`,
		),
	];
	const match = dims.map((d) => ` and prev.${d} = bucket.${d}`).join("");
	const combined = [
		...keys,
		...type.aggregates.map(
			(a) =>
				`${aggregateOver(a, colOf(agg, a.field.name), "seq", true)} as ${colOf(agg, a.field.name)}`,
		),
	];
	return `with bucket as (${bucket}), prev as (select ${prevCols.join(", ")} from bucket cross join lateral (select * from ${agg.qualified} prev where prev."timestamp" < ${before}${match} order by prev."timestamp" desc limit 1) prev), combined as (select ${combined.join(", ")} from (select *, 1 as seq from prev union all select *, 2 as seq from bucket) u group by ${keys.join(", ")})`;
}

/** The columns of an aggregation table in storage order, quoted. */
export function aggColumns(agg: Table): string[] {
	return agg.columns.map((c) => quoteIdent(c.name));
}

/**
 * Inserts the bucket `[start, end)` (microseconds) of one interval at block `block`: graph-node's
 * `Rollup::insert`.
 */
export function rollupInsertSql(
	r: RollupTables,
	start: bigint,
	end: bigint,
	block: number,
): string {
	const type = r.agg.aggregation?.type;
	if (!type) throw new TypeError(`${r.agg.entity} is not an aggregation table`);
	const where = `s."timestamp" >= ${start} and s."timestamp" < ${end}`;
	const bucket = bucketSelect(r, `${start}::int8`, where);
	const cols = aggColumns(r.agg).join(", ");
	const insert = `insert into ${r.agg.qualified} (${quoteIdent(BLOCK_COLUMN)}, ${cols})`;
	if (!type.aggregates.some((a) => a.cumulative))
		return `${insert} select ${block}, ${cols} from (${bucket}) b;`;
	return `${cumulativeCtes(r, bucket, String(start))} ${insert} select ${block}, ${cols} from combined;`;
}

/**
 * graph-node's `select_current`: the current bucket from the data points not rolled up yet (at or
 * after the last rollup, which graph-node deduces as the newest bucket's start + interval + 1 s),
 * restricted by `filter` on the source rows `s`. Columns as the aggregation table's.
 */
export function currentBucketSql(r: RollupTables, filter: string): string {
	const type = r.agg.aggregation?.type;
	if (!type) throw new TypeError(`${r.agg.entity} is not an aggregation table`);
	const micros = intervalMicros(r.agg);
	const lastRollup = `coalesce((select max("timestamp") + ${micros + 1_000_000n} from ${r.agg.qualified}), (-9223372036854775807 - 1)::int8)`;
	const where = `s."timestamp" >= ${lastRollup} and ${filter}`;
	// the bucket's start, as date_bin does for non-negative times
	const start = `max(s."timestamp" - mod(s."timestamp", ${micros}))`;
	const bucket = bucketSelect(r, start, where);
	if (!type.aggregates.some((a) => a.cumulative)) return bucket;
	return `${cumulativeCtes(r, bucket, lastRollup)} select ${aggColumns(r.agg).join(", ")} from combined`;
}

/** The interval table of `aggregation` for `interval`, if the aggregation has that interval. */
export function intervalTable(
	tables: Map<string, Table>,
	aggregation: string,
	interval: string,
): Table | undefined {
	return tables.get(intervalTypeName(aggregation, interval));
}
