/**
 * Ethereum values and trigger objects in WASM memory, as graph-node's chain/ethereum/src/runtime/abi.rs
 * lays them out for apiVersion >= 0.0.7 (Block_0_0_6, Transaction_0_0_6, Event_0_0_7).
 */
import type { AbiParameter } from "viem";
import { type AscHeap, AscType } from "./asc.ts";

/** graph-node's EthereumValueKind discriminants. */
export const EthereumValueKind = {
	Address: 0,
	FixedBytes: 1,
	Bytes: 2,
	Int: 3,
	Uint: 4,
	Bool: 5,
	String: 6,
	FixedArray: 7,
	Array: 8,
	Tuple: 9,
	Function: 10,
} as const;

/** A decoded ABI value with its kind, as graph-node's DynSolValue. */
export type EthereumValue =
	| { kind: "Address" | "Bytes" | "Function"; value: Uint8Array }
	| { kind: "FixedBytes"; value: Uint8Array }
	| { kind: "Int" | "Uint"; value: bigint }
	| { kind: "Bool"; value: boolean }
	| { kind: "String"; value: string }
	| { kind: "Array" | "FixedArray" | "Tuple"; value: EthereumValue[] };

export class EthereumValueError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "EthereumValueError";
	}
}

const hexToBytes = (hex: string): Uint8Array =>
	Uint8Array.from(
		Buffer.from(hex.startsWith("0x") ? hex.slice(2) : hex, "hex"),
	);
const bytesToHex = (bytes: Uint8Array): `0x${string}` =>
	`0x${Buffer.from(bytes).toString("hex")}`;

export function writeEthereumValue(heap: AscHeap, v: EthereumValue): number {
	const e = (kind: number, payload: number | bigint) =>
		heap.enumValue(AscType.EthereumValue, kind, BigInt(payload));
	switch (v.kind) {
		case "Address":
		case "Bytes":
		case "FixedBytes":
		case "Function":
			return e(EthereumValueKind[v.kind], heap.uint8Array(v.value));
		case "Int":
		case "Uint":
			return e(EthereumValueKind[v.kind], heap.bigInt(v.value));
		case "Bool":
			return e(EthereumValueKind.Bool, v.value ? 1 : 0);
		case "String":
			return e(EthereumValueKind.String, heap.string(v.value));
		case "Array":
		case "FixedArray":
		case "Tuple":
			return e(
				EthereumValueKind[v.kind],
				heap.array(
					AscType.ArrayEthereumValue,
					v.value.map((x) => writeEthereumValue(heap, x)),
				),
			);
	}
}

export function readEthereumValue(heap: AscHeap, ptr: number): EthereumValue {
	const { kind, payload } = heap.readEnum(ptr);
	const p = Number(payload & 0xffffffffn);
	switch (kind) {
		case EthereumValueKind.Address:
			return { kind: "Address", value: heap.readBytes(p) };
		case EthereumValueKind.FixedBytes:
			return { kind: "FixedBytes", value: heap.readBytes(p) };
		case EthereumValueKind.Bytes:
			return { kind: "Bytes", value: heap.readBytes(p) };
		case EthereumValueKind.Function:
			return { kind: "Function", value: heap.readBytes(p) };
		case EthereumValueKind.Int:
			return { kind: "Int", value: heap.readBigInt(p) };
		case EthereumValueKind.Uint:
			return { kind: "Uint", value: heap.readBigInt(p) };
		case EthereumValueKind.Bool:
			return { kind: "Bool", value: (payload & 0xffn) !== 0n };
		case EthereumValueKind.String:
			return { kind: "String", value: heap.readString(p) };
		case EthereumValueKind.FixedArray:
			return {
				kind: "FixedArray",
				value: heap.readPointers(p).map((q) => readEthereumValue(heap, q)),
			};
		case EthereumValueKind.Array:
			return {
				kind: "Array",
				value: heap.readPointers(p).map((q) => readEthereumValue(heap, q)),
			};
		case EthereumValueKind.Tuple:
			return {
				kind: "Tuple",
				value: heap.readPointers(p).map((q) => readEthereumValue(heap, q)),
			};
		default:
			throw new EthereumValueError(`Unknown EthereumValue kind ${kind}`);
	}
}

