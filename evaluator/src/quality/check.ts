import { join, relative } from "node:path";
import { MalformedFileError } from "../errors.ts";
import type { Findings } from "../report.ts";
import type { FileReport, Limits, Metrics } from "../types.ts";
import { loadEvalJob, MANIFEST_PATH } from "./manifest.ts";
import { runEvaluation } from "./run.ts";

/** Runs the folder's evaluation set on its ONNX model; failures to run are findings. */
export async function checkQuality(
	folder: string,
	files: FileReport[],
	findings: Findings,
	limits: Limits,
	metrics: Metrics,
): Promise<void> {
	try {
		const job = await loadEvalJob(folder);
		const onnx = files.filter((f) => f.format === "onnx");
		const model =
			job.model ??
			(onnx.length === 1
				? join(folder, (onnx[0] as FileReport).path)
				: undefined);
		if (
			model === undefined ||
			!onnx.some((f) => join(folder, f.path) === model)
		) {
			findings.warn(
				"eval.no-onnx-model",
				"the evaluation set needs exactly one ONNX model (or `model` in the manifest)",
				MANIFEST_PATH,
			);
			return;
		}
		// never hand the runtime a model whose structure failed (e.g. external data outside the folder)
		const modelPath = relative(folder, model);
		if (
			findings.list.some((f) => f.severity === "error" && f.file === modelPath)
		) {
			findings.warn(
				"eval.skipped",
				`${modelPath} failed its structural checks, so the evaluation set was not run`,
				MANIFEST_PATH,
			);
			return;
		}
		const result = await runEvaluation(
			{ ...job, model },
			{ timeoutMs: limits.evalTimeoutMs, memoryBytes: limits.evalMemoryBytes },
		);
		if (result.metric === "accuracy") metrics.accuracy = result.value;
		else if (result.metric === "top-k") {
			metrics.topK = result.value;
			metrics.k = job.k;
		} else metrics.mse = result.value;
		metrics.samples = result.samples;
		metrics.latencyP50Ms = result.latencyP50Ms;
		metrics.latencyP95Ms = result.latencyP95Ms;
	} catch (error) {
		if (!(error instanceof MalformedFileError)) throw error;
		findings.error(error.code, error.message, MANIFEST_PATH);
	}
}
