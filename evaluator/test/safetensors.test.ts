import { describe, expect, test } from "vitest";
import {
	safetensorsFile,
	validSafetensors,
} from "../src/fixtures/safetensors.ts";
import { checkModel } from "../src/index.ts";
import { tempFolder } from "./fixtures/tmp.ts";

const dir = await tempFolder();
const codes = (report: { findings: { severity: string; code: string }[] }) =>
	report.findings.filter((f) => f.severity !== "info").map((f) => f.code);

describe("safetensors", () => {
	test("a valid file passes and counts tensors and parameters", async () => {
		const file = await dir.write(
			"valid.safetensors",
			validSafetensors(
				[
					{ name: "embed", dtype: "BF16", shape: [10, 4] },
					{ name: "weight", dtype: "F32", shape: [4, 3] },
					{ name: "ids", dtype: "I64", shape: [5] },
				],
				{ format: "pt" },
			),
		);
		const report = await checkModel(file);
		expect(report).toMatchObject({
			format: "safetensors",
			verdict: "pass",
			score: 1_000_000,
			findings: [],
		});
		expect(report.metrics).toMatchObject({
			tensors: 3,
			parameters: 57,
			files: 1,
		});
	});

	test("format comes from the content, not the file name", async () => {
		const file = await dir.write(
			"model.onnx",
			validSafetensors([{ name: "w", dtype: "F16", shape: [2] }]),
		);
		expect((await checkModel(file)).format).toBe("safetensors");
	});

	const broken: [string, Buffer, string][] = [
		[
			"header over the limit",
			safetensorsFile({}, Buffer.alloc(0), 200_000_000n),
			"safetensors.header-too-large",
		],
		[
			"header longer than the file",
			safetensorsFile(
				{ w: { dtype: "F32", shape: [1], data_offsets: [0, 4] } },
				Buffer.alloc(4),
				5000n,
			),
			"safetensors.truncated",
		],
		[
			"header not JSON",
			Buffer.concat([
				Buffer.from([9, 0, 0, 0, 0, 0, 0, 0]),
				Buffer.from("{bad json"),
			]),
			"safetensors.header-invalid-json",
		],
		[
			"header not an object",
			safetensorsFile([1, 2], Buffer.alloc(0)),
			"safetensors.header-not-object",
		],
		[
			"unknown dtype",
			safetensorsFile(
				{ w: { dtype: "F128", shape: [1], data_offsets: [0, 16] } },
				Buffer.alloc(16),
			),
			"safetensors.tensor-invalid",
		],
		[
			"negative shape",
			safetensorsFile(
				{ w: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } },
				Buffer.alloc(4),
			),
			"safetensors.tensor-invalid",
		],
		[
			"dtype × shape differs from the span",
			safetensorsFile(
				{ w: { dtype: "F32", shape: [2, 2], data_offsets: [0, 12] } },
				Buffer.alloc(12),
			),
			"safetensors.size-mismatch",
		],
		[
			"span past the data",
			safetensorsFile(
				{ w: { dtype: "U8", shape: [8], data_offsets: [0, 8] } },
				Buffer.alloc(4),
			),
			"safetensors.out-of-bounds",
		],
		[
			"overlapping spans",
			safetensorsFile(
				{
					a: { dtype: "U8", shape: [4], data_offsets: [0, 4] },
					b: { dtype: "U8", shape: [4], data_offsets: [2, 6] },
				},
				Buffer.alloc(6),
			),
			"safetensors.overlap",
		],
		[
			"a gap between spans",
			safetensorsFile(
				{
					a: { dtype: "U8", shape: [2], data_offsets: [0, 2] },
					b: { dtype: "U8", shape: [2], data_offsets: [4, 6] },
				},
				Buffer.alloc(6),
			),
			"safetensors.gap",
		],
		[
			"bytes after the last tensor",
			safetensorsFile(
				{ a: { dtype: "U8", shape: [2], data_offsets: [0, 2] } },
				Buffer.alloc(10),
			),
			"safetensors.trailing-bytes",
		],
		[
			"metadata that is not strings",
			safetensorsFile({ __metadata__: { n: 1 } }, Buffer.alloc(0)),
			"safetensors.metadata-invalid",
		],
	];
	test.each(broken)("%s fails with its code", async (_, bytes, code) => {
		const file = await dir.write(`${code}.safetensors`, bytes);
		const report = await checkModel(file);
		expect(report.verdict).toBe("fail");
		expect(report.score).toBe(0);
		expect(codes(report)).toContain(code);
	});

	test("a truncated file is a finding, not a crash", async () => {
		const whole = validSafetensors([
			{ name: "w", dtype: "F32", shape: [64, 64] },
		]);
		const file = await dir.write(
			"cut.safetensors",
			whole.subarray(0, whole.length - 100),
		);
		const report = await checkModel(file);
		expect(report.verdict).toBe("fail");
		expect(codes(report)).toEqual(["safetensors.out-of-bounds"]);
	});
});

describe("sharded safetensors index", () => {
	const shard1 = validSafetensors([{ name: "a", dtype: "F32", shape: [2] }]);
	const shard2 = validSafetensors([{ name: "b", dtype: "F32", shape: [2] }]);
	const index = (map: Record<string, string>) =>
		JSON.stringify({ metadata: { total_size: 16 }, weight_map: map });
	const errorsOf = (report: {
		findings: { severity: string; code: string }[];
	}) =>
		report.findings.filter((f) => f.severity === "error").map((f) => f.code);

	async function sharded(
		name: string,
		map: Record<string, string> | string,
	): Promise<string> {
		await dir.write(`${name}/model-00001-of-00002.safetensors`, shard1);
		await dir.write(`${name}/model-00002-of-00002.safetensors`, shard2);
		await dir.write(
			`${name}/model.safetensors.index.json`,
			typeof map === "string" ? map : index(map),
		);
		return `${dir.path}/${name}`;
	}

	test("an index whose tensors are all in their shards passes", async () => {
		const report = await checkModel(
			await sharded("shards-ok", {
				a: "model-00001-of-00002.safetensors",
				b: "model-00002-of-00002.safetensors",
			}),
		);
		expect(errorsOf(report)).toEqual([]);
		expect(report.metrics.tensors).toBe(2);
	});

	test.each([
		[
			"a tensor in the wrong shard",
			{ a: "model-00002-of-00002.safetensors" },
			"safetensors.index-missing-tensor",
		],
		[
			"a missing shard",
			{ a: "model-00003-of-00003.safetensors" },
			"safetensors.index-missing-shard",
		],
		[
			"a shard outside the folder",
			{ a: "../../elsewhere.safetensors" },
			"safetensors.index-escape",
		],
		["an index that is not JSON", "{weight_map:", "safetensors.index-invalid"],
		[
			"a weight_map of numbers",
			{ a: 1 } as unknown as Record<string, string>,
			"safetensors.index-invalid",
		],
	])("%s fails", async (_, map, code) => {
		expect(
			errorsOf(
				await checkModel(
					await sharded(`shards-${code}-${JSON.stringify(map).length}`, map),
				),
			),
		).toEqual([code]);
	});
});
