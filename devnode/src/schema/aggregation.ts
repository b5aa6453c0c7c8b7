/**
 * Time series and aggregations (graph-node's docs/aggregations.md, graph/src/schema/input/mod.rs):
 * `@entity(timeseries: true)` types hold data points, `@aggregation(intervals, source)` types declare
 * `@aggregate(fn, arg, cumulative)` fields over them, grouped by the other fields (dimensions). The
 * checks and their messages are graph-node's `validate_aggregations` and `SchemaValidationError`.
 */
import {
	type ConstDirectiveNode,
	type ConstValueNode,
	Kind,
	type ObjectTypeDefinitionNode,
	type TypeNode,
} from "graphql";
import type { SchemaField } from "../store/types.ts";
import { UnsupportedSchemaFeatureError } from "./errors.ts";

export type AggregateFn = "sum" | "count" | "min" | "max" | "first" | "last";
const FNS: AggregateFn[] = ["sum", "max", "min", "count", "first", "last"];

/** graph-node's AggregationInterval, in order of increasing length. */
export type AggregationInterval = "hour" | "day";
export const INTERVAL_SECONDS: Record<AggregationInterval, number> = {
	hour: 3600,
	day: 86400,
};

export interface AggregateDef {
	field: SchemaField;
	fn: AggregateFn;
	/** The `arg` expression over the source's fields; `count` without `arg` counts rows. */
	arg: string | null;
	/** Source fields the expression uses, in order of appearance. */
	argFields: string[];
	cumulative: boolean;
}

export interface AggregationType {
	name: string;
	source: string;
	/** Sorted and deduplicated, shortest first, as graph-node's parse_intervals. */
	intervals: AggregationInterval[];
	/** Every field in schema order: `id`, `timestamp`, dimensions and aggregates. */
	fields: SchemaField[];
	fieldsByName: Map<string, SchemaField>;
	/** The non-aggregate fields besides `id` and `timestamp`, which group the data points. */
	dimensions: SchemaField[];
	aggregates: AggregateDef[];
}

/** The table name graph-node gives an aggregation's interval: `Stats` + `hour` → object type `Stats_hour`. */
export const intervalTypeName = (aggregation: string, interval: string) =>
	`${aggregation}_${interval}`;

const directive = (
	node: { directives?: readonly ConstDirectiveNode[] },
	name: string,
) => node.directives?.find((d) => d.name.value === name);

const argument = (d: ConstDirectiveNode | undefined, name: string) =>
	d?.arguments?.find((a) => a.name.value === name)?.value;

const baseType = (t: TypeNode): string =>
	t.kind === Kind.NAMED_TYPE ? t.name.value : baseType(t.type);

const NUMERIC = ["Int", "Int8", "BigInt", "BigDecimal"];
/** graph-node's `PartialOrd for ValueType` among the numeric types: Int < Int8 < BigInt < BigDecimal. */
const WIDTH: Record<string, number> = { Int: 0, Int8: 1, BigInt: 2, BigDecimal: 3 };

/** graph-node's `ValueType` of a type name (ID counts as String), or null for enums and entities. */
function valueTypeOfName(name: string): string | null {
	if (name === "ID") return "String";
	return [
		"Boolean",
		"BigInt",
		"Bytes",
		"BigDecimal",
		"Int",
		"Int8",
		"String",
		"Timestamp",
	].includes(name)
		? name
		: null;
}

/** What `validate_aggregations` checks needs to know of every object type with `@entity`. */
export interface EntityNode {
	name: string;
	def: ObjectTypeDefinitionNode;
	timeseries: boolean;
}

/** graph-node's `valid_timestamp_field`: a `timestamp` field of type `Timestamp`. */
export function timestampFieldError(
	def: ObjectTypeDefinitionNode,
): string | null {
	const field = def.fields?.find((f) => f.name.value === "timestamp");
	if (!field) return `Timeseries ${def.name.value} is missing a \`timestamp\` field`;
	const t = baseType(field.type);
	return valueTypeOfName(t) === "Timestamp"
		? null
		: `Type ${def.name.value} has a \`timestamp\` field of type ${t}, but it must be of type Timestamp`;
}

