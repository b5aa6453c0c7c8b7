/**
 * `schema.graphql` → the model both the runtime (validation on save) and the store/query layers use.
 * Follows graph-node's `InputSchema`: `@entity` object types, interfaces, enums, `@derivedFrom`,
 * `@entity(immutable)`, and `@fulltext` on `_Schema_`.
 */
import {
	type ConstDirectiveNode,
	type ConstValueNode,
	type FieldDefinitionNode,
	Kind,
	type ObjectTypeDefinitionNode,
	parse,
	type TypeNode,
} from "graphql";
import type { SchemaEntity, SchemaField } from "../store/types.ts";
import {
	type AggregationType,
	type EntityNode,
	parseAggregations,
	timestampFieldError,
} from "./aggregation.ts";
import { SchemaError, UnsupportedSchemaFeatureError } from "./errors.ts";

export {
	type AggregateDef,
	type AggregateFn,
	type AggregationInterval,
	type AggregationType,
	INTERVAL_SECONDS,
	intervalTypeName,
	tokenizeArg,
} from "./aggregation.ts";
export {
	EntityValidationError,
	SchemaError,
	UnsupportedSchemaFeatureError,
} from "./errors.ts";
export {
	queryFieldNames,
	toCamelCase,
	toPlural,
	toSnakeCase,
} from "./inflector.ts";
export { formatValue, validateEntity, valueTypeName } from "./validate.ts";

export const SCALARS = [
	"ID",
	"String",
	"Bytes",
	"BigInt",
	"BigDecimal",
	"Int",
	"Int8",
	"Boolean",
	"Timestamp",
] as const;

export interface SchemaEntityType extends SchemaEntity {
	/** `@entity(immutable: true, skipDuplicates: true)`: a second insert is ignored instead of failing. */
	skipDuplicates: boolean;
	fieldsByName: Map<string, SchemaField>;
}

export interface SchemaInterface {
	name: string;
	fields: SchemaField[];
	fieldsByName: Map<string, SchemaField>;
	/** Entity types implementing it, in schema order. */
	implementers: string[];
}

export interface FulltextDefinition {
	/** The query field name, e.g. `bandSearch`. */
	name: string;
	/** Postgres text search configuration, e.g. `english` (graph-node maps `en` to `'english'`). */
	language: string;
	algorithm: "rank" | "proximityRank";
	entity: string;
	fields: string[];
}

export interface SubgraphSchema {
	text: string;
	entities: Map<string, SchemaEntityType>;
	interfaces: Map<string, SchemaInterface>;
	enums: Map<string, string[]>;
	fulltext: FulltextDefinition[];
	/** `@aggregation` types by name. */
	aggregations: Map<string, AggregationType>;
}

// graph-node's FulltextLanguage: directive value → Postgres configuration.
const FULLTEXT_LANGUAGES: Record<string, string> = {
	simple: "simple",
	da: "danish",
	nl: "dutch",
	en: "english",
	fi: "finnish",
	fr: "french",
	de: "german",
	hu: "hungarian",
	it: "italian",
	no: "norwegian",
	pt: "portuguese",
	ro: "romanian",
	ru: "russian",
	es: "spanish",
	sv: "swedish",
	tr: "turkish",
};

function unwrapType(
	t: TypeNode,
	where: string,
): { type: string; list: boolean; nonNull: boolean } {
	let node = t;
	let nonNull = false;
	let list = false;
	if (node.kind === Kind.NON_NULL_TYPE) {
		nonNull = true;
		node = node.type;
	}
	if (node.kind === Kind.LIST_TYPE) {
		list = true;
		node = node.type;
		if (node.kind === Kind.NON_NULL_TYPE) node = node.type;
		if (node.kind === Kind.LIST_TYPE)
			throw new UnsupportedSchemaFeatureError(
				"nested lists",
				`${where} is a list of lists`,
			);
	}
	if (node.kind !== Kind.NAMED_TYPE)
		throw new SchemaError(`${where}: unexpected type`);
	return { type: node.name.value, list, nonNull };
}

function directive(
	node: { directives?: readonly ConstDirectiveNode[] },
	name: string,
) {
	return node.directives?.find((d) => d.name.value === name);
}

