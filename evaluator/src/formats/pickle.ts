import { readSync } from "node:fs";
import { canonicalImport } from "./allowlist.ts";

type ScanErrorCode =
	| "pickle.truncated"
	| "pickle.invalid-opcode"
	| "pickle.malformed";

/** What a walk over one pickle's opcodes found; nothing in it was ever executed. */
export type PickleScan = {
	/** Distinct imports in order of first appearance, as `module.name` (Python 2 names mapped). */
	imports: string[];
	/** Offset of the opcode that first made each distinct import, parallel to `imports`. */
	offsets: number[];
	/** Module part of each distinct import, parallel to `imports`. */
	modules: string[];
	/** Imports seen in all, repeats included. */
	importCount: number;
	/** Offset just past STOP, or where the walk stopped on an error. */
	end: number;
	protocol: number;
	error?: { code: ScanErrorCode; message: string; offset: number };
};

class Stop extends Error {
	readonly code: ScanErrorCode;
	readonly offset: number;
	constructor(code: ScanErrorCode, message: string, offset: number) {
		super(message);
		this.code = code;
		this.offset = offset;
	}
}

/** Longer strings are data, never module or attribute names worth decoding. */
const MAX_NAME = 1024;
/** Deeper stacks only come from hostile files (real pickles flush containers every 1000 items). */
const MAX_STACK = 2 ** 25;
/** Memo entries kept: a pickle of nothing but PUTs must not exhaust memory (fail closed above). */
const MAX_MEMO = 10_000_000;
/** Characters of strings decoded in all (windowed walks keep short strings as text). */
const MAX_DECODED_CHARS = 64 * 1024 * 1024;
/** Stack values are numbers: OTHER for anything but a string, else a string's place. */
const OTHER = -1;
/** A raw string is `start + length * SPAN` (lengths ≤ MAX_NAME keep it a safe integer). */
const SPAN = 2 ** 42;

/**
 * Walks the opcodes of one pickle (protocols 0–5) from `start`, simulating only what is needed
 * to resolve imports: a stack of "string or something else", marks, and the memo. GLOBAL and INST
 * carry their names inline; STACK_GLOBAL takes them from the stack, where they may come from the
 * memo (PUT/BINPUT/LONG_BINPUT/MEMOIZE then GET/BINGET/LONG_BINGET). A value that cannot be
 * resolved to a string yields the import `?.?`, which no allow-list contains.
 */
export function scanPickle(data: Uint8Array, start = 0): PickleScan {
	return new Walker(data, start).run();
}

/** Bytes of a file read at a time by `scanPickleFile`. */
const WINDOW = 4 * 1024 * 1024;

/**
 * `scanPickle` over an open file of `size` bytes, read through a window: the payloads of bytes
 * and long strings (tensor data) are stepped over, never read, so a pickle of any size is walked
 * in bounded memory and at the speed of its opcodes.
 */
export function scanPickleFile(
	fd: number,
	size: number,
	start = 0,
	window = WINDOW,
): PickleScan {
	return new Walker(Buffer.alloc(0), start, { fd, size, window }).run();
}

class Walker {
	private buf: Buffer;
	/** File offset of `buf[0]` (0 unless windowed). */
	private base = 0;
	private readonly n: number;
	/** The file read through a window, or undefined when `buf` holds the whole pickle. */
	private readonly file:
		| { fd: number; size: number; window: number }
		| undefined;
	private pos: number;
	private protocol = 0;
	/** The value stack, one number per value (see OTHER, SPAN), with `sp` values in use. */
	private stack = new Float64Array(1024);
	private sp = 0;
	/** Stack height at the innermost open MARK, and the heights of the outer ones. */
	private floor = 0;
	private readonly marks: number[] = [];
	private readonly memo: number[] = [];
	private memoCount = 0;
	/** Strings decoded from protocol 0 literals; stack value -(index + 2). */
	private readonly decoded: string[] = [];
	private decodedChars = 0;
	private readonly seen = new Map<string, Set<string>>();
	private readonly imports: string[] = [];
	private readonly modules: string[] = [];
	private readonly offsets: number[] = [];
	private importCount = 0;

