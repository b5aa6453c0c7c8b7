/** Lookups over the parsed schema that the runtime needs on every store call. */
import type { SchemaEntity, SchemaField, Value } from "../store/types.ts";

export class IdParseError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "IdParseError";
	}
}

export class SchemaIndex {
	private readonly entities = new Map<string, SchemaEntity>();
	private readonly fields = new Map<string, Map<string, SchemaField>>();
	private readonly aggregations: Set<string>;

	/** `aggregations`: the names of `@aggregation` types, which mappings cannot write. */
	constructor(entities: SchemaEntity[], aggregations: Iterable<string> = []) {
		this.aggregations = new Set(aggregations);
		for (const entity of entities) {
			this.entities.set(entity.name, entity);
			this.fields.set(
				entity.name,
				new Map(entity.fields.map((f) => [f.name, f])),
			);
		}
	}

	/** graph-node's InputSchema::entity_type error for a name it does not know. */
	entity(name: string): SchemaEntity {
		const entity = this.entities.get(name);
		if (!entity && this.aggregations.has(name))
			throw new IdParseError(
				`Cannot set entity of type \`${name}\`. The type must be an @entity type`,
			);
		if (!entity)
			throw new Error(
				`internal error: unknown name ${name} when looking up entity type`,
			);
		return entity;
	}

	field(entityType: string, field: string): SchemaField | undefined {
		return this.fields.get(entityType)?.get(field);
	}

	/** IdType::parse: Bytes ids are hex with an optional 0x (stored lowercase), Int8 ids are i64. */
	parseId(entityType: string, id: string): { key: string; value: Value } {
		const { idType } = this.entity(entityType);
		if (idType === "Bytes") {
			const hex = id.startsWith("0x") ? id.slice(2) : id;
			if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex))
				throw new IdParseError(`can not convert \`${id}\` to Id::Bytes`);
			const bytes = Uint8Array.from(Buffer.from(hex, "hex"));
			return {
				key: `0x${hex.toLowerCase()}`,
				value: { kind: "Bytes", value: bytes },
			};
		}
		if (idType === "Int8") {
			if (!/^[+-]?\d+$/.test(id))
				throw new IdParseError(`can not convert \`${id}\` to Id::Int8`);
			const value = BigInt(id);
			if (value !== BigInt.asIntN(64, value))
				throw new IdParseError(`can not convert \`${id}\` to Id::Int8`);
			return { key: value.toString(), value: { kind: "Int8", value } };
		}
		return { key: id, value: { kind: "String", value: id } };
	}
}

export function valuesEqual(a: Value, b: Value): boolean {
	if (a.kind !== b.kind) return false;
	switch (a.kind) {
		case "Null":
			return true;
		case "Bytes": {
			const bv = (b as typeof a).value;
			return (
				a.value.length === bv.length && a.value.every((x, i) => x === bv[i])
			);
		}
		case "Array": {
			const bv = (b as typeof a).value;
			return (
				a.value.length === bv.length &&
				a.value.every((x, i) => valuesEqual(x, bv[i]))
			);
		}
		default:
			return a.value === (b as typeof a).value;
	}
}

/** graph-node's Value Debug form, used in its error texts. */
export function debugValue(v: Value): string {
	switch (v.kind) {
		case "Null":
			return "Null";
		case "String":
			return `String(${JSON.stringify(v.value)})`;
		case "Bytes":
			return `Bytes(0x${Buffer.from(v.value).toString("hex")})`;
		case "Array":
			return `List([${v.value.map(debugValue).join(", ")}])`;
		default:
			return `${v.kind}(${v.value})`;
	}
}

/**
 * graph-node's `IdType::generate_id` for `store.set` of a timeseries or of the id `auto`: the block
 * number and a per-block sequence, Int8 as `block << 32 | seq`, Bytes as their 8 big-endian bytes.
 */
export function generateId(
	idType: SchemaEntity["idType"],
	block: number,
	seq: number,
): string {
	if (idType === "String")
		throw new IdParseError("String does not support generating ids");
	if (idType === "Int8")
		return BigInt.asIntN(64, (BigInt(block) << 32n) | BigInt(seq)).toString();
	const bytes = Buffer.alloc(8);
	bytes.writeInt32BE(block, 0);
	bytes.writeUInt32BE(seq, 4);
	return `0x${bytes.toString("hex")}`;
}
