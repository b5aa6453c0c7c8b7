import { describe, expect, test } from "vitest";
import { stateDictPickle } from "../src/fixtures/pickle.ts";
import { checkModel } from "../src/index.ts";
import { tempFolder } from "./fixtures/tmp.ts";
import { torchZip, zipFile } from "./fixtures/zip.ts";

const dir = await tempFolder();
const errors = (report: { findings: { severity: string; code: string }[] }) =>
	report.findings.filter((f) => f.severity === "error").map((f) => f.code);
const zeros = Buffer.alloc(16 * 1024 * 1024);

describe("hostile archives", () => {
	test("a zip bomb is refused from its directory, before inflating", async () => {
		const file = await dir.write(
			"bomb.pt",
			zipFile([{ name: "archive/data.pkl", data: zeros, deflate: true }]),
		);
		const started = performance.now();
		const report = await checkModel(file);
		expect(errors(report)).toEqual(["archive.bomb"]);
		expect(performance.now() - started).toBeLessThan(2000);
	});

	test("a bomb that lies about its size stops inflating at the declared size", async () => {
		const file = await dir.write(
			"liar.pt",
			zipFile([
				{
					name: "archive/data.pkl",
					data: zeros,
					deflate: true,
					declaredSize: 1000,
				},
			]),
		);
		expect(errors(await checkModel(file))).toEqual(["archive.bomb"]);
	});

	test("entries sharing compressed data (overlapping bomb) are refused", async () => {
		const data = Buffer.from("x".repeat(100));
		const file = await dir.write(
			"overlap.pt",
			zipFile([
				{ name: "a/data.pkl", data },
				{ name: "a/data/0", data, sameOffsetAs: 0 },
			]),
		);
		expect(errors(await checkModel(file))).toEqual([
			"archive.overlapping-entries",
		]);
	});

	test.each([
		"../../etc/cron.d/evil",
		"/etc/passwd",
		"archive/../../x.pkl",
		"C:\\Windows\\x.pkl",
	])("path traversal in %s is refused", async (name) => {
		const file = await dir.write(
			"traversal.pt",
			zipFile([
				{ name: "archive/data.pkl", data: stateDictPickle(2) },
				{ name, data: Buffer.from("x") },
			]),
		);
		const report = await checkModel(file);
		expect(report.verdict).toBe("fail");
		expect(errors(report)).toEqual(["archive.path-traversal"]);
	});

	test("a truncated zip is a finding", async () => {
		const whole = torchZip(stateDictPickle(2));
		const report = await checkModel(
			await dir.write("cut.pt", whole.subarray(0, whole.length - 40)),
		);
		expect(errors(report)).toEqual(["archive.truncated"]);
	});

	test("a data.pkl whose bytes do not match its CRC is a finding, and is checked all the same", async () => {
		const zip = torchZip(stateDictPickle(2));
		zip[zip.indexOf("collections") as number] ^= 1;
		const report = await checkModel(await dir.write("crc.pt", zip));
		expect(errors(report)).toEqual([
			"archive.crc-mismatch",
			"pickle.unsafe-import",
		]);
		expect(report.findings[1]?.message).toMatch(/bollections\.OrderedDict at offset 2/);
	});

	test("entry counts and header sizes are bounded by limits", async () => {
		const file = await dir.write("many.pt", torchZip(stateDictPickle(2)));
		expect(
			errors(await checkModel(file, { limits: { maxZipEntries: 3 } })),
		).toEqual(["archive.too-many-entries"]);
		expect(
			errors(await checkModel(file, { limits: { maxPickleBytes: 10 } })),
		).toEqual(["pickle.too-large"]);
	});

	test("a zip with no data.pkl is an unknown archive: a warning", async () => {
		const report = await checkModel(
			await dir.write(
				"other.zip",
				zipFile([{ name: "notes.txt", data: Buffer.from("hi") }]),
			),
		);
		expect(report).toMatchObject({
			format: "unknown",
			verdict: "warn",
			files: [{ path: "other.zip", format: "zip" }],
		});
		expect(report.findings.map((f) => f.code)).toEqual([
			"format.unknown-archive",
			"format.no-model",
		]);
	});
});