	constructor(
		data: Uint8Array,
		start: number,
		file?: { fd: number; size: number; window: number },
	) {
		this.buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
		this.file = file;
		this.n = file ? file.size : this.buf.length;
		this.pos = start;
	}

	/** Windowed: reads at least `count` bytes from `pos` into the window. */
	private refill(count: number): void {
		const file = this.file as { fd: number; window: number };
		const length = Math.min(Math.max(count, file.window), this.n - this.pos);
		const buffer = Buffer.allocUnsafe(length);
		let done = 0;
		while (done < length) {
			const read = readSync(file.fd, buffer, done, length - done, this.pos + done);
			if (read === 0) break;
			done += read;
		}
		this.buf = buffer.subarray(0, done);
		this.base = this.pos;
	}

	run(): PickleScan {
		try {
			this.walk();
			return this.result();
		} catch (error) {
			if (!(error instanceof Stop)) throw error;
			this.pos = error.offset;
			return {
				...this.result(),
				error: {
					code: error.code,
					message: error.message,
					offset: error.offset,
				},
			};
		}
	}

	private result(): PickleScan {
		return {
			imports: this.imports,
			offsets: this.offsets,
			modules: this.modules,
			importCount: this.importCount,
			end: this.pos,
			protocol: this.protocol,
		};
	}

	private need(count: number): void {
		if (this.pos + count > this.n) {
			throw new Stop(
				"pickle.truncated",
				`needs ${count} bytes at offset ${this.pos}, file ends at ${this.n}`,
				this.pos,
			);
		}
		if (this.pos + count > this.base + this.buf.length) {
			this.refill(count);
			if (this.pos + count > this.base + this.buf.length)
				throw new Stop(
					"pickle.truncated",
					`file shrank while being read at offset ${this.pos}`,
					this.pos,
				);
		}
	}

	private byte(): number {
		this.need(1);
		return this.buf[this.pos++ - this.base] as number;
	}

	private u32(): number {
		this.need(4);
		const value = this.buf.readUInt32LE(this.pos - this.base);
		this.pos += 4;
		return value;
	}

	private u64(): number {
		this.need(8);
		const value = this.buf.readBigUInt64LE(this.pos - this.base);
		if (value > BigInt(this.n - this.pos))
			throw new Stop(
				"pickle.truncated",
				`length ${value} at offset ${this.pos} passes the end`,
				this.pos,
			);
		this.pos += 8;
		return Number(value);
	}

	/** Steps over `length` bytes (in a windowed file, without reading them). */
	private skip(length: number): void {
		if (this.pos + length > this.n)
			throw new Stop(
				"pickle.truncated",
				`needs ${length} bytes at offset ${this.pos}, file ends at ${this.n}`,
				this.pos,
			);
		this.pos += length;
	}

	/** The text up to the next newline (null when longer than a name can be). */
	private line(): string | null {
		let end = this.buf.indexOf(0x0a, this.pos - this.base);
		// windowed: a line may run past the window; widen it until the newline or the end
		for (
			let want = (this.file?.window ?? WINDOW) * 2;
			end < 0 && this.file && this.base + this.buf.length < this.n;
			want *= 2
		) {
			this.refill(want);
			end = this.buf.indexOf(0x0a, 0);
		}
		if (end < 0)
			throw new Stop(
				"pickle.truncated",
				`line at offset ${this.pos} has no end`,
				this.pos,
			);
		const start = this.pos - this.base;
		const text =
			end - start > MAX_NAME ? null : this.buf.toString("utf8", start, end);
		this.pos = this.base + end + 1;
		return text;
	}