/** The ABI type a value has on its own (DynSolValue::as_type); undefined for an empty dynamic array. */
export function typeOfValue(v: EthereumValue): string | undefined {
	switch (v.kind) {
		case "Address":
			return "address";
		case "Bytes":
			return "bytes";
		case "FixedBytes":
			return `bytes${v.value.length}`;
		case "Function":
			return "function";
		case "Int":
			return "int256";
		case "Uint":
			return "uint256";
		case "Bool":
			return "bool";
		case "String":
			return "string";
		case "Array":
		case "FixedArray": {
			const inner = v.value.length > 0 ? typeOfValue(v.value[0]) : undefined;
			if (inner === undefined) return undefined;
			return v.kind === "Array" ? `${inner}[]` : `${inner}[${v.value.length}]`;
		}
		case "Tuple": {
			const inner = v.value.map(typeOfValue);
			return inner.includes(undefined) ? undefined : `(${inner.join(",")})`;
		}
	}
}

/** An ABI parameter's canonical type, tuples spelled out: `(uint256,address)[]`. */
export function canonicalType(param: AbiParameter): string {
	if (param.type.startsWith("tuple")) {
		const components = (param as { components: readonly AbiParameter[] })
			.components;
		return `(${components.map(canonicalType).join(",")})${param.type.slice("tuple".length)}`;
	}
	return param.type;
}

/** A viem-decoded value of an ABI parameter, as an EthereumValue. */
export function fromAbiValue(
	param: AbiParameter,
	value: unknown,
): EthereumValue {
	const type = param.type;
	const array = /^(.*)\[(\d*)\]$/.exec(type);
	if (array) {
		const inner = { ...param, type: array[1] } as AbiParameter;
		const items = (value as unknown[]).map((x) => fromAbiValue(inner, x));
		return { kind: array[2] === "" ? "Array" : "FixedArray", value: items };
	}
	if (type === "tuple") {
		const components = (param as { components: readonly AbiParameter[] })
			.components;
		const values = Array.isArray(value)
			? value
			: components.map((c) => (value as Record<string, unknown>)[c.name ?? ""]);
		return {
			kind: "Tuple",
			value: components.map((c, i) => fromAbiValue(c, values[i])),
		};
	}
	if (type === "address")
		return { kind: "Address", value: hexToBytes(value as string) };
	if (type === "bool") return { kind: "Bool", value: value as boolean };
	if (type === "string") return { kind: "String", value: value as string };
	if (type === "bytes")
		return { kind: "Bytes", value: hexToBytes(value as string) };
	if (type === "function")
		return { kind: "Function", value: hexToBytes(value as string) };
	if (/^bytes\d+$/.test(type))
		return { kind: "FixedBytes", value: hexToBytes(value as string) };
	if (/^int\d*$/.test(type))
		return { kind: "Int", value: BigInt(value as bigint) };
	if (/^uint\d*$/.test(type))
		return { kind: "Uint", value: BigInt(value as bigint) };
	throw new EthereumValueError(`ABI type \`${type}\` is not supported`);
}

/** An EthereumValue as the value viem encodes for `type`. */
export function toAbiValue(type: string, v: EthereumValue): unknown {
	switch (v.kind) {
		case "Address":
		case "Bytes":
		case "FixedBytes":
		case "Function":
			return bytesToHex(v.value);
		case "Int":
		case "Uint":
		case "Bool":
		case "String":
			return v.value;
		case "Array":
		case "FixedArray": {
			const inner = type.replace(/\[\d*\]$/, "");
			return v.value.map((x) => toAbiValue(inner, x));
		}
		case "Tuple": {
			const inner = splitTupleTypes(type);
			return v.value.map((x, i) => toAbiValue(inner[i] ?? "", x));
		}
	}
}

/** `(a,(b,c),d[])` → [`a`, `(b,c)`, `d[]`]. */
export function splitTupleTypes(type: string): string[] {
	const body = type.slice(1, type.lastIndexOf(")"));
	const out: string[] = [];
	let depth = 0;
	let start = 0;
	for (let i = 0; i < body.length; i++) {
		if (body[i] === "(") depth++;
		else if (body[i] === ")") depth--;
		else if (body[i] === "," && depth === 0) {
			out.push(body.slice(start, i));
			start = i + 1;
		}
	}
	if (body.length > 0) out.push(body.slice(start));
	return out;
}

/** An ABI parameter built from a canonical type string, for viem. */
export function parameterOfType(type: string): AbiParameter {
	if (type.startsWith("(")) {
		const close = type.lastIndexOf(")");
		return {
			type: `tuple${type.slice(close + 1)}`,
			components: splitTupleTypes(type.slice(0, close + 1)).map(
				parameterOfType,
			),
		} as AbiParameter;
	}
	return { type } as AbiParameter;
}

