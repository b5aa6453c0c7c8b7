import { ModelFile, type Source } from "../io.ts";
import type { Findings } from "../report.ts";
import type { Limits } from "../types.ts";
import { isDangerousModule } from "./allowlist.ts";
import { checkJoblib, JOBLIB_WRAPPER } from "./joblib.ts";
import { scanPickle, scanPickleFile } from "./pickle.ts";
import { reportImports } from "./pickle-report.ts";
import {
	isGlobal,
	isTuple,
	type PValue,
	type Simulation,
	simulatePickle,
} from "./simulate.ts";

/** The first pickle of the legacy (pre-zip) torch.save format: the magic number 0x1950a86a20f9469cfc6c. */
const LEGACY_TORCH_MAGIC = Buffer.from("80028a0a6cfc9c46f9206aa850192e", "hex");
const MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;
const PROTOCOL_VERSION = 1001;

/** Bytes per element of the storage classes a legacy torch.save names in its persistent ids. */
const STORAGE_ELEMENT_BYTES: Record<string, number> = {
	"torch.FloatStorage": 4,
	"torch.DoubleStorage": 8,
	"torch.HalfStorage": 2,
	"torch.BFloat16Storage": 2,
	"torch.LongStorage": 8,
	"torch.IntStorage": 4,
	"torch.ShortStorage": 2,
	"torch.CharStorage": 1,
	"torch.ByteStorage": 1,
	"torch.BoolStorage": 1,
	"torch.ComplexFloatStorage": 8,
	"torch.ComplexDoubleStorage": 16,
	"torch.QInt8Storage": 1,
	"torch.QUInt8Storage": 1,
	"torch.QInt32Storage": 4,
	"torch.QUInt4x2Storage": 1,
	"torch.QUInt2x4Storage": 1,
	"torch.UntypedStorage": 1,
};

export type PickleKind = "pickle" | "pytorch-legacy" | "joblib";

/**
 * Checks bytes that hold a pickle, and accounts for every one of them: a plain pickle ends at its
 * STOP with the data; the legacy torch.save format is five pickles then the raw storages the
 * fourth names; joblib interleaves its pickle with raw arrays. Anything left over fails
 * (`pickle.trailing-data`), and any pickle found in it is scanned so the finding names its imports.
 */
export function checkPickleBytes(
	data: Buffer,
	name: string,
	findings: Findings,
): PickleKind {
	if (
		data.length >= LEGACY_TORCH_MAGIC.length &&
		data.subarray(0, LEGACY_TORCH_MAGIC.length).equals(LEGACY_TORCH_MAGIC)
	) {
		checkLegacyTorch(data, name, findings);
		return "pytorch-legacy";
	}
	const scan = scanPickle(data);
	if (scan.imports.includes(JOBLIB_WRAPPER)) {
		checkJoblib(data, name, findings);
		return "joblib";
	}
	const flagged = new Set<string>();
	reportImports(scan, name, findings, flagged);
	if (scan.error) {
		findings.error(
			scan.error.code,
			`pickle cannot be read: ${scan.error.message}`,
			name,
		);
		return "pickle";
	}
	if (scan.end < data.length) trailing(data, scan.end, name, findings, flagged);
	return "pickle";
}

/** Fails bytes after the last expected stream, and names what any pickle hidden there imports. */
function trailing(
	data: Buffer,
	from: number,
	name: string,
	findings: Findings,
	flagged: Set<string>,
): void {
	findings.error(
		"pickle.trailing-data",
		`${data.length - from} bytes after the pickle's STOP at offset ${from} belong to no stream the format defines (a second pickle or hidden data)`,
		name,
	);
	let offset = from;
	for (let streams = 0; offset < data.length && streams < 1000; streams++) {
		const scan = scanPickle(data, offset);
		reportImports(scan, name, findings, flagged);
		if (scan.error || scan.end === offset) return;
		offset = scan.end;
	}
}

/**
 * The legacy torch.save layout: pickles of the magic number, the protocol version (1001) and the
 * system info, the object itself, then the list of storage keys, followed for each key by its
 * element count (u64 little-endian) and exactly that many elements of its storage type.
 */
