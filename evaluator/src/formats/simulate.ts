import { canonicalImport } from "./allowlist.ts";

/**
 * Values of a simulated pickle. Nothing is ever called: an import is a `global`, a call is a
 * `call` record of what would have been called with what, so formats that interleave pickles with
 * raw bytes (joblib, the legacy torch.save format) can be followed to their exact end.
 */
export type PValue =
	| null
	| boolean
	| number
	| bigint
	| string
	| PBytes
	| PValue[]
	| PTuple
	| PDict
	| PGlobal
	| PCall
	| PLarge;
export type PBytes = { kind: "bytes"; length: number };
export type PTuple = { kind: "tuple"; items: PValue[] };
export type PDict = { kind: "dict"; entries: [PValue, PValue][] };
export type PGlobal = { kind: "global"; name: string };
/** What REDUCE / NEWOBJ / INST / OBJ would have produced, with the state BUILD gave it. */
export type PCall = {
	kind: "call";
	callable: PValue;
	args: PValue;
	state?: PValue;
};
/** A string longer than any name, kept by its length only. */
export type PLarge = { kind: "large"; length: number };

export type SimulationError = {
	code: "pickle.truncated" | "pickle.invalid-opcode" | "pickle.malformed";
	message: string;
	offset: number;
};

export type Simulation = {
	imports: string[];
	/** Offset of the opcode that first made each import, parallel to `imports`. */
	offsets: number[];
	/** Offset just past STOP, or where the simulation stopped. */
	end: number;
	/** The value STOP returned. */
	value?: PValue;
	/** Persistent ids (BINPERSID / PERSID) in order. */
	persistentIds: PValue[];
	error?: SimulationError;
};

/**
 * After a BUILD, a format may read raw bytes from the stream (joblib's NumpyArrayWrapper does):
 * given the built value and the offset after BUILD, return the offset where the pickle resumes,
 * or throw a SimulationStop.
 */
export type AfterBuild = (built: PCall, offset: number) => number;

export class SimulationStop extends Error {
	readonly code: SimulationError["code"];
	readonly offset: number;
	constructor(code: SimulationError["code"], message: string, offset: number) {
		super(message);
		this.code = code;
		this.offset = offset;
	}
}

const MAX_NAME = 1024;
/** Values kept in all: a hostile pickle could otherwise DUP its way to any memory use. */
const MAX_VALUES = 10_000_000;
const MARK = Symbol("mark");

/**
 * Runs one pickle from `start` over a model of its values (no code runs): enough to read the
 * shapes, dtypes and persistent ids that tell how many raw bytes a format writes next to it.
 * Slower than `scanPickle`; used only for the formats that need values.
 */