	private push(value: number): void {
		if (this.sp === this.stack.length) {
			if (this.sp >= MAX_STACK)
				throw new Stop(
					"pickle.malformed",
					`stack deeper than ${MAX_STACK} values at offset ${this.pos}`,
					this.pos,
				);
			const grown = new Float64Array(this.sp * 2);
			grown.set(this.stack);
			this.stack = grown;
		}
		this.stack[this.sp++] = value;
	}

	private pop(): number {
		if (this.sp === this.floor)
			throw new Stop(
				"pickle.malformed",
				`stack underflow at offset ${this.pos - 1}`,
				this.pos - 1,
			);
		return this.stack[--this.sp] as number;
	}

	private top(): number {
		if (this.sp === this.floor)
			throw new Stop(
				"pickle.malformed",
				`empty stack at offset ${this.pos - 1}`,
				this.pos - 1,
			);
		return this.stack[this.sp - 1] as number;
	}

	private mark(): void {
		this.marks.push(this.floor);
		this.floor = this.sp;
	}

	/** Drops the values above the innermost MARK and the mark itself; returns how many there were. */
	private popMark(): number {
		const previous = this.marks.pop();
		if (previous === undefined)
			throw new Stop(
				"pickle.malformed",
				`no MARK for the opcode at offset ${this.pos - 1}`,
				this.pos - 1,
			);
		const count = this.sp - this.floor;
		this.sp = this.floor;
		this.floor = previous;
		return count;
	}

	/** Pushes a string of `length` raw bytes without decoding it. */
	private pushRaw(length: number): void {
		if (length > MAX_NAME) {
			this.skip(length);
			this.push(OTHER);
			return;
		}
		this.need(length);
		const at = this.pos - this.base;
		// a windowed buffer is replaced as the walk goes on: keep the text, not its place
		if (this.file)
			this.pushDecoded(this.buf.toString("utf8", at, at + length));
		else this.push(this.pos + length * SPAN);
		this.pos += length;
	}

	/** Past MAX_DECODED_CHARS a string is kept as "not a string": an import it names fails as `?.?`. */
	private pushDecoded(text: string | null): void {
		if (text === null || this.decodedChars > MAX_DECODED_CHARS)
			this.push(OTHER);
		else {
			this.decodedChars += text.length;
			this.push(-(this.decoded.push(text) + 1));
		}
	}

	private stringOf(value: number): string | null {
		if (value === OTHER) return null;
		if (value < 0) return this.decoded[-value - 2] as string;
		const start = value % SPAN;
		return this.buf.toString("utf8", start, start + Math.floor(value / SPAN));
	}

	private put(index: number): void {
		if (this.memo[index] === undefined && ++this.memoCount > MAX_MEMO)
			throw new Stop(
				"pickle.malformed",
				`more than ${MAX_MEMO} memo entries at offset ${this.pos}`,
				this.pos,
			);
		this.memo[index] = this.top();
	}

	private get(index: number): void {
		const value = this.memo[index];
		if (value === undefined)
			throw new Stop(
				"pickle.malformed",
				`memo ${index} read before it was written (offset ${this.pos})`,
				this.pos,
			);
		this.push(value);
	}

	private memoIndex(): number {
		const text = this.line();
		if (text === null || !/^\d+$/.test(text))
			throw new Stop(
				"pickle.malformed",
				`memo index is not a number (before offset ${this.pos})`,
				this.pos,
			);
		return Number(text);
	}

	private record(
		module: string | null,
		name: string | null,
		at: number,
	): void {
		this.importCount++;
		const m = module ?? "?";
		const n = module === null || name === null ? "?" : name;
		let names = this.seen.get(m);
		if (names === undefined) {
			names = new Set();
			this.seen.set(m, names);
		}
		if (names.has(n)) return;
		names.add(n);
		this.modules.push(m);
		this.offsets.push(at);
		this.imports.push(
			module === null || name === null ? "?.?" : canonicalImport(module, name),
		);
	}