/** graph-node's `IdType::try_from(&ObjectType)`. */
function idTypeOf(def: ObjectTypeDefinitionNode): string | { error: string } {
	const id = def.fields?.find((f) => f.name.value === "id");
	if (!id) return { error: `Type ${def.name.value} does not have an \`id\` field` };
	const t = baseType(id.type);
	if (t === "ID" || t === "String") return "String";
	if (t === "Bytes" || t === "Int8") return t;
	return {
		error: `Entity type ${def.name.value} uses illegal type ${t} for id column`,
	};
}

// What graph-node's sqlexpr accepts in `arg` (docs/aggregations.md): these functions and keywords
const FUNCTIONS = new Set([
	"abs",
	"ceil",
	"ceiling",
	"div",
	"floor",
	"gcd",
	"lcm",
	"mod",
	"power",
	"sign",
	"coalesce",
	"nullif",
	"greatest",
	"least",
]);
const KEYWORDS = new Set([
	"and",
	"or",
	"not",
	"is",
	"null",
	"true",
	"false",
	"distinct",
	"from",
	"case",
	"when",
	"then",
	"else",
	"end",
]);
const TOKEN =
	/\s+|(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(<->|<=|>=|!=|<>|[-+*/%^=<>(),])/y;

export type ArgToken =
	| { kind: "field"; name: string }
	| { kind: "text"; text: string };

/**
 * Splits an `arg` expression into source field references and SQL text (numbers, operators, the
 * allowed functions and keywords). Anything else (quotes, casts, other functions) is refused.
 */
export function tokenizeArg(arg: string, where: string): ArgToken[] {
	const out: ArgToken[] = [];
	TOKEN.lastIndex = 0;
	let at = 0;
	while (at < arg.length) {
		TOKEN.lastIndex = at;
		const m = TOKEN.exec(arg);
		if (!m || m.index !== at)
			throw new UnsupportedSchemaFeatureError(
				"this aggregation expression",
				`${where}: \`${arg}\` has \`${arg.slice(at, at + 10)}\` where devnode reads only field names, numbers, the operators + - * / % ^ = != <> < <= > >= <->, and, or, not, is [not] null/true/false/distinct from, case when … end and the functions ${[...FUNCTIONS].join(", ")}`,
			);
		at = TOKEN.lastIndex;
		if (m[1] || m[3]) out.push({ kind: "text", text: m[0] });
		else if (m[2]) {
			const rest = arg.slice(at).trimStart();
			const word = m[2].toLowerCase();
			if (rest.startsWith("(") && !KEYWORDS.has(word)) {
				if (!FUNCTIONS.has(word))
					throw new UnsupportedSchemaFeatureError(
						"this aggregation expression",
						`${where}: \`${arg}\` calls \`${m[2]}\`, which graph-node does not allow`,
					);
				out.push({ kind: "text", text: word });
			} else if (KEYWORDS.has(word)) out.push({ kind: "text", text: word });
			else out.push({ kind: "field", name: m[2] });
		} else out.push({ kind: "text", text: " " });
	}
	return out;
}

/**
 * graph-node's `validate_aggregations` for every `@aggregation` type: the errors, in graph-node's
 * order and words, and the parsed aggregations when there are none.
 */
export function parseAggregations(
	aggregations: ObjectTypeDefinitionNode[],
	entities: EntityNode[],
	toField: (def: ObjectTypeDefinitionNode) => SchemaField[],
): { errors: string[]; types: AggregationType[] } {
	const errors: string[] = [];
	const types: AggregationType[] = [];
	for (const def of aggregations) {
		const name = def.name.value;
		const before = errors.length;
		const ts = timestampFieldError(def);
		if (ts) errors.push(ts);
		for (const f of def.fields ?? [])
			if (directive(f, "derivedFrom"))
				errors.push(
					`Aggregation ${name} has a derived field ${f.name.value} but fields in aggregations can not be derived`,
				);
		// aggregate_field_types
		for (const f of def.fields ?? []) {
			const agg = directive(f, "aggregate");
			if (!agg) continue;
			const fnArg = argument(agg, "fn");
			const firstLast =
				(fnArg?.kind === Kind.STRING || fnArg?.kind === Kind.ENUM) &&
				(fnArg.value === "first" || fnArg.value === "last");
			const t = baseType(f.type);
			const vt = valueTypeOfName(t);
			if (vt && NUMERIC.includes(vt)) continue;
			if (vt === "Bytes" || vt === "String") {
				if (firstLast) continue;
			}
			if (vt !== null) {
				errors.push(
					firstLast
						? `Aggregation '${name}', field '${f.name.value}': first/last aggregates must use a numeric, byte array, string or a reference type`
						: `Aggregation ${name}, field${f.name.value}: aggregates must use a numeric type, one of Int, Int8, BigInt, and BigDecimal`,
				);
				continue;
			}
			if (firstLast && entities.some((e) => e.name === t)) continue;
			errors.push(
				`Type \`${name}\`, field \`${f.name.value}\`: type \`${t}\` is not defined`,
			);
		}
		// aggregate_directive
		const aggDirective = directive(def, "aggregation");
		const sourceArg = argument(aggDirective, "source");
		const parsed: AggregateDef[] = [];
		let source: EntityNode | undefined;
		if (sourceArg === undefined)
			errors.push(`Aggregation ${name} is missing the \`source\` argument`);
		else if (sourceArg.kind !== Kind.STRING)
			errors.push(
				`Aggregation ${name} has an invalid argument for \`source\`: it must be the name of a timeseries`,
			);
		else {
			source = entities.find((e) => e.name === sourceArg.value);
			if (!source)
				errors.push(
					`Aggregaton ${name} uses ${sourceArg.value} as the source, but there is no timeseries of that name`,
				);
			else if (!source.timeseries) {
				errors.push(
					`Aggregation ${name} uses ${source.name} as the source, but that type is not a timeseries`,
				);
				source = undefined;
			}
		}
		if (source) {
			const src = source;
			const srcId = idTypeOf(src.def);
			const aggId = idTypeOf(def);
			if (typeof srcId !== "string") errors.push(srcId.error);
			else if (typeof aggId !== "string") errors.push(aggId.error);
			else if (aggId !== srcId)
				errors.push(
					`The type of the \`id\` field for aggregation ${name} must be ${srcId}, the same as in the source, but is ${aggId}`,
				);
			let hasAggregate = false;
			const srcField = (n: string) =>
				src.def.fields?.find((f) => f.name.value === n);
			for (const f of def.fields ?? []) {
				const fname = f.name.value;
				if (fname === "id" || fname === "timestamp") continue;
				const agg = directive(f, "aggregate");
				if (!agg) {
					const sf = srcField(fname);
					if (!sf)
						errors.push(
							`Aggregation ${name} uses ${src.name} as the source, but that does not have a field ${fname}`,
						);
					else if (baseType(f.type) !== baseType(sf.type))
						errors.push(
							`Field ${fname} in aggregation ${name} has type ${baseType(f.type)} but its type in the source is ${baseType(sf.type)}`,
						);
					continue;
				}
				hasAggregate = true;
				const fnValue = argument(agg, "fn");
				if (fnValue === undefined) {
					errors.push(
						`Field ${fname} in aggregation ${name} is missing the \`fn\` argument`,
					);
					continue;
				}
				if (fnValue.kind !== Kind.STRING && fnValue.kind !== Kind.ENUM) {
					errors.push(
						`Field ${fname} in aggregation ${name} uses the unknown aggregation function \`${printValue(fnValue)}\``,
					);
					continue;
				}
				const fn = fnValue.value as AggregateFn;
				if (!FNS.includes(fn)) {
					errors.push(
						`Field ${fname} in aggregation ${name} uses the unknown aggregation function \`${fnValue.value}\``,
					);
					continue;
				}
				const argValue = argument(agg, "arg");
				const cumulativeValue = argument(agg, "cumulative");
				const cumulative =
					cumulativeValue?.kind === Kind.BOOLEAN && cumulativeValue.value;
				const fieldDef = toFieldOf(def, toField, fname);
				if (argValue === undefined) {
					if (fn !== "count") {
						errors.push(
							`Field ${fname} in aggregation ${name} is missing the \`arg\` argument since the function ${fn} requires it`,
						);
						continue;
					}
					parsed.push({
						field: fieldDef,
						fn,
						arg: null,
						argFields: [],
						cumulative,
					});
					continue;
				}
				if (argValue.kind !== Kind.STRING) {
					errors.push(
						`Field ${fname} in aggregation ${name} has an invalid argument for \`arg\`: it must be a string`,
					);
					continue;
				}
				const arg = argValue.value;
				if (
					cumulativeValue !== undefined &&
					cumulativeValue.kind !== Kind.BOOLEAN
				) {
					errors.push(
						`Field ${fname} in aggregation ${name} has an invalid value for \`cumulative\`. It needs to be a boolean`,
					);
					continue;
				}
				const firstLast = fn === "first" || fn === "last";
				const fieldVt = valueTypeOfName(baseType(f.type));
				const argFields: string[] = [];
				for (const token of tokenizeArg(
					arg,
					`field ${fname} in aggregation ${name}`,
				)) {
					if (token.kind !== "field") continue;
					argFields.push(token.name);
					const sf = srcField(token.name);
					if (!sf) {
						errors.push(
							`Field ${fname} in aggregation ${name} has \`arg\` ${arg} but the source type does not have such a field`,
						);
						continue;
					}
					const argVt = valueTypeOfName(baseType(sf.type));
					if (argVt === null || !NUMERIC.includes(argVt)) {
						if (
							firstLast &&
							(argVt === "Bytes" ||
								argVt === "String" ||
								(argVt === null && baseType(sf.type) === baseType(f.type)))
						)
							continue;
						errors.push(
							`Field ${fname} in aggregation ${name} has arg \`${arg}\` but that is not a numeric field in ${src.name}`,
						);
						continue;
					}
					if (fieldVt === null || !NUMERIC.includes(fieldVt)) {
						errors.push(
							`Aggregation ${name}, field${fname}: aggregates must use a numeric type, one of Int, Int8, BigInt, and BigDecimal`,
						);
						continue;
					}
					if (WIDTH[argVt] > WIDTH[fieldVt])
						errors.push(
							`Field ${fname} in aggregation ${name} has \`arg\` ${arg} of type ${argVt} but it is of the wider type ${fieldVt} in the source`,
						);
				}
				parsed.push({ field: fieldDef, fn, arg, argFields, cumulative });
			}
			if (!hasAggregate) errors.push(`Aggregation ${name} has no @aggregate fields`);
		}
		// aggregation_intervals
		const intervalsArg = argument(aggDirective, "intervals");
		const intervals: AggregationInterval[] = [];
		if (intervalsArg === undefined)
			errors.push(
				`Aggregation ${name} is missing an \`intervals\` argument for the timeseries directive`,
			);
		else if (
			intervalsArg.kind !== Kind.LIST ||
			intervalsArg.values.length === 0 ||
			intervalsArg.values.some((v) => v.kind !== Kind.STRING)
		)
			errors.push(
				`Aggregation ${name} has an invalid argument for \`intervals\`: it must be a non-empty list of strings`,
			);
		else
			for (const v of intervalsArg.values) {
				const interval = (v as { value: string }).value;
				if (interval === "hour" || interval === "day") {
					if (!intervals.includes(interval)) intervals.push(interval);
				} else
					errors.push(
						`Aggregation ${name}: the interval ${interval} is not supported`,
					);
			}
		if (errors.length > before || !source) continue;
		intervals.sort((a, b) => INTERVAL_SECONDS[a] - INTERVAL_SECONDS[b]);
		const fields = toField(def);
		for (const f of fields)
			if (f.list)
				throw new UnsupportedSchemaFeatureError(
					"list fields in aggregations",
					`aggregation \`${name}\`, field \`${f.name}\``,
				);
		const aggregateNames = new Set(parsed.map((a) => a.field.name));
		types.push({
			name,
			source: source.name,
			intervals,
			fields,
			fieldsByName: new Map(fields.map((f) => [f.name, f])),
			dimensions: fields.filter(
				(f) =>
					f.name !== "id" &&
					f.name !== "timestamp" &&
					!aggregateNames.has(f.name),
			),
			aggregates: parsed,
		});
	}
	return { errors, types };
}

function toFieldOf(
	def: ObjectTypeDefinitionNode,
	toField: (def: ObjectTypeDefinitionNode) => SchemaField[],
	name: string,
): SchemaField {
	return toField(def).find((f) => f.name === name) as SchemaField;
}

function printValue(v: ConstValueNode): string {
	switch (v.kind) {
		case Kind.INT:
		case Kind.FLOAT:
		case Kind.STRING:
		case Kind.ENUM:
			return v.value;
		case Kind.BOOLEAN:
			return String(v.value);
		case Kind.NULL:
			return "null";
		default:
			return v.kind;
	}
}
