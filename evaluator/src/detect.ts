import { looksLikeOldPickle } from "./formats/pytorch.ts";
import type { ModelFile } from "./io.ts";
import type { Format } from "./types.ts";

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
	file: ModelFile,
	maxPickleBytes: number,
): Promise<Format | "text"> {
	const head = await file.peek(0, SNIFF);
	if (head.length >= 4 && head.toString("latin1", 0, 4) === "GGUF")
		return "gguf";
	if (
		head.length >= 4 &&
		(head.readUInt32LE(0) === 0x04034b50 || head.readUInt32LE(0) === 0x06054b50)
	)
		return "zip";
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
