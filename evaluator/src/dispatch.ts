import { basename } from "node:path";
import { gunzipSync, inflateSync } from "node:zlib";
import { type Detected, detectFormat, sealedKind } from "./detect.ts";
import { MalformedFileError } from "./errors.ts";
import { isDangerousModule } from "./formats/allowlist.ts";
import { checkZip } from "./formats/archive.ts";
import { checkGguf } from "./formats/gguf.ts";
import { checkNpy } from "./formats/numpy.ts";
import { checkOnnx } from "./formats/onnx.ts";
import { scanPickle } from "./formats/pickle.ts";
import { reportImports } from "./formats/pickle-report.ts";
import { checkPickleFile } from "./formats/pytorch.ts";
import { checkSafetensors } from "./formats/safetensors.ts";
import { BufferSource, type Source } from "./io.ts";
import type { Findings } from "./report.ts";
import type { FileReport, Limits, Metrics } from "./types.ts";

export type CheckContext = {
	/** The model folder (ONNX external data is resolved in it). */
	folder: string;
	findings: Findings;
	limits: Limits;
	metrics: Metrics;
	/** External data files named by the ONNX models checked so far (absolute paths). */
	onnxExternal: Set<string>;
};

/** Archives inside archives (an .npz in a zip in a gzip) deeper than this fail. */
const MAX_NESTING = 4;
const EOCD = Buffer.from("PK\x05\x06", "latin1");
/** Unknown bytes searched for a hidden pickle or zip, and the candidate starts tried. */
const MAX_SEARCH_BYTES = 256 * 1024 * 1024;
const MAX_CANDIDATES = 20_000;
const CANDIDATE_WINDOW = 1024 * 1024;
/** TensorFlow files that can hold arbitrary graph ops (file reads and writes included). */
const TENSORFLOW_NAMES = new Set([
	"saved_model.pb",
	"saved_model.pbtxt",
	"keras_metadata.pb",
	"fingerprint.pb",
]);

/**
 * Detects the format of `source` from its bytes and runs its check; nested containers (zip
 * members, gzip or zlib streams) come back here with `depth + 1`. Returns the format for the
 * report. Formats that could carry code and cannot be opened fail; other unknown bytes warn.
 */
export async function checkSource(
	source: Source,
	name: string,
	context: CheckContext,
	depth = 0,
): Promise<FileReport["format"]> {
	const { findings, limits } = context;
	if (depth > MAX_NESTING)
		throw new MalformedFileError(
			"archive.too-deep",
			`containers nested more than ${MAX_NESTING} levels deep`,
		);
	const base = basename(name.split(":").at(-1) ?? name);
	if (TENSORFLOW_NAMES.has(base)) {
		findings.error(
			"tensorflow.saved-model",
			"a TensorFlow SavedModel graph can run file and network ops when loaded; it is not supported, export the model to ONNX or safetensors",
			name,
		);
		return "unknown";
	}
	const detected: Detected = await detectFormat(source, limits.maxPickleBytes);
	try {
		return await checkDetected(source, name, context, depth, detected);
	} catch (error) {
		// a file (or member) its parser cannot get through fails, and keeps the format it was
		// detected as; the finding names the member when it is one
		if (!(error instanceof MalformedFileError)) throw error;
		findings.error(error.code, error.message, name);
		return detected === "text"
			? "other"
			: detected === "hdf5" ||
					detected === "gzip" ||
					detected === "zlib" ||
					detected === "sealed"
				? "unknown"
				: detected;
	}
}

async function checkDetected(
	source: Source,
	name: string,
	context: CheckContext,
	depth: number,
	detected: Detected,
): Promise<FileReport["format"]> {
	const { findings, limits, metrics } = context;
	const add = (counts: { tensors: number; parameters: number }): void => {
		metrics.tensors = (metrics.tensors ?? 0) + counts.tensors;
		metrics.parameters = (metrics.parameters ?? 0) + counts.parameters;
	};
	switch (detected) {
		case "safetensors":
			add(await checkSafetensors(source, name, findings, limits));
			return detected;
		case "gguf":
			add(await checkGguf(source, name, findings, limits));
			return detected;
		case "onnx": {
			const summary = await checkOnnx(
				source,
				name,
				context.folder,
				findings,
				limits,
			);
			if (summary) {
				for (const path of summary.external) context.onnxExternal.add(path);
				metrics.opset = summary.opset;
				metrics.parameters = (metrics.parameters ?? 0) + summary.parameters;
			}
			return detected;
		}
		case "numpy":
			add(await checkNpy(source, name, findings, limits));
			return detected;
		case "pickle":
			return checkPickleFile(source, name, findings, limits);
		case "zip":
			return checkZip(source, name, findings, limits, (member, memberName) =>
				checkSource(member, memberName, context, depth + 1).then(() => {}),
			);
		case "gzip":
		case "zlib":
			return checkCompressed(source, name, detected, context, depth);
		case "hdf5":
			await checkHdf5(source, name, findings);
			return "unknown";
		case "sealed":
			findings.error(
				"format.sealed-container",
				`a ${sealedKind(await source.peek(0, 512))} container the checks cannot open; it may hide a pickle (joblib and old torch.save use these), so it fails`,
				name,
			);
			return "unknown";
		case "text":
			return "other";
		default:
			return checkUnknown(source, name, context, depth);
	}
}

