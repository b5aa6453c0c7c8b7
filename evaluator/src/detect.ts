import { constants as zlib, inflateSync } from "node:zlib";
import { NPY_MAGIC } from "./formats/numpy.ts";
import { looksLikeOldPickle } from "./formats/pytorch.ts";
import type { Source } from "./io.ts";
import type { Format } from "./types.ts";

/** What detection can say beyond the model formats: containers the checks open or refuse. */
export type Detected =
	| Format
	| "text"
	| "hdf5"
	| "gzip"
	| "zlib"
	/** A compressed or archive format Node cannot open (xz, bzip2, 7z, tar): it may hide a pickle. */
	| "sealed";

const HDF5_MAGIC = Buffer.from("\x89HDF\r\n\x1a\n", "latin1");
const SEALED: [number, Buffer, string][] = [
	[0, Buffer.from("fd377a585a00", "hex"), "xz"],
	[0, Buffer.from("377abcaf271c", "hex"), "7z"],
	[0, Buffer.from("BZh", "latin1"), "bzip2"],
	[257, Buffer.from("ustar", "latin1"), "tar"],
];

/** The name of the sealed container at the start of `head`, if any. */
export function sealedKind(head: Buffer): string | undefined {
	for (const [at, magic, kind] of SEALED) {
		if (head.length < at + magic.length) continue;
		if (!head.subarray(at, at + magic.length).equals(magic)) continue;
		// "BZh" is also text: a bzip2 stream goes on with a level digit and the block magic
		if (kind === "bzip2" && head.toString("latin1", 4, 10) !== "1AY&SY")
			continue;
		return kind;
	}
	return undefined;
}

/** Opcodes a protocol 0 or 1 pickle can start with (MARK, GLOBAL, containers, scalars, strings). */
const OLD_PICKLE_STARTS = new Set(
	[..."(c]})ldtNIJKLFSVXTUGi"].map((c) => c.charCodeAt(0)),
);

/** Length-delimited ModelProto fields an ONNX writer puts after ir_version (producer, graph, opset...). */
const ONNX_SECOND_TAGS = new Set([
	0x12, 0x1a, 0x22, 0x2a, 0x32, 0x3a, 0x42, 0x72,
]);

const SNIFF = 64 * 1024;

/**
 * The format of a file from its bytes: magic numbers for GGUF and zip, the header shape for
 * safetensors, PROTO for modern pickles, the first ModelProto fields for ONNX, and a trial walk
 * for protocol 0/1 pickles. Text is `text` (configs, tokenizers); anything else is `unknown`.
 */
export async function detectFormat(
	file: Source,
	maxPickleBytes: number,
): Promise<Detected> {
	const head = await file.peek(0, SNIFF);
	if (head.length >= 4 && head.toString("latin1", 0, 4) === "GGUF")
		return "gguf";
	if (
		head.length >= 4 &&
		(head.readUInt32LE(0) === 0x04034b50 || head.readUInt32LE(0) === 0x06054b50)
	)
		return "zip";
	if (head.length >= 10 && head.subarray(0, 6).equals(NPY_MAGIC))
		return "numpy";
	if (head.length >= 8 && head.subarray(0, 8).equals(HDF5_MAGIC))
		return "hdf5";
	if (
		head.length >= 10 &&
		(head[8] === 0x7b || head[8] === 0x5b) &&
		head.readBigUInt64LE(0) >= 2n
	)
		return "safetensors";
	if (head.length >= 2 && head[0] === 0x80 && (head[1] as number) <= 5)
		return "pickle";
	if (
		head.length >= 3 &&
		head[0] === 0x08 &&
		(head[1] as number) >= 1 &&
		(head[1] as number) <= 20 &&
		ONNX_SECOND_TAGS.has(head[2] as number)
	) {
		return "onnx";
	}
	if (head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
	if (isZlib(head)) return "zlib";
	if (sealedKind(head)) return "sealed";
	if (head.length > 0 && OLD_PICKLE_STARTS.has(head[0] as number)) {
		// most non-pickles break within the sniffed bytes; read the whole file only when they do not
		let pickle = looksLikeOldPickle(head, head.length === file.size);
		if (pickle === undefined && file.size <= maxPickleBytes) {
			pickle = looksLikeOldPickle(await file.read(0, file.size, "pickle"));
		}
		if (pickle) return "pickle";
	}
	if (!head.includes(0) && isUtf8(head)) return "text";
	return "unknown";
}

function isUtf8(bytes: Buffer): boolean {
	try {
		// the sniffed window may cut a character at its end: allow up to 3 bytes of it
		new TextDecoder("utf-8", { fatal: true }).decode(
			bytes.length === SNIFF ? bytes.subarray(0, lastBoundary(bytes)) : bytes,
		);
		return true;
	} catch {
		return false;
	}
}

function lastBoundary(bytes: Buffer): number {
	let end = bytes.length;
	for (
		let i = 0;
		i < 3 && end > 0 && ((bytes[end - 1] as number) & 0xc0) === 0x80;
		i++
	)
		end--;
	return end > 0 && (bytes[end - 1] as number) >= 0xc0 ? end - 1 : end;
}

/** A zlib stream (joblib's `compress=`): a valid header whose first bytes inflate. */
function isZlib(head: Buffer): boolean {
	if (head.length < 2 || ((head[0] as number) & 0x0f) !== 8) return false;
	if ((((head[0] as number) << 8) | (head[1] as number)) % 31 !== 0)
		return false;
	try {
		inflateSync(head.subarray(0, 4096), {
			finishFlush: zlib.Z_SYNC_FLUSH,
			maxOutputLength: 1 << 20,
		});
		return true;
	} catch (error) {
		return (error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE";
	}
}