function checkLegacyTorch(
	data: Buffer,
	name: string,
	findings: Findings,
): boolean {
	const fail = (code: string, message: string): false => {
		findings.error(code, `legacy torch.save: ${message}`, name);
		return false;
	};
	const flagged = new Set<string>();
	const parts = ["magic number", "protocol version", "system info", "object", "storage keys"];
	const sims: Simulation[] = [];
	let offset = 0;
	for (const [index, part] of parts.entries()) {
		const scan = scanPickle(data, offset);
		reportImports(scan, name, findings, flagged);
		if (scan.error) {
			return fail(
				scan.error.code,
				`the ${part} pickle (${index + 1} of 5, from offset ${offset}) cannot be read: ${scan.error.message}`,
			);
		}
		const sim = simulatePickle(data, offset);
		if (sim.error || sim.end !== scan.end) {
			return fail(
				"pickle.malformed",
				`the ${part} pickle from offset ${offset} cannot be followed: ${sim.error?.message ?? "streams disagree"}`,
			);
		}
		sims.push(sim);
		offset = scan.end;
	}
	const [magic, protocol, , object, keysSim] = sims as [
		Simulation,
		Simulation,
		Simulation,
		Simulation,
		Simulation,
	];
	const bad = (message: string) => fail("pytorch.legacy-malformed", message);
	if (magic.value !== MAGIC_NUMBER) return bad("wrong magic number");
	if (protocol.value !== PROTOCOL_VERSION)
		return bad(`protocol version ${String(protocol.value)}, torch.load reads 1001`);
	const storages = new Map<string, { type: string; numel: number }>();
	for (const pid of object.persistentIds) {
		const items = isTuple(pid) ? pid.items : [];
		const [kind, type, key, , numel] = items as PValue[];
		if (
			kind !== "storage" ||
			!isGlobal(type) ||
			STORAGE_ELEMENT_BYTES[type.name] === undefined ||
			typeof key !== "string" ||
			typeof numel !== "number"
		)
			return bad(
				`a persistent id that is not ('storage', <storage type>, key, location, size): ${describe(pid)}`,
			);
		storages.set(key, { type: type.name, numel });
	}
	const keys = keysSim.value;
	if (!Array.isArray(keys) || !keys.every((k) => typeof k === "string"))
		return bad("the storage keys pickle is not a list of strings");
	for (const key of keys as string[]) {
		const storage = storages.get(key);
		if (!storage) return bad(`storage key "${key}" is named by no tensor`);
		if (offset + 8 > data.length)
			return fail(
				"pickle.truncated",
				`storage "${key}" has no size at offset ${offset}`,
			);
		const numel = data.readBigUInt64LE(offset);
		if (numel !== BigInt(storage.numel))
			return bad(
				`storage "${key}" at offset ${offset} holds ${numel} elements, its tensor says ${storage.numel}`,
			);
		const bytes = storage.numel * (STORAGE_ELEMENT_BYTES[storage.type] as number);
		if (offset + 8 + bytes > data.length)
			return fail(
				"pickle.truncated",
				`storage "${key}" needs ${bytes} bytes at offset ${offset + 8}, the file ends at ${data.length}`,
			);
		offset += 8 + bytes;
	}
	if (offset < data.length) trailing(data, offset, name, findings, flagged);
	return true;
}

function describe(value: PValue | undefined): string {
	return JSON.stringify(value, (_, v) =>
		typeof v === "bigint" ? String(v) : v,
	)?.slice(0, 200) ?? "nothing";
}

/**
 * Whether bytes that do not open with PROTO are still a protocol 0/1 pickle: the walk reaches STOP
 * cleanly, or it imports from a dangerous module before breaking (the call would already have run).
 * Given only the start of a file (`complete` false), undefined means "read more to know".
 */
export function looksLikeOldPickle(
	data: Uint8Array,
	complete = true,
): boolean | undefined {
	const scan = scanPickle(data);
	if (scan.modules.some(isDangerousModule)) return true;
	if (!scan.error) return scan.imports.length > 0 || scan.end === data.length;
	return !complete && scan.error.code === "pickle.truncated"
		? undefined
		: false;
}

/** Above this size a plain pickle file is walked through a window instead of read whole. */
const WINDOWED_BYTES = 64 * 1024 * 1024;

/**
 * Checks a raw pickle file (plain, legacy torch.save or joblib), read whole within the limit. A
 * large plain pickle (a NumPy array, say) is walked through a window of the file instead, its
 * tensor bytes stepped over, so it is not held in memory.
 */
export async function checkPickleFile(
	file: Source,
	name: string,
	findings: Findings,
	limits: Limits,
): Promise<PickleKind> {
	if (
		file instanceof ModelFile &&
		file.size > WINDOWED_BYTES &&
		file.size <= limits.maxPickleBytes
	) {
		const head = await file.peek(0, LEGACY_TORCH_MAGIC.length);
		const scan = head.equals(LEGACY_TORCH_MAGIC)
			? undefined
			: scanPickleFile(file.fd, file.size);
		if (scan && !scan.imports.includes(JOBLIB_WRAPPER)) {
			const flagged = new Set<string>();
			reportImports(scan, name, findings, flagged);
			if (scan.error)
				findings.error(
					scan.error.code,
					`pickle cannot be read: ${scan.error.message}`,
					name,
				);
			else if (scan.end < file.size) {
				findings.error(
					"pickle.trailing-data",
					`${file.size - scan.end} bytes after the pickle's STOP at offset ${scan.end} belong to no stream the format defines (a second pickle or hidden data)`,
					name,
				);
				const next = scanPickleFile(file.fd, file.size, scan.end);
				reportImports(next, name, findings, flagged);
			}
			return "pickle";
		}
	}
	if (file.size > limits.maxPickleBytes) {
		findings.error(
			"pickle.too-large",
			`pickle of ${file.size} bytes, over the limit of ${limits.maxPickleBytes}`,
			name,
		);
		return "pickle";
	}
	return checkPickleBytes(
		await file.read(0, file.size, "pickle"),
		name,
		findings,
	);
}