	private walk(): void {
		for (;;) {
			const op = this.byte();
			switch (op) {
				case 0x2e: // STOP
					return;
				case 0x80: // PROTO
					this.protocol = this.byte();
					break;
				case 0x95: // FRAME
					this.skip(8);
					break;
				case 0x28: // MARK
					this.mark();
					break;
				case 0x30: // POP
					if (this.sp > this.floor) this.sp--;
					else this.popMark();
					break;
				case 0x31: // POP_MARK
					this.popMark();
					break;
				case 0x32: // DUP
					this.push(this.top());
					break;
				// scalars: push one non-string value
				case 0x46: // FLOAT
				case 0x49: // INT
				case 0x4c: // LONG
				case 0x50: // PERSID
					this.line();
					this.push(OTHER);
					break;
				case 0x4a: // BININT
					this.skip(4);
					this.push(OTHER);
					break;
				case 0x4b: // BININT1
					this.skip(1);
					this.push(OTHER);
					break;
				case 0x4d: // BININT2
					this.skip(2);
					this.push(OTHER);
					break;
				case 0x47: // BINFLOAT
					this.skip(8);
					this.push(OTHER);
					break;
				case 0x8a: // LONG1
					this.skip(this.byte());
					this.push(OTHER);
					break;
				case 0x8b: // LONG4
					this.skip(this.u32());
					this.push(OTHER);
					break;
				case 0x4e: // NONE
				case 0x88: // NEWTRUE
				case 0x89: // NEWFALSE
				case 0x7d: // EMPTY_DICT
				case 0x5d: // EMPTY_LIST
				case 0x29: // EMPTY_TUPLE
				case 0x8f: // EMPTY_SET
				case 0x97: // NEXT_BUFFER
					this.push(OTHER);
					break;
				case 0x98: // READONLY_BUFFER
					this.top();
					break;
				// strings: the only values that can name an import
				case 0x53: {
					// STRING: a quoted Python literal with escapes
					const text = this.line();
					this.pushDecoded(
						text === null ? null : decodePythonLiteral(text, this.pos),
					);
					break;
				}
				case 0x56: {
					// UNICODE: raw-unicode-escape
					const text = this.line();
					this.pushDecoded(text === null ? null : decodeRawUnicodeEscape(text));
					break;
				}
				case 0x54: // BINSTRING
				case 0x58: // BINUNICODE
					this.pushRaw(this.u32());
					break;
				case 0x55: // SHORT_BINSTRING
				case 0x8c: // SHORT_BINUNICODE
					this.pushRaw(this.byte());
					break;
				case 0x8d: // BINUNICODE8
					this.pushRaw(this.u64());
					break;
				// bytes are not str: STACK_GLOBAL refuses them, so they resolve to nothing
				case 0x42: // BINBYTES
					this.skip(this.u32());
					this.push(OTHER);
					break;
				case 0x43: // SHORT_BINBYTES
					this.skip(this.byte());
					this.push(OTHER);
					break;
				case 0x8e: // BINBYTES8
				case 0x96: // BYTEARRAY8
					this.skip(this.u64());
					this.push(OTHER);
					break;
				// containers
				case 0x61: // APPEND
					this.pop();
					this.top();
					break;
				case 0x65: // APPENDS
				case 0x75: // SETITEMS
				case 0x90: // ADDITEMS
					this.popMark();
					this.top();
					break;
				case 0x73: // SETITEM
					this.pop();
					this.pop();
					this.top();
					break;
				case 0x64: // DICT
				case 0x6c: // LIST
				case 0x74: // TUPLE
				case 0x91: // FROZENSET
					this.popMark();
					this.push(OTHER);
					break;
				case 0x85: // TUPLE1
					this.pop();
					this.push(OTHER);
					break;
				case 0x86: // TUPLE2
					this.pop();
					this.pop();
					this.push(OTHER);
					break;
				case 0x87: // TUPLE3
					this.pop();
					this.pop();
					this.pop();
					this.push(OTHER);
					break;
				// memo
				case 0x70: // PUT
					this.put(this.memoIndex());
					break;
				case 0x71: // BINPUT
					this.put(this.byte());
					break;
				case 0x72: // LONG_BINPUT
					this.put(this.u32());
					break;
				case 0x94: // MEMOIZE
					this.put(this.memoCount);
					break;
				case 0x67: // GET
					this.get(this.memoIndex());
					break;
				case 0x68: // BINGET
					this.get(this.byte());
					break;
				case 0x6a: // LONG_BINGET
					this.get(this.u32());
					break;
				// imports
				case 0x63: {
					// GLOBAL
					const at = this.pos - 1;
					const module = this.line();
					this.record(module, this.line(), at);
					this.push(OTHER);
					break;
				}
				case 0x69: {
					// INST: import, then call it with the marked items
					const at = this.pos - 1;
					const module = this.line();
					this.record(module, this.line(), at);
					this.popMark();
					this.push(OTHER);
					break;
				}
				case 0x93: {
					// STACK_GLOBAL
					const name = this.stringOf(this.pop());
					this.record(this.stringOf(this.pop()), name, this.pos - 1);
					this.push(OTHER);
					break;
				}
				case 0x82: // EXT1, EXT2, EXT4: imports through copyreg's extension registry
				case 0x83:
				case 0x84:
					this.skip(op === 0x82 ? 1 : op === 0x83 ? 2 : 4);
					this.record(null, null, this.pos - 1);
					this.push(OTHER);
					break;
				// calls: the callable was already checked where it was imported
				case 0x52: // REDUCE
				case 0x81: // NEWOBJ
					this.pop();
					this.pop();
					this.push(OTHER);
					break;
				case 0x92: // NEWOBJ_EX
					this.pop();
					this.pop();
					this.pop();
					this.push(OTHER);
					break;
				case 0x6f: // OBJ
					if (this.popMark() === 0)
						throw new Stop(
							"pickle.malformed",
							`OBJ without a class at offset ${this.pos - 1}`,
							this.pos - 1,
						);
					this.push(OTHER);
					break;
				case 0x62: // BUILD
					this.pop();
					this.top();
					break;
				case 0x51: // BINPERSID
					this.pop();
					this.push(OTHER);
					break;
				default:
					throw new Stop(
						"pickle.invalid-opcode",
						`byte 0x${op.toString(16).padStart(2, "0")} at offset ${this.pos - 1} is no opcode`,
						this.pos - 1,
					);
			}
		}
	}
}

