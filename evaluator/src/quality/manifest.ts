import { readFile, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { MalformedFileError } from "../errors.ts";

export type Metric = "accuracy" | "top-k" | "mse";

/** `eval/manifest.json` of a model folder; paths are relative to the `eval/` folder. */
export type EvalManifest = {
	/** Raw little-endian float32 samples, `shape` each. */
	inputs: string;
	/** int32 class per sample (accuracy, top-k) or float32 targets, one output's size each (mse). */
	labels: string;
	metric: Metric;
	/** Shape of one sample, without the batch dimension. */
	shape: number[];
	/** For top-k; default 5. */
	k?: number;
	/** Graph input and output to use; default the first of each. */
	input?: string;
	output?: string;
	/** The ONNX file, relative to the model folder; default the folder's only ONNX file. */
	model?: string;
};

/** A validated evaluation job, with absolute paths, ready for the inference child. */
export type EvalJob = Required<
	Omit<EvalManifest, "model" | "input" | "output">
> & {
	input?: string;
	output?: string;
	model?: string;
	samples: number;
};

export const MANIFEST_PATH = join("eval", "manifest.json");

const fail = (message: string): never => {
	throw new MalformedFileError("eval.invalid-manifest", message);
};

/** Reads and validates the manifest: known metric, positive shape, files inside the folder whose sizes agree. */
export async function loadEvalJob(folder: string): Promise<EvalJob> {
	let raw: unknown;
	try {
		raw = JSON.parse(await readFile(join(folder, MANIFEST_PATH), "utf8"));
	} catch (error) {
		return fail(
			`eval/manifest.json is not valid JSON: ${(error as Error).message}`,
		);
	}
	const m = raw as Partial<EvalManifest>;
	if (typeof m !== "object" || m === null)
		return fail("eval/manifest.json is not an object");
	if (m.metric !== "accuracy" && m.metric !== "top-k" && m.metric !== "mse")
		return fail(
			`metric ${JSON.stringify(m.metric)} is not accuracy, top-k or mse`,
		);
	if (
		!Array.isArray(m.shape) ||
		m.shape.length === 0 ||
		!m.shape.every((d) => Number.isSafeInteger(d) && d > 0)
	) {
		return fail("shape must be a non-empty list of positive integers");
	}
	const k = m.k ?? 5;
	if (!Number.isSafeInteger(k) || k < 1)
		return fail("k must be a positive integer");
	const evalFolder = join(folder, "eval");
	const inputs = inside(evalFolder, m.inputs, "inputs");
	const labels = inside(evalFolder, m.labels, "labels");
	const model =
		m.model === undefined ? undefined : inside(folder, m.model, "model");
	const sampleBytes = 4 * m.shape.reduce((a, b) => a * b, 1);
	const inputBytes = (
		await stat(inputs).catch(() => fail(`inputs file ${m.inputs} is missing`))
	).size;
	const labelBytes = (
		await stat(labels).catch(() => fail(`labels file ${m.labels} is missing`))
	).size;
	if (inputBytes === 0 || inputBytes % sampleBytes !== 0) {
		throw new MalformedFileError(
			"eval.size-mismatch",
			`inputs hold ${inputBytes} bytes, not a whole number of ${sampleBytes}-byte samples`,
		);
	}
	const samples = inputBytes / sampleBytes;
	if (
		labelBytes % (4 * samples) !== 0 ||
		(m.metric !== "mse" && labelBytes !== 4 * samples)
	) {
		throw new MalformedFileError(
			"eval.size-mismatch",
			`labels hold ${labelBytes} bytes for ${samples} samples`,
		);
	}
	return {
		inputs,
		labels,
		metric: m.metric,
		shape: m.shape,
		k,
		input: m.input,
		output: m.output,
		model,
		samples,
	};
}

function inside(folder: string, path: unknown, what: string): string {
	if (typeof path !== "string" || path === "")
		return fail(`${what} must name a file`);
	const target = resolve(folder, path);
	const rel = relative(folder, target);
	if (
		isAbsolute(path) ||
		rel === ".." ||
		rel.startsWith(`..${sep}`) ||
		isAbsolute(rel)
	)
		return fail(`${what} path ${path} leaves the model folder`);
	return target;
}