/** A gzip or zlib stream (joblib `compress=`, a gzipped pickle): inflated within the limit, then checked. */
async function checkCompressed(
	source: Source,
	name: string,
	kind: "gzip" | "zlib",
	context: CheckContext,
	depth: number,
): Promise<FileReport["format"]> {
	const { limits } = context;
	if (source.size > limits.maxPickleBytes)
		throw new MalformedFileError(
			"archive.entry-too-large",
			`${kind} stream of ${source.size} bytes, over the limit of ${limits.maxPickleBytes}`,
		);
	const packed = await source.read(0, source.size, "archive");
	let data: Buffer;
	try {
		const options = { maxOutputLength: limits.maxPickleBytes };
		data = kind === "gzip" ? gunzipSync(packed, options) : inflateSync(packed, options);
	} catch (error) {
		throw new MalformedFileError(
			(error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE"
				? "archive.bomb"
				: "archive.malformed",
			`the ${kind} stream does not inflate within ${limits.maxPickleBytes} bytes: ${(error as Error).message}`,
		);
	}
	context.findings.info(
		"archive.compressed",
		`${kind} stream of ${packed.length} bytes inflated to ${data.length} and checked`,
		name,
	);
	return checkSource(new BufferSource(data), `${name}:${kind}`, context, depth + 1);
}

/**
 * HDF5 is not parsed. A Keras H5 model (its `model_config` attribute) can hold Lambda layers whose
 * Python bytecode runs on load, so it fails (and a Lambda found in it is named); plain HDF5
 * arrays hold no code and only warn.
 */
async function checkHdf5(
	source: Source,
	name: string,
	findings: Findings,
): Promise<void> {
	const found = await findStrings(source, [
		"model_config",
		'"Lambda"',
		"__lambda__",
		'"TFOpLambda"',
	]);
	if (found.has('"Lambda"') || found.has("__lambda__") || found.has('"TFOpLambda"'))
		findings.error(
			"keras.lambda-layer",
			`a Keras H5 model with a Lambda layer at offset ${found.get('"Lambda"') ?? found.get("__lambda__") ?? found.get('"TFOpLambda"')}: Keras rebuilds its Python bytecode on load`,
			name,
		);
	if (found.has("model_config"))
		findings.error(
			"keras.h5-model",
			"a legacy Keras H5 model: its config can hold layers that run code, and HDF5 is not parsed here; save it in the .keras format",
			name,
		);
	else
		findings.warn(
			"format.unknown",
			"an HDF5 file without a Keras model config: arrays only, not parsed",
			name,
		);
}

/** Offsets of the first occurrence of each string, read in chunks that overlap by the longest one. */
async function findStrings(
	source: Source,
	strings: string[],
): Promise<Map<string, number>> {
	const needles = strings.map((s) => Buffer.from(s, "latin1"));
	const overlap = Math.max(...needles.map((n) => n.length));
	const chunk = 16 * 1024 * 1024;
	const found = new Map<string, number>();
	for (let at = 0; at < source.size; at += chunk) {
		const bytes = await source.peek(at, chunk + overlap);
		needles.forEach((needle, i) => {
			const key = strings[i] as string;
			if (found.has(key)) return;
			const hit = bytes.indexOf(needle);
			if (hit >= 0) found.set(key, at + hit);
		});
	}
	return found;
}

/**
 * Bytes of no known format never pass. They fail when they can carry code: a zip whose records
 * are found at the end (data prepended to an archive), or a pickle inside them that walks to a
 * clean STOP or imports from a dangerous module. Otherwise they warn.
 */
async function checkUnknown(
	source: Source,
	name: string,
	context: CheckContext,
	depth: number,
): Promise<FileReport["format"]> {
	const { findings, limits } = context;
	const tail = await source.peek(Math.max(0, source.size - 22 - 0xffff), 22 + 0xffff);
	// a zip with data put before it: the zip check reports the prepended bytes
	if (tail.lastIndexOf(EOCD) >= 0) {
		return checkZip(source, name, findings, limits, (member, memberName) =>
			checkSource(member, memberName, context, depth + 1).then(() => {}),
		);
	}
	const data = await source.read(0, Math.min(source.size, MAX_SEARCH_BYTES), "file");
	const flagged = new Set<string>();
	let candidates = 0;
	let hidden = false;
	const tryAt = (at: number): void => {
		candidates++;
		const scan = scanPickle(data.subarray(at, at + CANDIDATE_WINDOW));
		const dangerous = scan.modules.some(isDangerousModule);
		if (!dangerous && (scan.error || scan.imports.length === 0)) return;
		if (!hidden)
			findings.error(
				"format.embedded-pickle",
				`bytes of no known format hold a pickle at offset ${at} (a polyglot or a disguised file)`,
				name,
			);
		hidden = true;
		reportImports(scan, name, findings, flagged, at);
	};
	for (
		let at = data.indexOf(0x80);
		at >= 0 && candidates < MAX_CANDIDATES;
		at = data.indexOf(0x80, at + 1)
	)
		if ((data[at + 1] ?? 99) >= 2 && (data[at + 1] ?? 99) <= 5) tryAt(at);
	for (const module of ["os", "posix", "nt", "subprocess", "builtins", "__builtin__", "runpy", "socket"]) {
		const needle = Buffer.from(`c${module}\n`, "latin1");
		for (
			let at = data.indexOf(needle);
			at >= 0 && candidates < MAX_CANDIDATES;
			at = data.indexOf(needle, at + 1)
		)
			tryAt(at);
	}
	if (!hidden)
		findings.warn(
			"format.unknown",
			"file is in no format the checks know and holds no pickle or archive they could find; it was not otherwise inspected",
			name,
		);
	return "unknown";
}
