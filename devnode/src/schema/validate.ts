/** Entity checks on save, with the texts of graph-node's `Entity::validate` and `HostExports::store_set`. */
import type { Entity, SchemaField, Value } from "../store/types.ts";
import { EntityValidationError } from "./errors.ts";
import { type SubgraphSchema, valueTypeOf } from "./index.ts";

const hex = (b: Uint8Array) =>
	`0x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex")}`;

/** graph-node's `Value::type_name`. */
export function valueTypeName(v: Value): string {
	switch (v.kind) {
		case "Bool":
			return "Boolean";
		case "Array":
			return v.value.length > 0 ? `[${valueTypeName(v.value[0])}]` : "[Any]";
		default:
			return v.kind;
	}
}

/** graph-node's `Display for Value`. */
export function formatValue(v: Value): string {
	switch (v.kind) {
		case "Null":
			return "null";
		case "Bytes":
			return hex(v.value);
		case "Array":
			return `[${v.value.map(formatValue).join(", ")}]`;
		default:
			return String(v.value);
	}
}

// Value::is_assignable: which value kinds a field's value type accepts.
const ASSIGNABLE: Record<string, Value["kind"]> = {
	String: "String",
	BigDecimal: "BigDecimal",
	BigInt: "BigInt",
	Boolean: "Bool",
	Bytes: "Bytes",
	Int: "Int",
	Int8: "Int8",
	Timestamp: "Timestamp",
};

function assignable(v: Value, valueType: string, list: boolean): boolean {
	if (v.kind === "Null") return true;
	if (v.kind === "Array")
		return list && v.value.every((x) => assignable(x, valueType, false));
	return ASSIGNABLE[valueType] === v.kind;
}

/** The GraphQL spelling of a field's type, as graph-node prints `field_type`. */
function fieldTypeText(f: SchemaField): string {
	const base = f.list ? `[${f.type}!]` : f.type;
	return f.nonNull ? `${base}!` : base;
}

function idText(entity: Entity): string {
	const id = entity.get("id");
	return id ? (id.kind === "Bytes" ? hex(id.value) : formatValue(id)) : "";
}

/**
 * Throws `EntityValidationError` when `entity` (the full, merged entity about to be stored) does not fit
 * the schema. Null values count as absent, as after graph-node's `merge_remove_null_fields`.
 */
export function validateEntity(
	schema: SubgraphSchema,
	entityType: string,
	entity: Entity,
): void {
	const id = idText(entity);
	const type = schema.entities.get(entityType);
	if (!type)
		throw new EntityValidationError(
			`Entity ${entityType}[${id}]: unknown entity type \`${entityType}\``,
		);
	const undefinedFields = [...entity.keys()]
		.filter((k) => !type.fieldsByName.has(k))
		.sort();
	if (undefinedFields.length > 0)
		throw new EntityValidationError(
			`Attempted to set undefined fields [${undefinedFields.join(", ")}] for the entity type \`${entityType}\`. Make sure those fields are defined in the schema.`,
		);
	for (const field of type.fields) {
		const raw = entity.get(field.name);
		const value = raw?.kind === "Null" ? undefined : raw;
		if (field.derivedFrom !== undefined) {
			if (value)
				throw new EntityValidationError(
					`Entity ${entityType}[${id}]: field \`${field.name}\` is derived and cannot be set`,
				);
			continue;
		}
		if (!value) {
			if (field.nonNull)
				throw new EntityValidationError(
					`Entity ${entityType}[${id}]: missing value for non-nullable field \`${field.name}\``,
				);
			continue;
		}
		const valueType = valueTypeOf(schema, field);
		if (field.list && value.kind === "Array") {
			const index = value.value.findIndex(
				(x) => !assignable(x, valueType, false),
			);
			if (index >= 0)
				throw new EntityValidationError(
					`Entity ${entityType}[${id}]: field \`${field.name}\` is of type ${fieldTypeText(field)}, but the value \`${formatValue(value)}\` contains a ${valueTypeName(value.value[index])} at index ${index}`,
				);
		}
		if (!assignable(value, valueType, field.list))
			throw new EntityValidationError(
				`Entity ${entityType}[${id}]: the value \`${formatValue(value)}\` for field \`${field.name}\` must have type ${fieldTypeText(field)} but has type ${valueTypeName(value)}`,
			);
	}
}
