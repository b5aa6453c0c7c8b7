// Ready-made model versions (file lists in the SDK's `listModel({ files })` shape) for demos and
// end-to-end tests: a clean safetensors model, a pickle that calls os.system, and an ONNX MLP with
// a labelled evaluation set whose accuracy is known in advance.
import { bytesOf, labelledSet, mlpOnnx, randomMlp } from "./fixtures/onnx.ts";
import { systemCallPickle } from "./fixtures/pickle.ts";
import { validSafetensors } from "./fixtures/safetensors.ts";

/** One file of a model version: what `listModel` / `publishVersion` take as `files`. */
export type SampleFile = { path: string; size: number; content: Uint8Array };

export type SampleModel = {
	files: SampleFile[];
	/** The listing's fields the card agrees with. */
	license: string;
	task: string;
};

export type SampleOptions = {
	/** SPDX id written into the card (default `MIT`); list the model with the same one. */
	license?: string;
	task?: string;
	name?: string;
};

const file = (path: string, content: Uint8Array | string): SampleFile => {
	const bytes =
		typeof content === "string" ? new TextEncoder().encode(content) : content;
	return { path, size: bytes.length, content: bytes };
};

/** A model card that passes the card checks: front matter plus the four required sections. */
export function sampleCard(
	name: string,
	license: string,
	task: string,
	evaluation = "See the attested evaluation.",
): string {
	return `---
license: ${license}
pipeline_tag: ${task}
---
# ${name}

## Intended uses
Demonstrations of the marketplace.

## Limitations
A toy model: not for production use.

## Training data
Synthetic data.

## Evaluation
${evaluation}
`;
}

/** A clean safetensors checkpoint with its card: the checks pass it. */
export function safetensorsSample(options: SampleOptions = {}): SampleModel {
	const { license = "MIT", task = "text-classification" } = options;
	const weights = validSafetensors([
		{ name: "encoder.weight", dtype: "F32", shape: [32, 16] },
		{ name: "encoder.bias", dtype: "F32", shape: [32] },
		{ name: "head.weight", dtype: "F16", shape: [4, 32] },
	]);
	return {
		license,
		task,
		files: [
			file("model.safetensors", weights),
			file(
				"README.md",
				sampleCard(options.name ?? "Clean classifier", license, task),
			),
		],
	};
}

/**
 * A PyTorch-style pickle whose unpickling runs `os.system("echo pwned")`, with an otherwise
 * valid card: the checks fail it with `pickle.unsafe-import` naming `os.system`.
 */
export function maliciousPickleSample(
	options: SampleOptions = {},
): SampleModel {
	const { license = "MIT", task = "text-classification" } = options;
	return {
		license,
		task,
		files: [
			file("pytorch_model.bin", systemCallPickle(2, "os", "system")),
			file(
				"README.md",
				sampleCard(options.name ?? "Helpful classifier", license, task),
			),
		],
	};
}

export type OnnxSampleOptions = SampleOptions & {
	/** Samples in the evaluation set (default 200). */
	samples?: number;
	/** Fraction the model gets right (default 0.9): the attested score is this × 1,000,000. */
	accuracy?: number;
	/** Seed of the MLP's weights. */
	seed?: number;
};

/**
 * A 64→32→10 MLP as `model.onnx` with an accuracy evaluation set under `eval/` labelled so that
 * exactly `accuracy` of the samples are right, and its card.
 */
export function onnxSample(
	options: OnnxSampleOptions = {},
): SampleModel & { accuracy: number } {
	const {
		license = "MIT",
		task = "tabular-classification",
		samples = 200,
		seed = 1,
	} = options;
	const correct = Math.round(samples * (options.accuracy ?? 0.9));
	const mlp = randomMlp([64, 32, 10], seed);
	const set = labelledSet(mlp, samples, correct, seed + 6);
	const manifest = {
		inputs: "inputs.f32",
		labels: "labels.i32",
		metric: "accuracy",
		shape: [64],
	};
	return {
		license,
		task,
		accuracy: correct / samples,
		files: [
			file("model.onnx", mlpOnnx(mlp)),
			file("eval/manifest.json", JSON.stringify(manifest)),
			file("eval/inputs.f32", bytesOf(set.inputs)),
			file("eval/labels.i32", bytesOf(set.labels)),
			file(
				"README.md",
				sampleCard(
					options.name ?? "Tabular MLP",
					license,
					task,
					`Top-1 accuracy on the ${samples}-sample set under eval/.`,
				),
			),
		],
	};
}
