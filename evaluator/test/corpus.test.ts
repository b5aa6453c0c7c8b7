import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { checkModel } from "../src/index.ts";

// The labelled corpus (corpus/generate.py wrote it; the files are committed): every hostile file
// fails, for the reason its class names, and every benign file made by the real libraries passes.
const root = join(import.meta.dirname, "..", "corpus");
type Sample = {
	path: string;
	label: "hostile" | "benign";
	class: string;
	provenance: string;
};
const { samples } = JSON.parse(
	readFileSync(join(root, "labels.json"), "utf8"),
) as { samples: Sample[] };

/** The error codes one of which each hostile class must raise. */
const EXPECTED: Record<string, string[]> = {
	"reduce-call": ["pickle.unsafe-import"],
	memo: ["pickle.unsafe-import"],
	"nested-load": ["pickle.unsafe-import"],
	"allowlisted-module-abuse": ["pickle.unsafe-import"],
	"denylist-gap": ["pickle.unsafe-import"],
	"py2-names": ["pickle.unsafe-import"],
	"opcode-evasion": ["pickle.unsafe-import"],
	"multiple-streams": ["pickle.trailing-data"],
	"data-after-stop": ["pickle.trailing-data"],
	"data-after-end": ["safetensors.trailing-bytes", "numpy.trailing-data"],
	"zip-member-name": ["pickle.unsafe-import"],
	"zip-crc": ["archive.crc-mismatch"],
	"zip-header-mismatch": ["archive.header-mismatch"],
	"zip-prepended": ["archive.prepended-data"],
	"zip-appended": ["archive.trailing-data"],
	"zip-gap": ["archive.unexplained-bytes"],
	"zip-duplicate": ["pickle.unsafe-import"],
	"zip-nested": ["pickle.unsafe-import"],
	"code-container": ["pytorch.torchscript"],
	"disguised-extension": ["pickle.unsafe-import"],
	polyglot: ["pickle.unsafe-import"],
	"npy-object-array": ["pickle.unsafe-import"],
	compressed: ["pickle.unsafe-import", "format.sealed-container"],
	"keras-lambda": ["keras.lambda-layer"],
	"keras-module": ["keras.custom-object"],
	"onnx-external-traversal": ["onnx.external-data-escape"],
	"parser-dos": ["gguf.count-too-large", "safetensors.header-too-large"],
};

describe("labelled corpus", () => {
	test("has at least 40 hostile and 40 benign samples, each small", () => {
		const count = (label: string) =>
			samples.filter((s) => s.label === label).length;
		expect(count("hostile")).toBeGreaterThanOrEqual(40);
		expect(count("benign")).toBeGreaterThanOrEqual(40);
		for (const sample of samples) expect(sample.provenance).not.toBe("");
	});

	test.each(samples.filter((s) => s.label === "hostile"))(
		"hostile $path ($class) fails for its reason",
		async (sample) => {
			const report = await checkModel(join(root, "files", sample.path), {
				skipQuality: true,
			});
			expect(report.verdict).toBe("fail");
			const errors = report.findings.filter((f) => f.severity === "error");
			const expected = EXPECTED[sample.class];
			expect(expected, `class ${sample.class} has expectations`).toBeDefined();
			expect(errors.map((f) => f.code)).toEqual(
				expect.arrayContaining([
					expect.toSatisfy((code: string) =>
						(expected as string[]).includes(code),
					),
				]),
			);
			// a seller can find the problem: every error names its file (or member)
			for (const error of errors) expect(error.file).not.toBeNull();
			// an unsafe import is named with the offset of the opcode that made it
			for (const error of errors.filter(
				(f) => f.code === "pickle.unsafe-import",
			))
				expect(error.message).toMatch(/imports .+ at offset \d+/);
		},
	);

	test.each(samples.filter((s) => s.label === "benign"))(
		"benign $path ($class) passes",
		async (sample) => {
			const report = await checkModel(join(root, "files", sample.path), {
				skipQuality: true,
			});
			expect(
				report.findings.filter((f) => f.severity !== "info"),
			).toEqual([]);
			expect(report.verdict).toBe("pass");
		},
	);
});