function argument(
	d: ConstDirectiveNode,
	name: string,
): ConstValueNode | undefined {
	return d.arguments?.find((a) => a.name.value === name)?.value;
}

function boolArg(d: ConstDirectiveNode, name: string): boolean {
	const v = argument(d, name);
	return v?.kind === Kind.BOOLEAN ? v.value : false;
}

function fieldsOf(node: {
	name: { value: string };
	fields?: readonly FieldDefinitionNode[];
}): SchemaField[] {
	return (node.fields ?? []).map((f) => {
		const where = `Type \`${node.name.value}\`, field \`${f.name.value}\``;
		const t = unwrapType(f.type, where);
		const derived = directive(f, "derivedFrom");
		const field: SchemaField = {
			name: f.name.value,
			type: t.type,
			list: t.list,
			nonNull: t.nonNull,
		};
		if (derived) {
			const target = argument(derived, "field");
			if (target?.kind !== Kind.STRING)
				throw new SchemaError(
					`${where}: @derivedFrom needs a \`field\` string argument`,
				);
			field.derivedFrom = target.value;
		}
		return field;
	});
}

function parseFulltext(d: ConstDirectiveNode): FulltextDefinition {
	const str = (n: string) => {
		const v = argument(d, n);
		if (!v || (v.kind !== Kind.STRING && v.kind !== Kind.ENUM))
			throw new SchemaError(`@fulltext needs a \`${n}\` argument`);
		return v.value;
	};
	const name = str("name");
	const lang = str("language");
	const language = FULLTEXT_LANGUAGES[lang];
	if (!language)
		throw new SchemaError(
			`Provided language for fulltext search is invalid: ${lang}`,
		);
	const algorithm = str("algorithm");
	if (algorithm !== "rank" && algorithm !== "proximityRank")
		throw new SchemaError(
			`The provided fulltext search algorithm ${algorithm} is invalid. It must be one of: rank, proximityRank`,
		);
	const include = argument(d, "include");
	if (
		include?.kind !== Kind.LIST ||
		include.values.length !== 1 ||
		include.values[0].kind !== Kind.OBJECT
	)
		throw new SchemaError(
			`@fulltext(name: "${name}") must include exactly one entity`,
		);
	const obj = include.values[0];
	const entity = obj.fields.find((f) => f.name.value === "entity")?.value;
	const fields = obj.fields.find((f) => f.name.value === "fields")?.value;
	if (entity?.kind !== Kind.STRING || fields?.kind !== Kind.LIST)
		throw new SchemaError(
			`@fulltext(name: "${name}"): include needs \`entity\` and \`fields\``,
		);
	return {
		name,
		language,
		algorithm,
		entity: entity.value,
		fields: fields.values.map((v) => {
			const n =
				v.kind === Kind.OBJECT
					? v.fields.find((f) => f.name.value === "name")?.value
					: undefined;
			if (n?.kind !== Kind.STRING)
				throw new SchemaError(
					`@fulltext(name: "${name}"): each field needs a \`name\``,
				);
			return n.value;
		}),
	};
}

/**
 * Parses and checks `schema.graphql`; throws `UnsupportedSchemaFeatureError` naming what it refuses.
 * `specVersion` (the manifest's) turns on graph-node's version checks: aggregations need 1.1.0.
 */