/** Decodes a protocol-0 STRING argument: a quoted Python bytes literal with backslash escapes. */
function decodePythonLiteral(text: string, offset: number): string {
	const quote = text[0];
	if (
		text.length < 2 ||
		(quote !== "'" && quote !== '"') ||
		text[text.length - 1] !== quote
	) {
		throw new Stop(
			"pickle.malformed",
			`STRING argument is not quoted (before offset ${offset})`,
			offset,
		);
	}
	const simple: Record<string, string> = {
		n: "\n",
		r: "\r",
		t: "\t",
		a: "\x07",
		b: "\b",
		f: "\f",
		v: "\v",
		"\\": "\\",
		"'": "'",
		'"': '"',
		"\n": "",
	};
	return text
		.slice(1, -1)
		.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/gs, (_, seq: string) => {
			if (seq[0] === "x" && seq.length === 3)
				return String.fromCharCode(Number.parseInt(seq.slice(1), 16));
			if (/^[0-7]+$/.test(seq))
				return String.fromCharCode(Number.parseInt(seq, 8) & 0xff);
			return simple[seq] ?? `\\${seq}`;
		});
}

/** Decodes a protocol-0 UNICODE argument: only \uXXXX and \UXXXXXXXX are escapes. */
function decodeRawUnicodeEscape(text: string): string {
	return text.replace(
		/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g,
		(_, u4?: string, u8?: string) =>
			String.fromCodePoint(Number.parseInt((u4 ?? u8) as string, 16)),
	);
}
