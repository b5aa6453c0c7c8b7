import { symlink } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import {
	bytesOf,
	externalTensorProto,
	labelledSet,
	mlpOnnx,
	nestedGraphOnnx,
	randomMlp,
	writeModelFolder,
} from "../src/fixtures/onnx.ts";
import { checkModel } from "../src/index.ts";
import { tempFolder } from "./fixtures/tmp.ts";

const dir = await tempFolder();
const mlp = randomMlp();
const errors = (report: { findings: { severity: string; code: string }[] }) =>
	report.findings.filter((f) => f.severity === "error").map((f) => f.code);

/** A model folder: the MLP, a card-less layout, and an evaluation set with `manifest`. */
async function modelFolder(
	name: string,
	manifest: Record<string, unknown>,
	set = labelledSet(mlp, 500, 400),
	labels?: Uint8Array,
): Promise<string> {
	await writeModelFolder(dir.write, name, { mlp, set, manifest, labels });
	return `${dir.path}/${name}`;
}

describe("ONNX structure", () => {
	test("an MLP parses; opset, inputs and outputs are listed", async () => {
		const report = await checkModel(await dir.write("mlp.onnx", mlpOnnx(mlp)));
		expect(report).toMatchObject({
			format: "onnx",
			verdict: "pass",
			metrics: { opset: 13, parameters: 64 * 32 + 32 + 32 * 10 + 10 },
		});
		expect(report.findings).toEqual([
			{
				severity: "info",
				code: "onnx.summary",
				message: "opset 13; inputs x[?,64]; outputs logits[?,10]",
				file: "mlp.onnx",
			},
		]);
	});

	test.each([
		[
			"a truncated file",
			() => mlpOnnx(mlp).subarray(0, 3000),
			"onnx.malformed",
		],
		["no opset", () => mlpOnnx(mlp, { opset: null }), "onnx.no-opset"],
		[
			"raw data that does not fit the shape",
			() => mlpOnnx(mlp, { corruptBias: true }),
			"onnx.tensor-size-mismatch",
		],
	])("%s fails", async (_, build, code) => {
		const report = await checkModel(await dir.write(`${code}.onnx`, build()));
		expect(report.format).toBe("onnx");
		expect(errors(report)).toEqual([code]);
	});

	test("subgraphs nested past the depth limit are refused, shallow ones pass", async () => {
		expect(
			errors(
				await checkModel(
					await dir.write("nested-ok.onnx", nestedGraphOnnx(10)),
				),
			),
		).toEqual([]);
		expect(
			errors(
				await checkModel(
					await dir.write("nested-deep.onnx", nestedGraphOnnx(5000)),
				),
			),
		).toEqual(["onnx.malformed"]);
	});

	test.each([
		["../../../etc/passwd", "onnx.external-data-escape"],
		["/etc/passwd", "onnx.external-data-escape"],
		["weights/missing.bin", "onnx.external-data-missing"],
		["weights.bin", "onnx.external-data-out-of-bounds"],
	])("external data at %s is refused", async (location, code) => {
		await dir.write("ext/weights.bin", Buffer.alloc(16));
		const model = mlpOnnx(mlp, {
			extraInitializers: [externalTensorProto("E", [8], location, 4)],
		});
		expect(
			errors(await checkModel(await dir.write("ext/model.onnx", model))),
		).toEqual([code]);
	});

	test("external data through a symlink out of the folder is refused", async () => {
		await dir.write("outside/secret.bin", Buffer.alloc(64));
		await dir.write(
			"ext-link/model.onnx",
			mlpOnnx(mlp, {
				extraInitializers: [externalTensorProto("E", [8], "link.bin")],
			}),
		);
		await symlink(
			`${dir.path}/outside/secret.bin`,
			`${dir.path}/ext-link/link.bin`,
		);
		const report = await checkModel(`${dir.path}/ext-link/model.onnx`);
		expect(errors(report)).toEqual(["onnx.external-data-escape"]);
	});

	test("external data inside the folder and the file passes", async () => {
		await dir.write("ext-ok/weights.bin", Buffer.alloc(64));
		const model = mlpOnnx(mlp, {
			extraInitializers: [externalTensorProto("E", [8], "weights.bin", 32)],
		});
		expect(
			errors(await checkModel(await dir.write("ext-ok/model.onnx", model))),
		).toEqual([]);
	});
});

