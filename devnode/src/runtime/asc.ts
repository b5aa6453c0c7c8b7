/**
 * The AssemblyScript heap of one mapping instance (graph-ts apiVersion >= 0.0.5, AS "stub" runtime),
 * laid out as graph-node writes and reads it (runtime/wasm/src/asc_abi, graph/src/runtime/asc_ptr.rs).
 */

/** graph-node's IndexForAscTypeId: passed to the module's `id_of_type` export to learn its class id. */
export const AscType = {
	String: 0,
	ArrayBuffer: 1,
	Uint8Array: 6,
	BigDecimal: 12,
	ArrayBool: 13,
	ArrayUint8Array: 14,
	ArrayEthereumValue: 15,
	ArrayStoreValue: 16,
	ArrayJsonValue: 17,
	ArrayString: 18,
	ArrayEventParam: 19,
	ArrayTypedMapEntryStringJsonValue: 20,
	ArrayTypedMapEntryStringStoreValue: 21,
	SmartContractCall: 22,
	EventParam: 23,
	EthereumTransaction: 24,
	EthereumBlock: 25,
	WrappedTypedMapStringJsonValue: 27,
	WrappedBool: 28,
	WrappedJsonValue: 29,
	EthereumValue: 30,
	StoreValue: 31,
	JsonValue: 32,
	EthereumEvent: 33,
	TypedMapEntryStringStoreValue: 34,
	TypedMapEntryStringJsonValue: 35,
	TypedMapStringStoreValue: 36,
	TypedMapStringJsonValue: 37,
	ResultTypedMapStringJsonValueBool: 39,
	ResultJsonValueBool: 40,
	TransactionReceipt: 1000,
	Log: 1001,
	ArrayH256: 1002,
	ArrayLog: 1003,
	ArrayTypedMapStringStoreValue: 1004,
} as const;

/** mmInfo, gcInfo, gcInfo2, rtId, rtSize: 4 bytes each, before every object. */
const HEADER_SIZE = 20;
/** graph-node requests memory from `allocate` in arenas of at least this many bytes. */
const MIN_ARENA_SIZE = 10_000;

export class AscNullPointerError extends Error {
	constructor() {
		super(
			"Tried to read AssemblyScript value that is 'null'. Suggestion: look into the function that the error happened and add 'log' calls till you find where a 'null' value is being used as non-nullable. It's likely that you're calling a 'graph-ts' function (or operator) with a 'null' value when it doesn't support it.",
		);
		this.name = "AscNullPointerError";
	}
}

function nextPowerOfTwo(n: number): number {
	let p = 1;
	while (p < n) p *= 2;
	return p;
}

export interface AscExports {
	memory: WebAssembly.Memory;
	allocate(size: number): number;
	id_of_type(index: number): number;
}

export class AscHeap {
	readonly exports: AscExports;
	private readonly classIds: Map<number, number>;
	private arenaStart = 0;
	private arenaFree = 0;
	private buffer: ArrayBuffer | null = null;
	private u8view = new Uint8Array(0);
	private dataView = new DataView(new ArrayBuffer(0));

	/** `classIds` may be shared by every instance of one module: ids are fixed per module. */
	constructor(exports: AscExports, classIds: Map<number, number> = new Map()) {
		this.exports = exports;
		this.classIds = classIds;
	}

	// `allocate` may grow memory, which detaches the previous buffer: views are renewed when that happens.
	private refresh(): void {
		const buffer = this.exports.memory.buffer;
		if (buffer !== this.buffer) {
			this.buffer = buffer;
			this.u8view = new Uint8Array(buffer);
			this.dataView = new DataView(buffer);
		}
	}
	bytes(): Uint8Array {
		this.refresh();
		return this.u8view;
	}
	view(): DataView {
		this.refresh();
		return this.dataView;
	}
	u32(ptr: number): number {
		return this.view().getUint32(ptr, true);
	}

	classId(type: number): number {
		let id = this.classIds.get(type);
		if (id === undefined) {
			id = this.exports.id_of_type(type) >>> 0;
			this.classIds.set(type, id);
		}
		return id;
	}

	/** AscHeap::raw_new: carve `size` bytes from arenas that `allocate` (AS `__alloc`) hands out. */
	private rawNew(size: number): number {
		if (size > this.arenaFree) {
			const arena = Math.max(size + 12, MIN_ARENA_SIZE);
			// `__alloc` returns a block whose 4-byte mmInfo precedes it; +12 keeps payloads 16-byte aligned.
			this.arenaStart = (this.exports.allocate(arena) >>> 0) + 12;
			this.arenaFree = arena - 12;
		}
		const ptr = this.arenaStart;
		this.arenaStart += size;
		this.arenaFree -= size;
		return ptr;
	}

	/** AscPtr::alloc_obj: a header, then `contentLength` bytes padded so the whole is a multiple of 16. */
	reserve(
		type: number,
		contentLength: number,
		rtSize: number = contentLength,
	): number {
		const classId = this.classId(type);
		const padding = (16 - ((HEADER_SIZE + contentLength) % 16)) % 16;
		const start = this.rawNew(HEADER_SIZE + contentLength + padding);
		const view = this.view();
		view.setUint32(start, 16 + contentLength + padding, true);
		view.setUint32(start + 4, 0, true);
		view.setUint32(start + 8, 0, true);
		view.setUint32(start + 12, classId, true);
		view.setUint32(start + 16, rtSize, true);
		return start + HEADER_SIZE;
	}

