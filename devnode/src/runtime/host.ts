/**
 * The host functions a mapping imports (graph-node runtime/wasm/src/module/instance.rs), with
 * graph-node's semantics and error texts. Imports link by name only, whatever their module.
 */
import { keccak_256 } from "@noble/hashes/sha3.js";
import type { Entity } from "../store/types.ts";
import { type AscHeap, AscType } from "./asc.ts";
import { BigDecimal } from "./bigdecimal.ts";
import type { EntityCache } from "./entity-cache.ts";
import {
	type EthereumValue,
	readEthereumValue,
	writeEthereumValue,
} from "./ethereum.ts";
import {
	debugValue,
	generateId,
	IdParseError,
	type SchemaIndex,
	valuesEqual,
} from "./schema-index.ts";
import {
	parseJson,
	readBigDecimal,
	readEntity,
	writeBigDecimal,
	writeEntity,
	writeJson,
} from "./values.ts";

/** A deterministic error raised by a host function or the mapping: it fails the subgraph. */
export class MappingError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "MappingError";
	}
}

/** A host call that could not reach the chain: the block is retried, the subgraph does not fail. */
export class PossibleReorgError extends Error {
	constructor(message: string, options?: ErrorOptions) {
		super(message, options);
		this.name = "PossibleReorgError";
	}
}

export interface EthereumCallRequest {
	contractName: string;
	address: Uint8Array;
	functionName: string;
	functionSignature: string;
	args: EthereumValue[];
}

/** What the host functions of one trigger act on. */
export interface HostContext {
	heap: AscHeap;
	cache: EntityCache;
	schema: SchemaIndex;
	/** The trigger's block: its number and timestamp (seconds). */
	block: { number: number; timestamp: bigint };
	apiVersion: string;
	dataSource: {
		name: string;
		network: string;
		address: Uint8Array;
		context: Entity | null;
		templates: string[];
	};
	/** ethereum.call at the trigger's block; null when the call reverted. */
	ethereumCall(call: EthereumCallRequest): Promise<EthereumValue[] | null>;
	ethereumGetBalance(address: Uint8Array): Promise<bigint>;
	ethereumHasCode(address: Uint8Array): Promise<boolean>;
	encode(value: EthereumValue): Uint8Array | null;
	decode(types: string, data: Uint8Array): EthereumValue | null;
	createDataSource(
		template: string,
		params: string[],
		context: Entity | null,
	): void;
	log(level: LogLevel, message: string): void;
}

export type LogLevel = "critical" | "error" | "warning" | "info" | "debug";
const LOG_LEVELS: LogLevel[] = [
	"critical",
	"error",
	"warning",
	"info",
	"debug",
];

/** Host functions that return a Promise: linked through JSPI so the mapping waits for them. */
export const ASYNC_HOST_FUNCTIONS = new Set([
	"store.get",
	"store.set",
	"store.loadRelated",
	"ethereum.call",
	"ethereum.getBalance",
	"ethereum.hasCode",
]);

