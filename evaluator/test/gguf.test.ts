import { describe, expect, test } from "vitest";
import { checkModel } from "../src/index.ts";
import { ggufFile, validGguf } from "./fixtures/gguf.ts";
import { tempFolder } from "./fixtures/tmp.ts";

const dir = await tempFolder();
const errors = (report: { findings: { severity: string; code: string }[] }) =>
	report.findings.filter((f) => f.severity === "error").map((f) => f.code);

describe("GGUF", () => {
	test("a valid file passes and counts its tensors", async () => {
		const report = await checkModel(
			await dir.write("ok.gguf", ggufFile(validGguf())),
		);
		expect(report).toMatchObject({
			format: "gguf",
			verdict: "pass",
			metrics: { tensors: 3, parameters: 16 + 8 + 64 },
		});
	});

	test("tensor data past the end of the file fails", async () => {
		const spec = { ...validGguf(), dataSize: 100 };
		const report = await checkModel(
			await dir.write("short.gguf", ggufFile(spec)),
		);
		expect(report.verdict).toBe("fail");
		expect(report.findings).toContainEqual({
			severity: "error",
			code: "gguf.tensor-out-of-bounds",
			message: 'tensor "q" spans 96..164 but the data section has 100 bytes',
			file: "short.gguf",
		});
	});

	test.each([
		[
			"misaligned offsets",
			() => ({
				...validGguf(),
				tensors: validGguf().tensors.map((t) =>
					t.name === "b" ? { ...t, offset: 66 } : t,
				),
			}),
			"gguf.misaligned",
		],
		[
			"overlapping tensors",
			() => ({
				...validGguf(),
				tensors: validGguf().tensors.map((t) =>
					t.name === "b" ? { ...t, offset: 32 } : t,
				),
			}),
			"gguf.overlap",
		],
		[
			"a tensor count of 2^40",
			() => ({ ...validGguf(), tensorCount: 2n ** 40n }),
			"gguf.count-too-large",
		],
		[
			"a metadata count of 2^62",
			() => ({ ...validGguf(), kvCount: 2n ** 62n }),
			"gguf.count-too-large",
		],
		[
			"more metadata entries than the header holds",
			() => ({ ...validGguf(), kvCount: 50n }),
			"gguf.count-too-large",
		],
	])("%s fail", async (_, spec, code) => {
		const report = await checkModel(
			await dir.write(`${code}.gguf`, ggufFile(spec())),
		);
		expect(errors(report)).toContain(code);
	});

	test("a truncated file is a finding", async () => {
		const whole = ggufFile(validGguf());
		expect(
			errors(
				await checkModel(await dir.write("cut.gguf", whole.subarray(0, 200))),
			),
		).toEqual(["gguf.truncated"]);
	});
});