export function parseSchema(
	text: string,
	options: { specVersion?: string } = {},
): SubgraphSchema {
	const doc = parse(text);
	const entities = new Map<string, SchemaEntityType>();
	const interfaces = new Map<string, SchemaInterface>();
	const enums = new Map<string, string[]>();
	const fulltext: FulltextDefinition[] = [];
	const objects: ObjectTypeDefinitionNode[] = [];
	const aggregationDefs: ObjectTypeDefinitionNode[] = [];

	for (const def of doc.definitions) {
		switch (def.kind) {
			case Kind.OBJECT_TYPE_DEFINITION:
				if (def.name.value === "_Schema_") {
					for (const d of def.directives ?? [])
						if (d.name.value === "fulltext") fulltext.push(parseFulltext(d));
				} else if (directive(def, "aggregation")) {
					aggregationDefs.push(def);
				} else if (directive(def, "entity")) {
					objects.push(def);
				} else {
					throw new SchemaError(
						`Entity type \`${def.name.value}\` does not have an @entity directive`,
					);
				}
				break;
			case Kind.INTERFACE_TYPE_DEFINITION: {
				const fields = fieldsOf(def);
				interfaces.set(def.name.value, {
					name: def.name.value,
					fields,
					fieldsByName: new Map(fields.map((f) => [f.name, f])),
					implementers: [],
				});
				break;
			}
			case Kind.ENUM_TYPE_DEFINITION:
				enums.set(
					def.name.value,
					(def.values ?? []).map((v) => v.name.value),
				);
				break;
			case Kind.UNION_TYPE_DEFINITION:
				throw new UnsupportedSchemaFeatureError(
					"union types",
					`union \`${def.name.value}\``,
				);
			case Kind.SCALAR_TYPE_DEFINITION:
				throw new UnsupportedSchemaFeatureError(
					"custom scalars",
					`scalar \`${def.name.value}\``,
				);
			case Kind.INPUT_OBJECT_TYPE_DEFINITION:
				throw new UnsupportedSchemaFeatureError(
					"input types",
					`input \`${def.name.value}\``,
				);
			default:
				throw new UnsupportedSchemaFeatureError(
					def.kind,
					"only entity types, interfaces, enums and _Schema_ are allowed",
				);
		}
	}

	// graph-node's validate_entity_directives and validate_aggregations: every error, then refuse
	const errors: string[] = [];
	const entityNodes: EntityNode[] = [];
	for (const def of objects) {
		const name = def.name.value;
		const ed = directive(def, "entity") as ConstDirectiveNode;
		const flags: Record<string, boolean | undefined> = {};
		const bad = ["timeseries", "immutable", "skipDuplicates"].find((k) => {
			const v = argument(ed, k);
			if (v !== undefined && v.kind !== Kind.BOOLEAN) return true;
			flags[k] = v?.value as boolean | undefined;
			return false;
		});
		if (bad) {
			errors.push(
				`The \`${bad}\` argument of the @entity directive must be a boolean`,
			);
			continue;
		}
		const timeseries = flags.timeseries ?? false;
		const immutable = flags.immutable ?? timeseries;
		entityNodes.push({ name, def, timeseries });
		if ((flags.skipDuplicates ?? false) && !immutable)
			errors.push(
				`Entity type \`${name}\` has skipDuplicates: true but is not immutable; skipDuplicates requires immutable: true`,
			);
		else if (timeseries && !immutable)
			errors.push(`Timeseries ${name} is marked as mutable, it must be immutable`);
		else if (timeseries) {
			const id = def.fields?.find((f) => f.name.value === "id");
			const idType = id && unwrapType(id.type, name).type;
			if (!id) errors.push(`Type ${name} is missing an \`id\` field`);
			else if (idType !== "Int8")
				errors.push(
					`Timeseries \`${name}\` must have an \`id\` field of type \`Int8\``,
				);
			else {
				const ts = timestampFieldError(def);
				if (ts) errors.push(ts);
			}
		}
	}
	if (
		aggregationDefs.length > 0 &&
		options.specVersion !== undefined &&
		versionBefore(options.specVersion, "1.1.0")
	) {
		const e = new SchemaError(
			`Aggregations are not supported with spec version ${options.specVersion}; please migrate the subgraph to the latest version`,
		);
		e.errors = [e.message];
		throw e;
	}
	const aggregated = parseAggregations(aggregationDefs, entityNodes, fieldsOf);
	errors.push(...aggregated.errors);
	if (errors.length > 0) {
		const e = new SchemaError(errors.join("\n"));
		e.errors = errors;
		throw e;
	}
	const aggregations = new Map(aggregated.types.map((a) => [a.name, a]));

	for (const def of objects) {
		const name = def.name.value;
		const ed = directive(def, "entity") as ConstDirectiveNode;
		const timeseries = boolArg(ed, "timeseries");
		const fields = fieldsOf(def);
		const id = fields.find((f) => f.name === "id");
		if (!id)
			throw new SchemaError(
				`Entity type \`${name}\` does not have an \`id\` field`,
			);
		const idType =
			id.type === "ID" || id.type === "String" ? "String" : id.type;
		if (
			(idType !== "String" && idType !== "Bytes" && idType !== "Int8") ||
			id.list ||
			!id.nonNull
		)
			throw new SchemaError(
				`Entity type \`${name}\`: the \`id\` field must have type \`ID!\`, \`String!\`, \`Bytes!\` or \`Int8!\``,
			);
		const immutableArg = argument(ed, "immutable");
		const immutable =
			immutableArg?.kind === Kind.BOOLEAN ? immutableArg.value : timeseries;
		const implemented = (def.interfaces ?? []).map((i) => i.name.value);
		entities.set(name, {
			name,
			immutable,
			timeseries,
			skipDuplicates: immutable && boolArg(ed, "skipDuplicates"),
			interfaces: implemented,
			fields,
			fieldsByName: new Map(fields.map((f) => [f.name, f])),
			idType,
		});
		for (const i of implemented) {
			const iface = interfaces.get(i);
			if (!iface) throw new SchemaError(`Interface \`${i}\` not defined`);
			iface.implementers.push(name);
		}
	}

	const known = new Set<string>([
		...SCALARS,
		...entities.keys(),
		...interfaces.keys(),
		...enums.keys(),
	]);
	const check = (owner: string, f: SchemaField) => {
		if (aggregations.has(f.type))
			throw new UnsupportedSchemaFeatureError(
				"fields whose type is an aggregation",
				`type \`${owner}\`, field \`${f.name}\` (query the aggregation's own field instead)`,
			);
		if (!known.has(f.type))
			throw new SchemaError(
				`Type \`${owner}\`, field \`${f.name}\`: type \`${f.type}\` is not defined`,
			);
		if (f.derivedFrom !== undefined) {
			const target = entities.get(f.type) ?? interfaces.get(f.type);
			if (!target)
				throw new SchemaError(
					`Type \`${owner}\`, field \`${f.name}\`: @derivedFrom needs an entity type`,
				);
			if (!target.fieldsByName.has(f.derivedFrom))
				throw new SchemaError(
					`Type \`${owner}\`, field \`${f.name}\`: field \`${f.derivedFrom}\` does not exist on type \`${f.type}\``,
				);
		}
	};
	for (const e of entities.values()) for (const f of e.fields) check(e.name, f);
	for (const i of interfaces.values())
		for (const f of i.fields) check(i.name, f);
	for (const a of aggregations.values())
		for (const f of a.fields) check(a.name, f);
	for (const ft of fulltext) {
		const e = entities.get(ft.entity);
		if (!e)
			throw new SchemaError(
				`@fulltext(name: "${ft.name}"): entity \`${ft.entity}\` is not defined`,
			);
		for (const f of ft.fields) {
			const field = e.fieldsByName.get(f);
			if (field?.type !== "String" || field.list)
				throw new SchemaError(
					`@fulltext(name: "${ft.name}"): \`${ft.entity}.${f}\` must be a String field`,
				);
		}
	}
	return { text, entities, interfaces, enums, fulltext, aggregations };
}

/** True when the field refers to entities (an entity or interface type) rather than holding a scalar or enum. */
export function isReference(
	schema: SubgraphSchema,
	field: SchemaField,
): boolean {
	return schema.entities.has(field.type) || schema.interfaces.has(field.type);
}

/** The id type of an entity or interface type (an interface's implementers share it). */
export function idTypeOf(
	schema: SubgraphSchema,
	typeName: string,
): "String" | "Bytes" | "Int8" {
	const e = schema.entities.get(typeName);
	if (e) return e.idType;
	const first = schema.interfaces.get(typeName)?.implementers[0];
	return first ? (schema.entities.get(first)?.idType ?? "String") : "String";
}

/** The graph-node value type stored for a field: references store the target's id, enums and IDs strings. */
export function valueTypeOf(
	schema: SubgraphSchema,
	field: SchemaField,
): string {
	if (isReference(schema, field)) return idTypeOf(schema, field.type);
	if (field.type === "ID" || schema.enums.has(field.type)) return "String";
	return field.type;
}

function versionBefore(version: string, min: string): boolean {
	const a = version.split(".").map(Number);
	const b = min.split(".").map(Number);
	for (let i = 0; i < 3; i++)
		if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
	return false;
}
