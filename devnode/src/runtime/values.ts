/** Marshalling of graph-ts values (StoreValue, entities as TypedMap, JSONValue, BigDecimal) in and out of WASM. */
import type { Entity, Value } from "../store/types.ts";
import { type AscHeap, AscType } from "./asc.ts";
import { BigDecimal } from "./bigdecimal.ts";

/** graph-node's StoreValueKind discriminants. */
export const StoreValueKind = {
	String: 0,
	Int: 1,
	BigDecimal: 2,
	Bool: 3,
	Array: 4,
	Null: 5,
	Bytes: 6,
	BigInt: 7,
	Int8: 8,
	Timestamp: 9,
} as const;

/** graph-node's JsonValueKind discriminants. */
export const JsonValueKind = {
	Null: 0,
	Bool: 1,
	Number: 2,
	String: 3,
	Array: 4,
	Object: 5,
} as const;

export class UnknownValueKindError extends Error {
	constructor(what: string, kind: number) {
		super(`Unknown ${what} kind ${kind}`);
		this.name = "UnknownValueKindError";
	}
}

/** AscBigDecimal { digits: BigInt, exp: BigInt }, normalised on the way in as graph-node does. */
export function readBigDecimal(heap: AscHeap, ptr: number): BigDecimal {
	return BigDecimal.fromDigitsAndExponent(
		heap.readBigInt(heap.u32(ptr)),
		heap.readBigInt(heap.u32(ptr + 4)),
	);
}

export function writeBigDecimal(heap: AscHeap, value: BigDecimal): number {
	const digits = heap.bigInt(value.int);
	const exp = heap.bigInt(BigInt(-value.scale));
	return heap.struct(AscType.BigDecimal, [digits, exp]);
}

export function readValue(heap: AscHeap, ptr: number): Value {
	const { kind, payload } = heap.readEnum(ptr);
	const p = Number(payload & 0xffffffffn);
	switch (kind) {
		case StoreValueKind.String:
			return { kind: "String", value: heap.readString(p) };
		case StoreValueKind.Int:
			return { kind: "Int", value: Number(BigInt.asIntN(32, payload)) };
		case StoreValueKind.Int8:
			return { kind: "Int8", value: BigInt.asIntN(64, payload) };
		case StoreValueKind.Timestamp:
			return { kind: "Timestamp", value: BigInt.asIntN(64, payload) };
		case StoreValueKind.BigDecimal:
			return { kind: "BigDecimal", value: readBigDecimal(heap, p).toString() };
		case StoreValueKind.Bool:
			return { kind: "Bool", value: (payload & 0xffn) !== 0n };
		case StoreValueKind.Array:
			return {
				kind: "Array",
				value: heap.readPointers(p).map((q) => readValue(heap, q)),
			};
		case StoreValueKind.Null:
			return { kind: "Null" };
		case StoreValueKind.Bytes:
			return { kind: "Bytes", value: heap.readBytes(p) };
		case StoreValueKind.BigInt:
			return { kind: "BigInt", value: heap.readBigInt(p) };
		default:
			throw new UnknownValueKindError("StoreValue", kind);
	}
}

export function writeValue(heap: AscHeap, value: Value): number {
	const e = (kind: number, payload: bigint | number) =>
		heap.enumValue(AscType.StoreValue, kind, BigInt(payload));
	switch (value.kind) {
		case "String":
			return e(StoreValueKind.String, heap.string(value.value));
		case "Int":
			return e(StoreValueKind.Int, value.value); // sign-extended into the u64 payload, as `i32 as u64`
		case "Int8":
			return e(StoreValueKind.Int8, value.value);
		case "Timestamp":
			return e(StoreValueKind.Timestamp, value.value);
		case "BigDecimal":
			return e(
				StoreValueKind.BigDecimal,
				writeBigDecimal(heap, BigDecimal.parse(value.value)),
			);
		case "Bool":
			return e(StoreValueKind.Bool, value.value ? 1 : 0);
		case "Array":
			return e(
				StoreValueKind.Array,
				heap.array(
					AscType.ArrayStoreValue,
					value.value.map((v) => writeValue(heap, v)),
				),
			);
		case "Null":
			return e(StoreValueKind.Null, 0);
		case "Bytes":
			return e(StoreValueKind.Bytes, heap.uint8Array(value.value));
		case "BigInt":
			return e(StoreValueKind.BigInt, heap.bigInt(value.value));
	}
}

/** TypedMap<string, Value> { entries: Array<TypedMapEntry { key, value }> }; later keys win, as in a Rust HashMap insert. */
export function readEntity(heap: AscHeap, ptr: number): Entity {
	const entity: Entity = new Map();
	for (const entry of heap.readPointers(heap.u32(ptr))) {
		entity.set(
			heap.readString(heap.u32(entry)),
			readValue(heap, heap.u32(entry + 4)),
		);
	}
	return entity;
}