const hex = (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString("hex")}`;
const utf8 = new TextDecoder("utf-8", { fatal: false });
const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

function base58(bytes: Uint8Array): string {
	let n = bytes.length === 0 ? 0n : BigInt(hex(bytes));
	let out = "";
	while (n > 0n) {
		out = BASE58[Number(n % 58n)] + out;
		n /= 58n;
	}
	for (const b of bytes) {
		if (b !== 0) break;
		out = `1${out}`;
	}
	return out;
}

/** num-bigint's BigInt::from_str: an optional sign, digits with `_` separators. */
function parseBigInt(text: string): bigint | string {
	const m = /^([+-]?)([0-9][0-9_]*)$/.exec(text);
	if (!m)
		return text.replace(/^[+-]/, "") === ""
			? "cannot parse integer from empty string"
			: "invalid digit found in string";
	const v = BigInt(m[2].replaceAll("_", ""));
	return m[1] === "-" ? -v : v;
}

function versionAtLeast(version: string, min: string): boolean {
	const a = version.split(".").map(Number);
	const b = min.split(".").map(Number);
	for (let i = 0; i < 3; i++)
		if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
	return true;
}

export type HostFunctions = Record<string, (...args: never[]) => unknown>;

export function hostFunctions(ctx: HostContext): HostFunctions {
	const h = () => ctx.heap;
	const str = (p: number) => h().readString(p);
	const bigint = (p: number) => h().readBigInt(p);
	const newBigInt = (v: bigint) => h().bigInt(v);
	const decimal = (p: number) => readBigDecimal(h(), p);
	const newDecimal = (v: BigDecimal) => writeBigDecimal(h(), v);

	const entityKey = (entityType: string, id: string) => {
		ctx.schema.entity(entityType);
		try {
			return ctx.schema.parseId(entityType, id);
		} catch (e) {
			throw new MappingError((e as Error).message);
		}
	};

	return {
		abort(message: number, file: number, line: number, column: number) {
			const msg = message ? `message: ${str(message)}` : "no message";
			const location = !file
				? "an unknown location"
				: line
					? column
						? `${str(file)}, line ${line}, column ${column}`
						: `${str(file)}, line ${line}`
					: str(file);
			throw new MappingError(`Mapping aborted at ${location}, with ${msg}`);
		},

		"log.log"(level: number, message: number) {
			const text = str(message);
			const name = LOG_LEVELS[level] ?? "info";
			ctx.log(name, text);
			if (name === "critical")
				throw new MappingError(
					`Critical error logged in mapping with log message: ${text}`,
				);
		},

		// ---- store ----
		async "store.get"(entityType: number, id: number) {
			const type = str(entityType);
			const { key } = entityKey(type, str(id));
			const entity = await ctx.cache.get(type, key);
			return entity ? writeEntity(h(), entity) : 0;
		},
		"store.get_in_block"(entityType: number, id: number) {
			const type = str(entityType);
			const { key } = entityKey(type, str(id));
			const entity = ctx.cache.getInBlock(type, key);
			return entity ? writeEntity(h(), entity) : 0;
		},
		async "store.set"(entityType: number, id: number, data: number) {
			const type = str(entityType);
			let rawId = str(id);
			const entity = readEntity(h(), data);
			// graph-node's store_set: a timeseries gets a generated id and the block's time; `auto` asks
			// for a generated id of any entity type
			let def: ReturnType<typeof ctx.schema.entity>;
			try {
				def = ctx.schema.entity(type);
				if (rawId === "auto" || def.timeseries) {
					rawId = generateId(def.idType, ctx.block.number, ctx.cache.nextIdSeq());
					entity.set("id", ctx.schema.parseId(type, rawId).value);
				}
			} catch (e) {
				if (e instanceof IdParseError) throw new MappingError(e.message);
				throw e;
			}
			const { key, value: idValue } = entityKey(type, rawId);
			if (def.timeseries)
				entity.set("timestamp", {
					kind: "Timestamp",
					value: ctx.block.timestamp * 1_000_000n,
				});
			const given = entity.get("id");
			if (given && !valuesEqual(given, idValue)) {
				const entityIdType = ctx.schema.entity(type).idType;
				if (given.kind !== entityIdType) {
					throw new MappingError(
						`Attribute \`${type}.id\` has wrong type: expected ${entityIdType} but got ${given.kind}`,
					);
				}
				throw new MappingError(
					`Value of ${type} attribute 'id' conflicts with ID passed to \`store.set()\`: ${debugValue(given)} != ${debugValue(idValue)}`,
				);
			}
			entity.set("id", idValue);
			const undefinedFields = [...entity.keys()]
				.filter((f) => !ctx.schema.field(type, f))
				.sort();
			if (
				undefinedFields.length > 0 &&
				versionAtLeast(ctx.apiVersion, "0.0.8")
			) {
				throw new MappingError(
					`Attempted to set undefined fields [${undefinedFields.join(", ")}] for the entity type \`${type}\`. Make sure those fields are defined in the schema.`,
				);
			}
			for (const f of undefinedFields) entity.delete(f);
			try {
				await ctx.cache.set(type, key, entity);
			} catch (e) {
				throw new MappingError((e as Error).message);
			}
		},
		"store.remove"(entityType: number, id: number) {
			const type = str(entityType);
			const { key } = entityKey(type, str(id));
			ctx.cache.remove(type, key);
		},
		async "store.loadRelated"(entityType: number, id: number, field: number) {
			const type = str(entityType);
			const rawId = str(id);
			const fieldName = str(field);
			const { key, value: idValue } = entityKey(type, rawId);
			const f = ctx.schema.field(type, fieldName);
			const fail = (what: string) =>
				new MappingError(`Entity ${type}[${rawId}]: ${what} \`${fieldName}\``);
			if (!f) throw fail("unknown field");
			if (!f.derivedFrom) throw fail("field is not derived");
			const related = await ctx.cache.loadRelated(
				f.type,
				f.derivedFrom,
				key,
				idValue,
			);
			return h().array(
				AscType.ArrayTypedMapStringStoreValue,
				related.map((e) => writeEntity(h(), e)),
			);
		},

		// ---- typeConversion ----
		"typeConversion.bytesToString"(p: number) {
			// from_utf8_lossy, then trailing NULs trimmed (fixed-size buffers).
			const text = utf8.decode(h().readBytes(p));
			let end = text.length;
			while (end > 0 && text.charCodeAt(end - 1) === 0) end--;
			return h().string(text.slice(0, end));
		},
		"typeConversion.bytesToHex"(p: number) {
			return h().string(hex(h().readBytes(p)));
		},
		"typeConversion.bigIntToString"(p: number) {
			return h().string(bigint(p).toString());
		},
		"typeConversion.bigIntToHex"(p: number) {
			// graph-node prints the magnitude only, without leading zeros.
			const v = bigint(p);
			return h().string(
				v === 0n ? "0x0" : `0x${(v < 0n ? -v : v).toString(16)}`,
			);
		},
		"typeConversion.stringToH160"(p: number) {
			const s = str(p);
			const body = s.startsWith("0x") ? s.slice(2) : s;
			if (!/^[0-9a-fA-F]{40}$/.test(body))
				throw new MappingError(`Failed to convert string to Address: '${s}'`);
			return h().uint8Array(Uint8Array.from(Buffer.from(body, "hex")));
		},
		"typeConversion.bytesToBase58"(p: number) {
			return h().string(base58(h().readBytes(p)));
		},

		// ---- bigInt ----
		"bigInt.plus": (a: number, b: number) => newBigInt(bigint(a) + bigint(b)),
		"bigInt.minus": (a: number, b: number) => newBigInt(bigint(a) - bigint(b)),
		"bigInt.times": (a: number, b: number) => newBigInt(bigint(a) * bigint(b)),
		"bigInt.dividedBy"(a: number, b: number) {
			const x = bigint(a);
			const y = bigint(b);
			if (y === 0n)
				throw new MappingError(`attempted to divide BigInt \`${x}\` by zero`);
			return newBigInt(x / y);
		},
		"bigInt.dividedByDecimal"(a: number, b: number) {
			return newDecimal(
				catchDecimal(() =>
					BigDecimal.fromBigInt(bigint(a)).dividedBy(decimal(b)),
				),
			);
		},
		"bigInt.mod"(a: number, b: number) {
			const x = bigint(a);
			const y = bigint(b);
			if (y === 0n)
				throw new MappingError(
					`attempted to calculate the remainder of \`${x}\` with a divisor of zero`,
				);
			return newBigInt(x % y);
		},
		"bigInt.pow": (a: number, exp: number) =>
			newBigInt(bigint(a) ** BigInt(exp & 0xff)),
		"bigInt.fromString"(p: number) {
			const s = str(p);
			const v = parseBigInt(s);
			if (typeof v === "string")
				throw new MappingError(`string is not a BigInt: \`${s}\`: ${v}`);
			return newBigInt(v);
		},
		"bigInt.bitOr": (a: number, b: number) => newBigInt(bigint(a) | bigint(b)),
		"bigInt.bitAnd": (a: number, b: number) => newBigInt(bigint(a) & bigint(b)),
		"bigInt.leftShift": (a: number, bits: number) =>
			newBigInt(bigint(a) << BigInt(bits & 0xff)),
		"bigInt.rightShift": (a: number, bits: number) =>
			newBigInt(bigint(a) >> BigInt(bits & 0xff)),

		// ---- bigDecimal ----
		"bigDecimal.toString": (p: number) => h().string(decimal(p).toString()),
		"bigDecimal.fromString": (p: number) =>
			newDecimal(catchDecimal(() => BigDecimal.parse(str(p)))),
		"bigDecimal.plus": (a: number, b: number) =>
			newDecimal(decimal(a).plus(decimal(b))),
		"bigDecimal.minus": (a: number, b: number) =>
			newDecimal(decimal(a).minus(decimal(b))),
		"bigDecimal.times": (a: number, b: number) =>
			newDecimal(decimal(a).times(decimal(b))),
		"bigDecimal.dividedBy": (a: number, b: number) =>
			newDecimal(catchDecimal(() => decimal(a).dividedBy(decimal(b)))),
		"bigDecimal.equals": (a: number, b: number) =>
			decimal(a).equals(decimal(b)) ? 1 : 0,

		// ---- crypto, json ----
		"crypto.keccak256": (p: number) =>
			h().uint8Array(keccak_256(h().readBytes(p))),
		"json.fromBytes"(p: number) {
			const bytes = h().readBytes(p);
			try {
				return writeJson(h(), parseJson(utf8.decode(bytes)));
			} catch (e) {
				throw new MappingError(
					`Failed to parse JSON from byte array. Bytes (truncated to 1024 chars): \`[${[...bytes.subarray(0, 1024)].join(", ")}]\`: ${(e as Error).message}`,
				);
			}
		},
		"json.try_fromBytes"(p: number) {
			// Result<JSONValue, bool>: { value: Wrapped<JSONValue> | null, error: Wrapped<bool> | null }
			let value: number;
			try {
				value = writeJson(h(), parseJson(utf8.decode(h().readBytes(p))));
			} catch {
				const error = h().struct(AscType.WrappedBool, [1]);
				return h().struct(AscType.ResultJsonValueBool, [0, error]);
			}
			const wrapped = h().struct(AscType.WrappedJsonValue, [value]);
			return h().struct(AscType.ResultJsonValueBool, [wrapped, 0]);
		},
		"json.toI64"(p: number) {
			const s = str(p);
			if (!/^[+-]?\d+$/.test(s) || BigInt(s) !== BigInt.asIntN(64, BigInt(s)))
				throw new MappingError(`JSON \`${s}\` cannot be parsed as i64`);
			return BigInt(s);
		},
		"json.toU64"(p: number) {
			const s = str(p);
			if (!/^\+?\d+$/.test(s) || BigInt(s) !== BigInt.asUintN(64, BigInt(s)))
				throw new MappingError(`JSON \`${s}\` cannot be parsed as u64`);
			return BigInt.asIntN(64, BigInt(s));
		},
		"json.toF64"(p: number) {
			const s = str(p);
			if (
				!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|infinity|nan)$/i.test(
					s,
				)
			)
				throw new MappingError(`JSON \`${s}\` cannot be parsed as f64`);
			return Number(s.replace(/^([+-]?)inf(inity)?$/i, "$1Infinity"));
		},
		"json.toBigInt"(p: number) {
			const s = str(p);
			const v = parseBigInt(s);
			if (typeof v === "string")
				throw new MappingError(`JSON \`${s}\` is not a decimal string: ${v}`);
			return newBigInt(v);
		},

		// ---- dataSource ----
		"dataSource.create"(name: number, params: number) {
			createDataSource(ctx, str(name), h().readPointers(params).map(str), null);
		},
		"dataSource.createWithContext"(
			name: number,
			params: number,
			context: number,
		) {
			createDataSource(
				ctx,
				str(name),
				h().readPointers(params).map(str),
				readEntity(h(), context),
			);
		},
		"dataSource.address": () => h().uint8Array(ctx.dataSource.address),
		"dataSource.network": () => h().string(ctx.dataSource.network),
		"dataSource.context": () =>
			writeEntity(h(), ctx.dataSource.context ?? new Map()),

		// ---- ethereum ----
		async "ethereum.call"(call: number) {
			// SmartContractCall (apiVersion >= 0.0.4): name, address, function name, signature, args
			const [name, address, fn, signature, args] = [0, 4, 8, 12, 16].map((o) =>
				h().u32(call + o),
			);
			const request: EthereumCallRequest = {
				contractName: str(name),
				address: h().readBytes(address),
				functionName: str(fn),
				functionSignature: signature ? str(signature) : "",
				args: h()
					.readPointers(args)
					.map((p) => readEthereumValue(h(), p)),
			};
			const result = await ctx.ethereumCall(request);
			if (result === null) return 0;
			return h().array(
				AscType.ArrayEthereumValue,
				result.map((v) => writeEthereumValue(h(), v)),
			);
		},
		async "ethereum.getBalance"(address: number) {
			if (!versionAtLeast(ctx.apiVersion, "0.0.9"))
				throw new MappingError(
					"ethereum.getBalance call is not supported before API version 0.0.9",
				);
			return newBigInt(await ctx.ethereumGetBalance(h().readBytes(address)));
		},
		async "ethereum.hasCode"(address: number) {
			if (!versionAtLeast(ctx.apiVersion, "0.0.9"))
				throw new MappingError(
					"ethereum.hasCode call is not supported before API version 0.0.9",
				);
			const has = await ctx.ethereumHasCode(h().readBytes(address));
			return h().struct(AscType.WrappedBool, [has ? 1 : 0]);
		},
		"ethereum.encode"(token: number) {
			const bytes = ctx.encode(readEthereumValue(h(), token));
			return bytes ? h().uint8Array(bytes) : 0;
		},
		"ethereum.decode"(types: number, data: number) {
			const value = ctx.decode(str(types), h().readBytes(data));
			return value ? writeEthereumValue(h(), value) : 0;
		},
	};
}

function catchDecimal<T>(f: () => T): T {
	try {
		return f();
	} catch (e) {
		throw new MappingError((e as Error).message);
	}
}

function createDataSource(
	ctx: HostContext,
	name: string,
	params: string[],
	context: Entity | null,
): void {
	if (!ctx.dataSource.templates.includes(name)) {
		throw new MappingError(
			`Failed to create data source from name \`${name}\`: No template with this name in parent data source \`${ctx.dataSource.name}\`. Available names: ${ctx.dataSource.templates.join(", ")}.`,
		);
	}
	ctx.createDataSource(name, params, context);
}

export const IMPLEMENTED_HOST_FUNCTIONS = new Set(
	Object.keys(hostFunctions({} as HostContext)),
);
