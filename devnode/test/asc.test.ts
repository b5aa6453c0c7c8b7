import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
	AscHeap,
	AscNullPointerError,
	AscType,
	bigIntToSignedLE,
	signedLEToBigInt,
} from "../src/runtime/asc.ts";
import {
	type EthereumValue,
	readEthereumValue,
	writeEthereumValue,
} from "../src/runtime/ethereum.ts";
import {
	readEntity,
	readValue,
	writeEntity,
	writeValue,
} from "../src/runtime/values.ts";
import type { Entity, Value } from "../src/store/types.ts";
import { FIXTURES_DIR } from "./helpers/fixtures.ts";

/** A real graph-cli-built module: its `allocate`, `id_of_type` and memory, with host imports that must not be called. */
function heap(): AscHeap {
	const module = new WebAssembly.Module(
		readFileSync(join(FIXTURES_DIR, "tokens", "build", "Token", "Token.wasm")),
	);
	const imports: Record<string, Record<string, () => never>> = {};
	for (const imp of WebAssembly.Module.imports(module)) {
		imports[imp.module] ??= {};
		imports[imp.module][imp.name] = () => {
			throw new Error(`unexpected host call ${imp.name}`);
		};
	}
	const instance = new WebAssembly.Instance(module, imports);
	(instance.exports._start as () => void)();
	return new AscHeap(instance.exports as never);
}

const bytes = (...b: number[]) => new Uint8Array(b);