describe("evaluation set", () => {
	test("accuracy and latency of a labelled set go into metrics and the score", async () => {
		const report = await checkModel(
			await modelFolder("acc", { metric: "accuracy" }),
		);
		expect(errors(report)).toEqual([]);
		expect(report.metrics).toMatchObject({ accuracy: 0.8, samples: 500 });
		expect(report.metrics.latencyP50Ms).toBeGreaterThan(0);
		expect(report.metrics.latencyP95Ms).toBeGreaterThanOrEqual(
			report.metrics.latencyP50Ms as number,
		);
		expect(report.score).toBe(800_000);
		expect(report.files.map((f) => [f.path, f.format])).toEqual([
			["eval/inputs.f32", "eval-set"],
			["eval/labels.i32", "eval-set"],
			["eval/manifest.json", "eval-set"],
			["model.onnx", "onnx"],
		]);
	});

	test("top-k counts a label anywhere in the k best classes", async () => {
		const report = await checkModel(
			await modelFolder("topk", { metric: "top-k", k: 2 }),
		);
		expect(report.metrics).toMatchObject({ topK: 1, k: 2, samples: 500 });
	});

	test("mse compares outputs with float32 targets", async () => {
		const set = labelledSet(mlp, 100, 100);
		const targets = set.logits.map((v) => v + 0.5);
		const report = await checkModel(
			await modelFolder(
				"mse",
				{ metric: "mse", labels: "targets.f32" },
				set,
			).then(async (path) => {
				await dir.write("mse/eval/targets.f32", bytesOf(targets));
				return path;
			}),
		);
		expect(report.metrics.mse).toBeCloseTo(0.25, 4);
		expect(report.score).toBe(Math.round(1_000_000 / 1.25));
	});

	test.each([
		[{ metric: "f1" }, "eval.invalid-manifest"],
		[
			{ metric: "accuracy", inputs: "../../../etc/passwd" },
			"eval.invalid-manifest",
		],
		[{ metric: "accuracy", shape: [48] }, "eval.size-mismatch"],
		[{ metric: "accuracy", shape: [16, 4] }, "eval.failed"],
	])("a broken manifest %j is a finding", async (manifest, code) => {
		const report = await checkModel(
			await modelFolder(
				`bad-${code}-${JSON.stringify(manifest).length}`,
				manifest,
			),
		);
		expect(errors(report)).toEqual([code]);
		expect(report.findings.find((f) => f.code === code)?.file).toBe(
			"eval/manifest.json",
		);
	});

	test("labels that do not match the sample count are refused", async () => {
		const report = await checkModel(
			await modelFolder(
				"short-labels",
				{ metric: "accuracy" },
				undefined,
				Buffer.alloc(12),
			),
		);
		expect(errors(report)).toEqual(["eval.size-mismatch"]);
	});

	test("inference is killed past its time and memory limits", async () => {
		const path = await modelFolder("limits", { metric: "accuracy" });
		expect(
			errors(await checkModel(path, { limits: { evalTimeoutMs: 1 } })),
		).toEqual(["eval.timeout"]);
		expect(
			errors(
				await checkModel(path, {
					limits: { evalMemoryBytes: 8 * 1024 * 1024 },
				}),
			),
		).toEqual(["eval.memory-limit"]);
	});

	test("a model that fails its structural checks is never run", async () => {
		await writeModelFolder(dir.write, "escape", {
			mlp,
			set: labelledSet(mlp, 50, 50),
		});
		await dir.write(
			"escape/model.onnx",
			mlpOnnx(mlp, {
				extraInitializers: [
					externalTensorProto("E", [8], "../../../etc/passwd"),
				],
			}),
		);
		const report = await checkModel(`${dir.path}/escape`);
		expect(
			report.findings.filter((f) => f.severity !== "info").map((f) => f.code),
		).toEqual(["onnx.external-data-escape", "card.missing", "eval.skipped"]);
		expect(report.metrics.accuracy).toBeUndefined();
	});

	test("skipQuality leaves the set alone", async () => {
		const report = await checkModel(
			await modelFolder("skip", { metric: "accuracy" }),
			{ skipQuality: true },
		);
		expect(report.metrics.accuracy).toBeUndefined();
	});
});
