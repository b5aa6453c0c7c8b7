import { canonicalImport } from "./allowlist.ts";

/** What a walk over one pickle's opcodes found; nothing in it was ever executed. */
export type PickleScan = {
	/** Every import in order of appearance, as `module.name` (Python 2 names mapped). */
	imports: string[];
	/** Module part of each import, parallel to `imports`. */
	modules: string[];
	/** Offset just past STOP, or where the walk stopped on an error. */
	end: number;
	protocol: number;
	error?: {
		code: "pickle.truncated" | "pickle.invalid-opcode" | "pickle.malformed";
		message: string;
		offset: number;
	};
};

class Stop extends Error {
	readonly code:
		| "pickle.truncated"
		| "pickle.invalid-opcode"
		| "pickle.malformed";
	readonly offset: number;
	constructor(code: Stop["code"], message: string, offset: number) {
		super(message);
		this.code = code;
		this.offset = offset;
	}
}

/** Longer strings are data, never module or attribute names worth decoding. */
const MAX_NAME = 1024;

/**
 * Walks the opcodes of one pickle (protocols 0–5) from `start`, simulating only what is needed
 * to resolve imports: a stack of "string or something else", marks, and the memo. GLOBAL and INST
 * carry their names inline; STACK_GLOBAL takes them from the stack, where they may come from the
 * memo (PUT/BINPUT/LONG_BINPUT/MEMOIZE then GET/BINGET/LONG_BINGET). A value that cannot be
 * resolved to a string yields the import `?.?`, which no allow-list contains.
 */
