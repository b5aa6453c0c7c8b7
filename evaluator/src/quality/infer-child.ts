// Child process entry: runs one evaluation job with onnxruntime-node and prints the result as JSON.
// It is spawned by runEvaluation so a hostile or runaway model is killed with its process.
import { readFile } from "node:fs/promises";
import * as ort from "onnxruntime-node";
import type { EvalResult, InferRequest } from "./run.ts";

const request = JSON.parse(await readStdin()) as InferRequest;
const [inputBytes, labelBytes] = await Promise.all([
	readFile(request.inputs),
	readFile(request.labels),
]);
const inputs = new Float32Array(
	inputBytes.buffer,
	inputBytes.byteOffset,
	inputBytes.byteLength / 4,
);
const session = await ort.InferenceSession.create(request.model, {
	executionProviders: ["cpu"],
	intraOpNumThreads: 1,
	interOpNumThreads: 1,
	graphOptimizationLevel: "all",
});
const inputName = request.input ?? (session.inputNames[0] as string);
const outputName = request.output ?? (session.outputNames[0] as string);
const sampleSize = request.shape.reduce((a, b) => a * b, 1);
const samples = inputs.length / sampleSize;
const latencies = new Float64Array(samples);
const labels =
	request.metric === "mse"
		? new Float32Array(
				labelBytes.buffer,
				labelBytes.byteOffset,
				labelBytes.byteLength / 4,
			)
		: new Int32Array(
				labelBytes.buffer,
				labelBytes.byteOffset,
				labelBytes.byteLength / 4,
			);
const targetSize = labels.length / samples;
let correct = 0;
let squaredError = 0;
for (let i = 0; i < samples; i++) {
	const feed = {
		[inputName]: new ort.Tensor(
			"float32",
			inputs.subarray(i * sampleSize, (i + 1) * sampleSize),
			[1, ...request.shape],
		),
	};
	const started = performance.now();
	const result = await session.run(feed, [outputName]);
	latencies[i] = performance.now() - started;
	const output = (result[outputName] as ort.Tensor).data as Float32Array;
	if (request.metric === "mse") {
		for (let j = 0; j < targetSize; j++)
			squaredError +=
				((output[j] as number) - (labels[i * targetSize + j] as number)) ** 2;
	} else if (
		rankOf(output, labels[i] as number) <
		(request.metric === "top-k" ? request.k : 1)
	) {
		correct++;
	}
}
latencies.sort();
const result: EvalResult = {
	metric: request.metric,
	value:
		request.metric === "mse"
			? squaredError / (samples * targetSize)
			: correct / samples,
	samples,
	latencyP50Ms: percentile(latencies, 0.5),
	latencyP95Ms: percentile(latencies, 0.95),
};
process.stdout.write(JSON.stringify(result));

/** How many scores beat the label's score: 0 means the label is the top prediction. */
function rankOf(scores: Float32Array, label: number): number {
	const target = scores[label];
	if (target === undefined) return Number.POSITIVE_INFINITY;
	let rank = 0;
	for (let j = 0; j < scores.length; j++)
		if (
			(scores[j] as number) > target ||
			((scores[j] as number) === target && j < label)
		)
			rank++;
	return rank;
}

function percentile(sorted: Float64Array, q: number): number {
	return sorted[
		Math.min(sorted.length - 1, Math.floor(q * sorted.length))
	] as number;
}

async function readStdin(): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString("utf8");
}