	// ---- writers ----

	arrayBuffer(data: Uint8Array): number {
		// graph-node gives ArrayBuffer and String a power-of-two capacity; rtSize stays the real length.
		const ptr = this.reserve(
			AscType.ArrayBuffer,
			nextPowerOfTwo(data.length + HEADER_SIZE) - HEADER_SIZE,
			data.length,
		);
		this.bytes().set(data, ptr);
		return ptr;
	}

	string(text: string): number {
		const units = text.length;
		const ptr = this.reserve(
			AscType.String,
			nextPowerOfTwo(2 * units + HEADER_SIZE) - HEADER_SIZE,
			2 * units,
		);
		const view = this.view();
		for (let i = 0; i < units; i++)
			view.setUint16(ptr + 2 * i, text.charCodeAt(i), true);
		return ptr;
	}

	/** An object of 4-byte fields (pointers, i32, bool). */
	struct(type: number, fields: number[]): number {
		const ptr = this.reserve(type, fields.length * 4);
		const view = this.view();
		for (let i = 0; i < fields.length; i++)
			view.setUint32(ptr + 4 * i, fields[i] >>> 0, true);
		return ptr;
	}

	/** Uint8Array (also Bytes, Address, BigInt): { buffer, dataStart (absolute), byteLength }. */
	uint8Array(data: Uint8Array): number {
		const buffer = this.arrayBuffer(data);
		return this.struct(AscType.Uint8Array, [buffer, buffer, data.length]);
	}

	bigInt(value: bigint): number {
		return this.uint8Array(bigIntToSignedLE(value));
	}

	/** Array<T> of pointers: { buffer, dataStart, byteLength, length }. */
	array(type: number, pointers: number[]): number {
		const length = pointers.length * 4;
		const buffer = this.reserve(
			AscType.ArrayBuffer,
			nextPowerOfTwo(length + HEADER_SIZE) - HEADER_SIZE,
			length,
		);
		const view = this.view();
		for (let i = 0; i < pointers.length; i++)
			view.setUint32(buffer + 4 * i, pointers[i], true);
		return this.struct(type, [buffer, buffer, length, pointers.length]);
	}

	/** AscEnum: { kind: u32, padding: u32, payload: u64 }. */
	enumValue(type: number, kind: number, payload: bigint): number {
		const ptr = this.reserve(type, 16);
		const view = this.view();
		view.setUint32(ptr, kind, true);
		view.setUint32(ptr + 4, 0, true);
		view.setBigUint64(ptr + 8, BigInt.asUintN(64, payload), true);
		return ptr;
	}

	// ---- readers ----

	/** The size field before the data is the only length an object has. */
	rtSize(ptr: number): number {
		return this.u32(ptr - 4);
	}

	readString(ptr: number): string {
		if (ptr === 0) throw new AscNullPointerError();
		const length = this.rtSize(ptr);
		const units = new Uint16Array(
			this.exports.memory.buffer.slice(ptr, ptr + length),
		);
		let text = "";
		for (let i = 0; i < units.length; i += 8192)
			text += String.fromCharCode(...units.subarray(i, i + 8192));
		// graph-node strips NUL characters: Postgres text cannot hold them.
		return text.includes("\u0000") ? text.replaceAll("\u0000", "") : text;
	}

	readBytes(ptr: number): Uint8Array {
		if (ptr === 0) throw new AscNullPointerError();
		const dataStart = this.u32(ptr + 4);
		const length = this.u32(ptr + 8);
		return new Uint8Array(
			this.exports.memory.buffer.slice(dataStart, dataStart + length),
		);
	}

	readBigInt(ptr: number): bigint {
		return signedLEToBigInt(this.readBytes(ptr));
	}

	readPointers(arrayPtr: number): number[] {
		if (arrayPtr === 0) throw new AscNullPointerError();
		const dataStart = this.u32(arrayPtr + 4);
		const length = this.u32(arrayPtr + 12);
		const view = this.view();
		const out: number[] = new Array(length);
		for (let i = 0; i < length; i++)
			out[i] = view.getUint32(dataStart + 4 * i, true);
		return out;
	}

	readEnum(ptr: number): { kind: number; payload: bigint } {
		if (ptr === 0) throw new AscNullPointerError();
		const view = this.view();
		return {
			kind: view.getUint32(ptr, true),
			payload: view.getBigUint64(ptr + 8, true),
		};
	}
}

/** num-bigint's to_signed_bytes_le: minimal two's complement, zero is [0]. */
export function bigIntToSignedLE(value: bigint): Uint8Array {
	if (value === 0n) return new Uint8Array([0]);
	const out: number[] = [];
	let rest = value;
	// Emit bytes until the remaining value is pure sign extension of the last byte's top bit.
	for (;;) {
		const byte = Number(rest & 0xffn);
		out.push(byte);
		rest >>= 8n;
		if (
			(rest === 0n && (byte & 0x80) === 0) ||
			(rest === -1n && (byte & 0x80) !== 0)
		)
			break;
	}
	return new Uint8Array(out);
}

export function signedLEToBigInt(bytes: Uint8Array): bigint {
	if (bytes.length === 0) return 0n;
	let value = 0n;
	for (let i = bytes.length - 1; i >= 0; i--)
		value = (value << 8n) | BigInt(bytes[i]);
	if (bytes[bytes.length - 1] & 0x80) value -= 1n << BigInt(8 * bytes.length);
	return value;
}