export function simulatePickle(
	data: Uint8Array,
	start: number,
	afterBuild?: AfterBuild,
): Simulation {
	const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
	const n = buf.length;
	let pos = start;
	const stack: (PValue | typeof MARK)[] = [];
	const memo = new Map<number, PValue>();
	const imports: string[] = [];
	const offsets: number[] = [];
	const seen = new Set<string>();
	const persistentIds: PValue[] = [];
	let made = 0;

	const stop = (
		code: SimulationError["code"],
		message: string,
		offset = pos,
	): never => {
		throw new SimulationStop(code, message, offset);
	};
	const need = (count: number): void => {
		if (count < 0 || pos + count > n)
			stop(
				"pickle.truncated",
				`needs ${count} bytes at offset ${pos}, the data ends at ${n}`,
			);
	};
	const byte = (): number => {
		need(1);
		return buf[pos++] as number;
	};
	const take = (count: number): Buffer => {
		need(count);
		pos += count;
		return buf.subarray(pos - count, pos);
	};
	const line = (): string => {
		const end = buf.indexOf(0x0a, pos);
		if (end < 0) stop("pickle.truncated", `line at offset ${pos} has no end`);
		const text = buf.toString("utf8", pos, Math.min(end, pos + MAX_NAME));
		pos = end + 1;
		return text;
	};
	const push = (value: PValue | typeof MARK): void => {
		if (++made > MAX_VALUES)
			stop("pickle.malformed", `more than ${MAX_VALUES} values`);
		stack.push(value);
	};
	const pop = (): PValue => {
		const value = stack.pop();
		if (value === undefined || value === MARK)
			stop("pickle.malformed", `stack underflow at offset ${pos - 1}`, pos - 1);
		return value as PValue;
	};
	const top = (): PValue => {
		const value = stack[stack.length - 1];
		if (value === undefined || value === MARK)
			stop("pickle.malformed", `empty stack at offset ${pos - 1}`, pos - 1);
		return value as PValue;
	};
	const popMark = (): PValue[] => {
		const at = stack.lastIndexOf(MARK);
		if (at < 0)
			stop(
				"pickle.malformed",
				`no MARK for the opcode at offset ${pos - 1}`,
				pos - 1,
			);
		return stack.splice(at).slice(1) as PValue[];
	};
	const str = (raw: Buffer): PValue =>
		raw.length > MAX_NAME
			? { kind: "large", length: raw.length }
			: raw.toString("utf8");
	const record = (module: unknown, name: unknown, at: number): PGlobal => {
		const full =
			typeof module === "string" && typeof name === "string"
				? canonicalImport(module, name)
				: "?.?";
		if (!seen.has(full)) {
			seen.add(full);
			imports.push(full);
			offsets.push(at);
		}
		return { kind: "global", name: full };
	};
	const u64 = (): number => {
		const value = take(8).readBigUInt64LE(0);
		if (value > BigInt(n))
			stop("pickle.truncated", `length ${value} passes the end`, pos - 8);
		return Number(value);
	};
	const memoIndex = (): number => {
		const text = line();
		if (!/^\d+$/.test(text))
			stop("pickle.malformed", `memo index is not a number before ${pos}`);
		return Number(text);
	};
	const get = (index: number): void => {
		if (!memo.has(index))
			stop("pickle.malformed", `memo ${index} read before it was written`);
		push(memo.get(index) as PValue);
	};
	const setItems = (target: PValue, items: PValue[]): void => {
		if (isDict(target))
			for (let i = 0; i + 1 < items.length; i += 2)
				target.entries.push([items[i] as PValue, items[i + 1] as PValue]);
	};

	try {
		for (;;) {
			const op = byte();
			switch (op) {
				case 0x2e: // STOP
					return { imports, offsets, end: pos, value: pop(), persistentIds };
				case 0x80: // PROTO
					byte();
					break;
				case 0x95: // FRAME
					take(8);
					break;
				case 0x28:
					push(MARK);
					break;
				case 0x30: // POP
					if (stack[stack.length - 1] === MARK) popMark();
					else pop();
					break;
				case 0x31:
					popMark();
					break;
				case 0x32:
					push(top());
					break;
				case 0x46: // FLOAT
					push(Number(line()));
					break;
				case 0x49: {
					// INT (I01/I00 are booleans)
					const text = line();
					push(text === "01" ? true : text === "00" ? false : intOf(text));
					break;
				}
				case 0x4c: // LONG
					push(intOf(line().replace(/L$/, "")));
					break;
				case 0x4a:
					push(take(4).readInt32LE(0));
					break;
				case 0x4b:
					push(byte());
					break;
				case 0x4d:
					push(take(2).readUInt16LE(0));
					break;
				case 0x47:
					push(take(8).readDoubleBE(0));
					break;
				case 0x8a: // LONG1
					push(longOf(take(byte())));
					break;
				case 0x8b: // LONG4
					push(longOf(take(take(4).readUInt32LE(0))));
					break;
				case 0x4e:
					push(null);
					break;
				case 0x88:
					push(true);
					break;
				case 0x89:
					push(false);
					break;
				case 0x7d:
					push({ kind: "dict", entries: [] });
					break;
				case 0x5d:
					push([]);
					break;
				case 0x29:
					push({ kind: "tuple", items: [] });
					break;
				case 0x8f:
					push([]);
					break;
				case 0x97: // NEXT_BUFFER: out-of-band data a file cannot supply
					stop("pickle.malformed", `NEXT_BUFFER at offset ${pos - 1}`, pos - 1);
					break;
				case 0x98:
					top();
					break;
				case 0x53: // STRING
				case 0x56: // UNICODE
					push(line().replace(/^(['"])(.*)\1$/s, "$2"));
					break;
				case 0x54:
				case 0x58:
					push(str(take(take(4).readUInt32LE(0))));
					break;
				case 0x55:
				case 0x8c:
					push(str(take(byte())));
					break;
				case 0x8d:
					push(str(take(u64())));
					break;
				case 0x42:
					push({ kind: "bytes", length: take(take(4).readUInt32LE(0)).length });
					break;
				case 0x43:
					push({ kind: "bytes", length: take(byte()).length });
					break;
				case 0x8e:
				case 0x96:
					push({ kind: "bytes", length: take(u64()).length });
					break;
				case 0x61: {
					// APPEND
					const item = pop();
					const list = top();
					if (Array.isArray(list)) list.push(item);
					break;
				}
				case 0x65:
				case 0x90: {
					// APPENDS, ADDITEMS
					const items = popMark();
					const list = top();
					if (Array.isArray(list)) list.push(...items);
					break;
				}
				case 0x75: {
					// SETITEMS
					const items = popMark();
					setItems(top(), items);
					break;
				}
				case 0x73: {
					// SETITEM
					const value = pop();
					const key = pop();
					setItems(top(), [key, value]);
					break;
				}
				case 0x64: {
					// DICT
					const dict: PDict = { kind: "dict", entries: [] };
					setItems(dict, popMark());
					push(dict);
					break;
				}
				case 0x6c:
				case 0x91:
					push(popMark());
					break;
				case 0x74:
					push({ kind: "tuple", items: popMark() });
					break;
				case 0x85:
				case 0x86:
				case 0x87: {
					const items: PValue[] = [];
					for (let i = 0; i < op - 0x84; i++) items.unshift(pop());
					push({ kind: "tuple", items });
					break;
				}
				case 0x70:
					memo.set(memoIndex(), top());
					break;
				case 0x71:
					memo.set(byte(), top());
					break;
				case 0x72:
					memo.set(take(4).readUInt32LE(0), top());
					break;
				case 0x94:
					memo.set(memo.size, top());
					break;
				case 0x67:
					get(memoIndex());
					break;
				case 0x68:
					get(byte());
					break;
				case 0x6a:
					get(take(4).readUInt32LE(0));
					break;
				case 0x63: {
					// GLOBAL
					const at = pos - 1;
					const module = line();
					push(record(module, line(), at));
					break;
				}
				case 0x69: {
					// INST
					const at = pos - 1;
					const module = line();
					const callable = record(module, line(), at);
					push({
						kind: "call",
						callable,
						args: { kind: "tuple", items: popMark() },
					});
					break;
				}
				case 0x93: {
					// STACK_GLOBAL
					const name = pop();
					push(record(pop(), name, pos - 1));
					break;
				}
				case 0x82:
				case 0x83:
				case 0x84:
					take(op === 0x82 ? 1 : op === 0x83 ? 2 : 4);
					push(record(null, null, pos - 1));
					break;
				case 0x52: // REDUCE
				case 0x81: {
					// NEWOBJ
					const args = pop();
					push({ kind: "call", callable: pop(), args });
					break;
				}
				case 0x92: {
					// NEWOBJ_EX
					const kwargs = pop();
					const args = pop();
					push({
						kind: "call",
						callable: pop(),
						args: { kind: "tuple", items: [args, kwargs] },
					});
					break;
				}
				case 0x6f: {
					// OBJ
					const items = popMark();
					if (items.length === 0)
						stop("pickle.malformed", `OBJ without a class at ${pos - 1}`);
					push({
						kind: "call",
						callable: items[0] as PValue,
						args: { kind: "tuple", items: items.slice(1) },
					});
					break;
				}
				case 0x62: {
					// BUILD
					const state = pop();
					const target = top();
					if (isCall(target)) {
						target.state = state;
						if (afterBuild) pos = afterBuild(target, pos);
					}
					break;
				}
				case 0x50: // PERSID
					persistentIds.push(line());
					push(null);
					break;
				case 0x51: // BINPERSID
					persistentIds.push(pop());
					push(null);
					break;
				default:
					stop(
						"pickle.invalid-opcode",
						`byte 0x${op.toString(16).padStart(2, "0")} at offset ${pos - 1} is no opcode`,
						pos - 1,
					);
			}
		}
	} catch (error) {
		if (!(error instanceof SimulationStop)) throw error;
		return {
			imports,
			offsets,
			end: error.offset,
			persistentIds,
			error: { code: error.code, message: error.message, offset: error.offset },
		};
	}
}

function intOf(text: string): number | bigint {
	if (!/^-?\d+$/.test(text.trim())) return 0;
	const value = BigInt(text.trim());
	return value >= BigInt(Number.MIN_SAFE_INTEGER) &&
		value <= BigInt(Number.MAX_SAFE_INTEGER)
		? Number(value)
		: value;
}

/** Little-endian two's complement, as LONG1 / LONG4 store it. */
function longOf(bytes: Buffer): number | bigint {
	if (bytes.length === 0) return 0;
	let value = 0n;
	for (let i = bytes.length - 1; i >= 0; i--)
		value = (value << 8n) | BigInt(bytes[i] as number);
	if ((bytes[bytes.length - 1] as number) & 0x80)
		value -= 1n << BigInt(bytes.length * 8);
	return value >= BigInt(Number.MIN_SAFE_INTEGER) &&
		value <= BigInt(Number.MAX_SAFE_INTEGER)
		? Number(value)
		: value;
}

export const isDict = (value: unknown): value is PDict =>
	typeof value === "object" &&
	value !== null &&
	(value as PDict).kind === "dict";
export const isCall = (value: unknown): value is PCall =>
	typeof value === "object" &&
	value !== null &&
	(value as PCall).kind === "call";
export const isTuple = (value: unknown): value is PTuple =>
	typeof value === "object" &&
	value !== null &&
	(value as PTuple).kind === "tuple";
export const isGlobal = (value: unknown, name?: string): value is PGlobal =>
	typeof value === "object" &&
	value !== null &&
	(value as PGlobal).kind === "global" &&
	(name === undefined || (value as PGlobal).name === name);

/** The value of a string key in a simulated dict. */
export function dictGet(
	dict: PValue | undefined,
	key: string,
): PValue | undefined {
	if (!isDict(dict)) return undefined;
	for (const [k, v] of dict.entries) if (k === key) return v;
	return undefined;
}