/** A JSON-RPC block with full transaction objects. */
export interface RpcBlock {
	number: `0x${string}`;
	hash: `0x${string}`;
	parentHash: `0x${string}`;
	sha3Uncles: `0x${string}`;
	miner: `0x${string}`;
	stateRoot: `0x${string}`;
	transactionsRoot: `0x${string}`;
	receiptsRoot: `0x${string}`;
	gasUsed: `0x${string}`;
	gasLimit: `0x${string}`;
	timestamp: `0x${string}`;
	difficulty?: `0x${string}`;
	totalDifficulty?: `0x${string}`;
	size?: `0x${string}`;
	baseFeePerGas?: `0x${string}`;
	transactions: RpcTransaction[] | `0x${string}`[];
}

export interface RpcTransaction {
	hash: `0x${string}`;
	transactionIndex: `0x${string}`;
	from: `0x${string}`;
	to: `0x${string}` | null;
	value: `0x${string}`;
	gas: `0x${string}`;
	gasPrice?: `0x${string}`;
	input: `0x${string}`;
	nonce: `0x${string}`;
}

export interface RpcLog {
	address: `0x${string}`;
	topics: `0x${string}`[];
	data: `0x${string}`;
	blockNumber: `0x${string}`;
	blockHash: `0x${string}`;
	transactionHash: `0x${string}`;
	transactionIndex: `0x${string}`;
	logIndex: `0x${string}`;
	removed?: boolean;
}

const big = (hex: string | undefined | null): bigint =>
	hex ? BigInt(hex) : 0n;

/** Decoded hex strings of one block: every trigger writes the same block and transaction again. */
export class HexCache {
	private readonly decoded = new Map<string, Uint8Array>();
	bytes(hex: string): Uint8Array {
		const cached = this.decoded.get(hex);
		if (cached) return cached;
		const b = hexToBytes(hex);
		this.decoded.set(hex, b);
		return b;
	}
}

/** AscEthereumBlock_0_0_6: 15 pointers; size and baseFeePerGas null when the node omits them. */
export function writeBlock(
	heap: AscHeap,
	block: RpcBlock,
	hex: HexCache,
): number {
	const b = (h: string) => heap.uint8Array(hex.bytes(h));
	const n = (hex: string | undefined) => heap.bigInt(big(hex));
	return heap.struct(AscType.EthereumBlock, [
		b(block.hash),
		b(block.parentHash),
		b(block.sha3Uncles),
		b(block.miner),
		b(block.stateRoot),
		b(block.transactionsRoot),
		b(block.receiptsRoot),
		n(block.number),
		n(block.gasUsed),
		n(block.gasLimit),
		n(block.timestamp),
		n(block.difficulty),
		n(block.totalDifficulty),
		block.size ? n(block.size) : 0,
		block.baseFeePerGas ? n(block.baseFeePerGas) : 0,
	]);
}

/** AscEthereumTransaction_0_0_6: 9 pointers; `to` null for contract creation. */
export function writeTransaction(
	heap: AscHeap,
	tx: RpcTransaction,
	hex: HexCache,
): number {
	const b = (h: string) => heap.uint8Array(hex.bytes(h));
	const n = (hex: string | undefined) => heap.bigInt(big(hex));
	return heap.struct(AscType.EthereumTransaction, [
		b(tx.hash),
		n(tx.transactionIndex),
		b(tx.from),
		tx.to ? b(tx.to) : 0,
		n(tx.value),
		n(tx.gas),
		n(tx.gasPrice),
		b(tx.input),
		n(tx.nonce),
	]);
}

export interface EventParam {
	name: string;
	value: EthereumValue;
}

/** AscEthereumEvent_0_0_7: address, logIndex, transactionLogIndex, logType, block, transaction, params, receipt. */
export function writeEvent(
	heap: AscHeap,
	log: RpcLog,
	block: RpcBlock,
	tx: RpcTransaction,
	params: EventParam[],
	hex: HexCache,
): number {
	const paramPtrs = params.map((p) =>
		heap.struct(AscType.EventParam, [
			heap.string(p.name),
			writeEthereumValue(heap, p.value),
		]),
	);
	const logIndex = heap.bigInt(BigInt(log.logIndex));
	return heap.struct(AscType.EthereumEvent, [
		heap.uint8Array(hex.bytes(log.address)),
		logIndex,
		// graph-node passes the block-wide log index here too.
		logIndex,
		// log_type: always null from current Ethereum nodes.
		0,
		writeBlock(heap, block, hex),
		writeTransaction(heap, tx, hex),
		heap.array(AscType.ArrayEventParam, paramPtrs),
		// receipt: only for handlers declaring `receipt: true`, which devnode refuses at load.
		0,
	]);
}