export function writeEntity(heap: AscHeap, entity: Entity): number {
	const entries: number[] = [];
	for (const [key, value] of entity) {
		entries.push(
			heap.struct(AscType.TypedMapEntryStringStoreValue, [
				heap.string(key),
				writeValue(heap, value),
			]),
		);
	}
	return heap.struct(AscType.TypedMapStringStoreValue, [
		heap.array(AscType.ArrayTypedMapEntryStringStoreValue, entries),
	]);
}

/** A parsed JSON document that keeps each number's source text (graph-node passes numbers as strings). */
export type JsonNode =
	| { kind: "null" }
	| { kind: "bool"; value: boolean }
	| { kind: "number"; text: string }
	| { kind: "string"; value: string }
	| { kind: "array"; items: JsonNode[] }
	| { kind: "object"; entries: [string, JsonNode][] };

export class JsonSyntaxError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "JsonSyntaxError";
	}
}

/** JSON.parse loses number text (big integers), so a small parser keeps it, as serde_json's arbitrary_precision. */
export function parseJson(text: string): JsonNode {
	let i = 0;
	const ws = () => {
		while (i < text.length && " \t\n\r".includes(text[i])) i++;
	};
	const fail = (what: string): never => {
		throw new JsonSyntaxError(`${what} at position ${i}`);
	};
	const value = (): JsonNode => {
		ws();
		const c = text[i];
		if (c === "{") {
			i++;
			const entries: [string, JsonNode][] = [];
			ws();
			if (text[i] === "}") {
				i++;
				return { kind: "object", entries };
			}
			for (;;) {
				ws();
				if (text[i] !== '"') fail("expected a key");
				const key = str();
				ws();
				if (text[i++] !== ":") fail("expected `:`");
				entries.push([key, value()]);
				ws();
				if (text[i] === ",") i++;
				else if (text[i] === "}") {
					i++;
					return { kind: "object", entries: sortedObject(entries) };
				} else fail("expected `,` or `}`");
			}
		}
		if (c === "[") {
			i++;
			const items: JsonNode[] = [];
			ws();
			if (text[i] === "]") {
				i++;
				return { kind: "array", items };
			}
			for (;;) {
				items.push(value());
				ws();
				if (text[i] === ",") i++;
				else if (text[i] === "]") {
					i++;
					return { kind: "array", items };
				} else fail("expected `,` or `]`");
			}
		}
		if (c === '"') return { kind: "string", value: str() };
		const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(
			text.slice(i, i + 1024),
		);
		if (m && m[0] !== "") {
			i += m[0].length;
			return { kind: "number", text: m[0] };
		}
		for (const [word, node] of [
			["true", { kind: "bool", value: true }],
			["false", { kind: "bool", value: false }],
			["null", { kind: "null" }],
		] as const) {
			if (text.startsWith(word, i)) {
				i += word.length;
				return node;
			}
		}
		return fail("expected value");
	};
	const str = (): string => {
		const start = i;
		i++;
		while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
		if (i >= text.length) fail("EOF while parsing a string");
		i++;
		return JSON.parse(text.slice(start, i));
	};
	const out = value();
	ws();
	if (i !== text.length) fail("trailing characters");
	return out;
}

/** serde_json's default map is a BTreeMap: keys in byte order, a repeated key keeps its last value. */
function sortedObject(entries: [string, JsonNode][]): [string, JsonNode][] {
	const byKey = new Map(entries);
	return [...byKey].sort(([a], [b]) =>
		Buffer.compare(Buffer.from(a), Buffer.from(b)),
	);
}

export function writeJson(heap: AscHeap, node: JsonNode): number {
	const e = (kind: number, payload: number) =>
		heap.enumValue(AscType.JsonValue, kind, BigInt(payload));
	switch (node.kind) {
		case "null":
			return e(JsonValueKind.Null, 0);
		case "bool":
			return e(JsonValueKind.Bool, node.value ? 1 : 0);
		case "number":
			return e(JsonValueKind.Number, heap.string(node.text));
		case "string":
			return e(JsonValueKind.String, heap.string(node.value));
		case "array":
			return e(
				JsonValueKind.Array,
				heap.array(
					AscType.ArrayJsonValue,
					node.items.map((n) => writeJson(heap, n)),
				),
			);
		case "object": {
			const entries = node.entries.map(([k, v]) =>
				heap.struct(AscType.TypedMapEntryStringJsonValue, [
					heap.string(k),
					writeJson(heap, v),
				]),
			);
			return e(
				JsonValueKind.Object,
				heap.struct(AscType.TypedMapStringJsonValue, [
					heap.array(AscType.ArrayTypedMapEntryStringJsonValue, entries),
				]),
			);
		}
	}
}