export function scanPickle(data: Uint8Array, start = 0): PickleScan {
	const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
	const imports: string[] = [];
	const modules: string[] = [];
	let stack: (string | null)[] = [];
	const metastack: (string | null)[][] = [];
	const memo = new Map<number, string | null>();
	let protocol = 0;
	let pos = start;
	const n = buf.length;

	const need = (count: number): void => {
		if (pos + count > n)
			throw new Stop(
				"pickle.truncated",
				`needs ${count} bytes at offset ${pos}, file ends at ${n}`,
				pos,
			);
	};
	const line = (): string | null => {
		const nl = buf.indexOf(0x0a, pos);
		if (nl < 0)
			throw new Stop(
				"pickle.truncated",
				`line at offset ${pos} has no end`,
				pos,
			);
		const text = nl - pos > MAX_NAME ? null : buf.toString("utf8", pos, nl);
		pos = nl + 1;
		return text;
	};
	const skipLine = (): void => {
		const nl = buf.indexOf(0x0a, pos);
		if (nl < 0)
			throw new Stop(
				"pickle.truncated",
				`line at offset ${pos} has no end`,
				pos,
			);
		pos = nl + 1;
	};
	const pop = (): string | null => {
		if (stack.length === 0)
			throw new Stop(
				"pickle.malformed",
				`stack underflow at offset ${pos - 1}`,
				pos - 1,
			);
		return stack.pop() as string | null;
	};
	const popMark = (): (string | null)[] => {
		const items = stack;
		const previous = metastack.pop();
		if (previous === undefined)
			throw new Stop(
				"pickle.malformed",
				`no MARK for the opcode at offset ${pos - 1}`,
				pos - 1,
			);
		stack = previous;
		return items;
	};
	const top = (): string | null => {
		if (stack.length === 0)
			throw new Stop(
				"pickle.malformed",
				`empty stack at offset ${pos - 1}`,
				pos - 1,
			);
		return stack[stack.length - 1] as string | null;
	};
	const pushString = (length: number): void => {
		need(length);
		stack.push(
			length > MAX_NAME ? null : buf.toString("utf8", pos, pos + length),
		);
		pos += length;
	};
	const skip = (length: number): void => {
		need(length);
		pos += length;
	};
	const u64 = (): number => {
		need(8);
		const value = buf.readBigUInt64LE(pos);
		pos += 8;
		if (value > BigInt(n))
			throw new Stop(
				"pickle.truncated",
				`length ${value} at offset ${pos - 8} passes the end`,
				pos - 8,
			);
		return Number(value);
	};
	const u32 = (): number => {
		need(4);
		const value = buf.readUInt32LE(pos);
		pos += 4;
		return value;
	};
	const memoGet = (index: number): void => {
		if (!memo.has(index))
			throw new Stop(
				"pickle.malformed",
				`memo ${index} read before it was written (offset ${pos})`,
				pos,
			);
		stack.push(memo.get(index) as string | null);
	};
	const record = (module: string | null, name: string | null): void => {
		modules.push(module ?? "?");
		imports.push(
			module === null || name === null ? "?.?" : canonicalImport(module, name),
		);
	};

	try {
		for (;;) {
			need(1);
			const op = buf[pos++] as number;
			switch (op) {
				case 0x2e: // STOP
					return { imports, modules, end: pos, protocol };
				case 0x80: // PROTO
					need(1);
					protocol = buf[pos++] as number;
					break;
				case 0x95: // FRAME
					skip(8);
					break;
				case 0x28: // MARK
					metastack.push(stack);
					stack = [];
					break;
				case 0x30: // POP
					if (stack.length > 0) stack.pop();
					else popMark();
					break;
				case 0x31: // POP_MARK
					popMark();
					break;
				case 0x32: // DUP
					stack.push(top());
					break;
				// scalars: push one non-string value
				case 0x46: // FLOAT
				case 0x49: // INT
				case 0x4c: // LONG
				case 0x50: // PERSID
					skipLine();
					stack.push(null);
					break;
				case 0x4a: // BININT
					skip(4);
					stack.push(null);
					break;
				case 0x4b: // BININT1
					skip(1);
					stack.push(null);
					break;
				case 0x4d: // BININT2
					skip(2);
					stack.push(null);
					break;
				case 0x47: // BINFLOAT
					skip(8);
					stack.push(null);
					break;
				case 0x8a: // LONG1
					need(1);
					skip(buf[pos++] as number);
					stack.push(null);
					break;
				case 0x8b: // LONG4
					skip(u32());
					stack.push(null);
					break;
				case 0x4e: // NONE
				case 0x88: // NEWTRUE
				case 0x89: // NEWFALSE
				case 0x7d: // EMPTY_DICT
				case 0x5d: // EMPTY_LIST
				case 0x29: // EMPTY_TUPLE
				case 0x8f: // EMPTY_SET
				case 0x97: // NEXT_BUFFER
					stack.push(null);
					break;
				case 0x98: // READONLY_BUFFER
					top();
					break;
				// strings: the only values that can name an import
				case 0x53: {
					// STRING
					const text = line();
					stack.push(text === null ? null : decodePythonLiteral(text, pos));
					break;
				}
				case 0x56: {
					// UNICODE (raw-unicode-escape)
					const text = line();
					stack.push(text === null ? null : decodeRawUnicodeEscape(text));
					break;
				}
				case 0x54: // BINSTRING
					pushString(u32());
					break;
				case 0x55: // SHORT_BINSTRING
				case 0x8c: // SHORT_BINUNICODE
					need(1);
					pushString(buf[pos++] as number);
					break;
				case 0x58: // BINUNICODE
					pushString(u32());
					break;
				case 0x8d: // BINUNICODE8
					pushString(u64());
					break;
				// bytes are not str: STACK_GLOBAL refuses them, so they resolve to nothing
				case 0x42: // BINBYTES
					skip(u32());
					stack.push(null);
					break;
				case 0x43: // SHORT_BINBYTES
					need(1);
					skip(buf[pos++] as number);
					stack.push(null);
					break;
				case 0x8e: // BINBYTES8
				case 0x96: // BYTEARRAY8
					skip(u64());
					stack.push(null);
					break;
				// containers
				case 0x61: // APPEND
					pop();
					top();
					break;
				case 0x65: // APPENDS
				case 0x75: // SETITEMS
				case 0x90: // ADDITEMS
					popMark();
					top();
					break;
				case 0x73: // SETITEM
					pop();
					pop();
					top();
					break;
				case 0x64: // DICT
				case 0x6c: // LIST
				case 0x74: // TUPLE
				case 0x91: // FROZENSET
					popMark();
					stack.push(null);
					break;
				case 0x85: // TUPLE1
					pop();
					stack.push(null);
					break;
				case 0x86: // TUPLE2
					pop();
					pop();
					stack.push(null);
					break;
				case 0x87: // TUPLE3
					pop();
					pop();
					pop();
					stack.push(null);
					break;
				// memo
				case 0x70: // PUT
					memo.set(memoIndex(line(), pos), top());
					break;
				case 0x71: // BINPUT
					need(1);
					memo.set(buf[pos++] as number, top());
					break;
				case 0x72: // LONG_BINPUT
					memo.set(u32(), top());
					break;
				case 0x94: // MEMOIZE
					memo.set(memo.size, top());
					break;
				case 0x67: // GET
					memoGet(memoIndex(line(), pos));
					break;
				case 0x68: // BINGET
					need(1);
					memoGet(buf[pos++] as number);
					break;
				case 0x6a: // LONG_BINGET
					memoGet(u32());
					break;
				// imports
				case 0x63: {
					// GLOBAL
					const module = line();
					record(module, line());
					stack.push(null);
					break;
				}
				case 0x69: {
					// INST: import, then call it with the marked items
					const module = line();
					record(module, line());
					popMark();
					stack.push(null);
					break;
				}
				case 0x93: {
					// STACK_GLOBAL
					const name = pop();
					record(pop(), name);
					stack.push(null);
					break;
				}
				case 0x82: // EXT1, EXT2, EXT4: imports through copyreg's extension registry
				case 0x83:
				case 0x84:
					skip(op === 0x82 ? 1 : op === 0x83 ? 2 : 4);
					record(null, null);
					stack.push(null);
					break;
				// calls: the callable was already checked where it was imported
				case 0x52: // REDUCE
				case 0x81: // NEWOBJ
					pop();
					pop();
					stack.push(null);
					break;
				case 0x92: // NEWOBJ_EX
					pop();
					pop();
					pop();
					stack.push(null);
					break;
				case 0x6f: // OBJ
					if (popMark().length === 0)
						throw new Stop(
							"pickle.malformed",
							`OBJ without a class at offset ${pos - 1}`,
							pos - 1,
						);
					stack.push(null);
					break;
				case 0x62: // BUILD
					pop();
					top();
					break;
				case 0x51: // BINPERSID
					pop();
					stack.push(null);
					break;
				default:
					throw new Stop(
						"pickle.invalid-opcode",
						`byte 0x${op.toString(16).padStart(2, "0")} at offset ${pos - 1} is no opcode`,
						pos - 1,
					);
			}
		}
	} catch (error) {
		if (!(error instanceof Stop)) throw error;
		return {
			imports,
			modules,
			end: error.offset,
			protocol,
			error: { code: error.code, message: error.message, offset: error.offset },
		};
	}
}

function memoIndex(text: string | null, offset: number): number {
	if (text === null || !/^\d+$/.test(text))
		throw new Stop(
			"pickle.malformed",
			`memo index is not a number (before offset ${offset})`,
			offset,
		);
	return Number(text);
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
	const body = text.slice(1, -1);
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
	return body.replace(
		/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/gs,
		(_, seq: string) => {
			if (seq[0] === "x" && seq.length === 3)
				return String.fromCharCode(Number.parseInt(seq.slice(1), 16));
			if (/^[0-7]+$/.test(seq))
				return String.fromCharCode(Number.parseInt(seq, 8) & 0xff);
			return simple[seq] ?? `\\${seq}`;
		},
	);
}

/** Decodes a protocol-0 UNICODE argument: only \uXXXX and \UXXXXXXXX are escapes. */
function decodeRawUnicodeEscape(text: string): string {
	return text.replace(
		/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g,
		(_, u4?: string, u8?: string) =>
			String.fromCodePoint(Number.parseInt((u4 ?? u8) as string, 16)),
	);
}