describe("AssemblyScript heap layout", () => {
	it("writes a String as UTF-16LE with its byte length in the header and the module's class id", () => {
		const h = heap();
		const p = h.string("hé");
		expect(h.rtSize(p)).toBe(4);
		expect(h.u32(p - 8)).toBe(h.exports.id_of_type(AscType.String));
		expect([...h.bytes().subarray(p, p + 4)]).toEqual([0x68, 0, 0xe9, 0]);
		expect(p % 16).toBe(0);
	});

	it("round-trips strings with non-ASCII, astral characters and the empty string; NULs are stripped on read", () => {
		const h = heap();
		for (const s of [
			"",
			"plain",
			"héllo wörld ✓",
			"music 𝄞 and emoji 🦀",
			"日本語",
		])
			expect(h.readString(h.string(s))).toBe(s);
		expect(h.readString(h.string("a\u0000b\u0000"))).toBe("ab");
	});

	it("writes Uint8Array as { buffer, absolute dataStart, byteLength } over an ArrayBuffer", () => {
		const h = heap();
		const p = h.uint8Array(bytes(1, 2, 3));
		const buffer = h.u32(p);
		expect(h.u32(p + 4)).toBe(buffer);
		expect(h.u32(p + 8)).toBe(3);
		expect(h.rtSize(buffer)).toBe(3);
		expect(h.u32(buffer - 8)).toBe(h.exports.id_of_type(AscType.ArrayBuffer));
		expect(h.u32(p - 8)).toBe(h.exports.id_of_type(AscType.Uint8Array));
		expect([...h.readBytes(p)]).toEqual([1, 2, 3]);
		expect([...h.readBytes(h.uint8Array(bytes()))]).toEqual([]);
	});

	it("encodes BigInt as minimal little-endian two's complement", () => {
		expect([...bigIntToSignedLE(0n)]).toEqual([0]);
		expect([...bigIntToSignedLE(-1n)]).toEqual([0xff]);
		expect([...bigIntToSignedLE(127n)]).toEqual([0x7f]);
		expect([...bigIntToSignedLE(128n)]).toEqual([0x80, 0x00]);
		expect([...bigIntToSignedLE(-128n)]).toEqual([0x80]);
		expect([...bigIntToSignedLE(-129n)]).toEqual([0x7f, 0xff]);
		// 2^255 needs a 33rd byte so it is not read back as negative.
		expect([...bigIntToSignedLE(2n ** 255n)]).toEqual([
			...new Array(31).fill(0),
			0x80,
			0x00,
		]);
		expect([...bigIntToSignedLE(2n ** 256n - 1n)]).toEqual([
			...new Array(32).fill(0xff),
			0x00,
		]);
		expect([...bigIntToSignedLE(-(2n ** 255n))]).toEqual([
			...new Array(31).fill(0),
			0x80,
		]);
	});

	it("round-trips BigInt edge cases through WASM memory", () => {
		const h = heap();
		for (const v of [
			0n,
			-1n,
			1n,
			255n,
			-256n,
			2n ** 255n,
			2n ** 256n - 1n,
			-(2n ** 255n),
			-(2n ** 256n),
			10n ** 77n,
		]) {
			expect(h.readBigInt(h.bigInt(v))).toBe(v);
			expect(signedLEToBigInt(bigIntToSignedLE(v))).toBe(v);
		}
		expect(signedLEToBigInt(bytes())).toBe(0n);
	});

	it("writes Array<T> as { buffer, dataStart, byteLength, length } of pointers", () => {
		const h = heap();
		const items = [h.string("a"), h.string("b")];
		const p = h.array(AscType.ArrayString, items);
		expect(h.u32(p + 8)).toBe(8);
		expect(h.u32(p + 12)).toBe(2);
		expect(h.readPointers(p).map((q) => h.readString(q))).toEqual(["a", "b"]);
	});

	it("writes value enums as 4-byte kind, 4 bytes padding, 8-byte payload; i32 sign-extended", () => {
		const h = heap();
		const p = writeValue(h, { kind: "Int", value: -5 });
		expect(h.view().getUint32(p, true)).toBe(1);
		expect(h.view().getBigUint64(p + 8, true)).toBe(0xfffffffffffffffbn);
	});

	it("round-trips every StoreValue kind", () => {
		const h = heap();
		const values: Value[] = [
			{ kind: "String", value: "héllo" },
			{ kind: "Int", value: -2147483648 },
			{ kind: "Int", value: 2147483647 },
			{ kind: "Int8", value: -(2n ** 63n) },
			{ kind: "Int8", value: 2n ** 63n - 1n },
			{ kind: "Timestamp", value: 1_700_000_000_000_000n },
			{ kind: "BigDecimal", value: "-1.5" },
			{ kind: "BigDecimal", value: "123456789012345678901234567890.1234" },
			{ kind: "BigDecimal", value: "0" },
			{ kind: "Bool", value: true },
			{ kind: "Bool", value: false },
			{ kind: "Null" },
			{ kind: "Bytes", value: bytes(0xde, 0xad, 0xbe, 0xef) },
			{ kind: "Bytes", value: bytes() },
			{ kind: "BigInt", value: 2n ** 256n - 1n },
			{ kind: "BigInt", value: -1n },
			{ kind: "Array", value: [] },
			{
				kind: "Array",
				value: [
					{ kind: "String", value: "x" },
					{ kind: "Array", value: [{ kind: "BigInt", value: 0n }] },
				],
			},
		];
		for (const v of values) expect(readValue(h, writeValue(h, v))).toEqual(v);
	});

	it("round-trips an entity as TypedMap<string, Value>, keeping field order", () => {
		const h = heap();
		const entity: Entity = new Map<string, Value>([
			["id", { kind: "Bytes", value: bytes(1, 2) }],
			["name", { kind: "String", value: "n" }],
			["count", { kind: "Int", value: 3 }],
		]);
		const back = readEntity(h, writeEntity(h, entity));
		expect([...back.keys()]).toEqual(["id", "name", "count"]);
		expect(back).toEqual(entity);
	});

	it("round-trips every ethereum.Value kind", () => {
		const h = heap();
		const values: EthereumValue[] = [
			{ kind: "Address", value: new Uint8Array(20).fill(0xab) },
			{ kind: "FixedBytes", value: new Uint8Array(32).fill(1) },
			{ kind: "Bytes", value: bytes(1, 2, 3) },
			{ kind: "Int", value: -(2n ** 255n) },
			{ kind: "Uint", value: 2n ** 256n - 1n },
			{ kind: "Bool", value: true },
			{ kind: "String", value: "s" },
			{ kind: "Array", value: [{ kind: "Uint", value: 1n }] },
			{
				kind: "FixedArray",
				value: [
					{ kind: "Bool", value: false },
					{ kind: "Bool", value: true },
				],
			},
			{
				kind: "Tuple",
				value: [
					{ kind: "String", value: "t" },
					{ kind: "Int", value: -1n },
				],
			},
			{ kind: "Function", value: new Uint8Array(24).fill(7) },
		];
		for (const v of values)
			expect(readEthereumValue(h, writeEthereumValue(h, v))).toEqual(v);
	});

	it("keeps reading correctly after allocations grow the memory", () => {
		const h = heap();
		const before = h.exports.memory.buffer.byteLength;
		const first = h.string("first");
		const big = "x".repeat(1 << 20);
		const ptrs = [h.string(big), h.string(big), h.string(big)];
		expect(h.exports.memory.buffer.byteLength).toBeGreaterThan(before);
		expect(h.readString(first)).toBe("first");
		expect(h.readString(ptrs[2]).length).toBe(1 << 20);
	});

	it("refuses to read a null pointer with graph-node's message", () => {
		const h = heap();
		expect(() => h.readString(0)).toThrow(AscNullPointerError);
		expect(() => h.readString(0)).toThrow(
			/Tried to read AssemblyScript value that is 'null'/,
		);
	});
});
