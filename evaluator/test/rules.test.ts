import { describe, expect, test } from "vitest";
import { parsePyLiteral } from "../src/formats/numpy.ts";
import { stateDictPickle, systemCallPickle } from "../src/fixtures/pickle.ts";
import { checkModel } from "../src/index.ts";
import { tempFolder } from "./fixtures/tmp.ts";
import { torchZip, zipFile } from "./fixtures/zip.ts";

// Rules the corpus does not pin down one by one: NumPy headers, zip local headers, unknown bytes.
const dir = await tempFolder();
const codes = (report: { findings: { severity: string; code: string }[] }) =>
	report.findings.filter((f) => f.severity !== "info").map((f) => f.code);

function npy(header: string, data: Buffer): Buffer {
	const text = Buffer.from(`${header.padEnd(118, " ")}\n`, "latin1");
	const length = Buffer.alloc(2);
	length.writeUInt16LE(text.length);
	return Buffer.concat([Buffer.from("\x93NUMPY\x01\x00", "latin1"), length, text, data]);
}

describe("NumPy .npy", () => {
	test("the header is a Python literal and nothing more", () => {
		expect(
			parsePyLiteral("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }"),
		).toEqual({ descr: "<f4", fortran_order: false, shape: [3, 2] });
		for (const hostile of [
			"{'descr': __import__('os').getcwd()}",
			"{'descr': '<f4'} + 1",
			"{'a': 1, 'a': 2}",
			"(".repeat(100),
		])
			expect(() => parsePyLiteral(hostile)).toThrow(/not a Python literal/);
	});

	test("exactly the array's bytes follow the header", async () => {
		const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }";
		const ok = await checkModel(await dir.write("ok.npy", npy(header, Buffer.alloc(16))));
		expect(ok).toMatchObject({ format: "numpy", verdict: "pass" });
		expect(
			codes(await checkModel(await dir.write("short.npy", npy(header, Buffer.alloc(15))))),
		).toEqual(["numpy.truncated"]);
		expect(
			codes(await checkModel(await dir.write("long.npy", npy(header, Buffer.alloc(17))))),
		).toEqual(["numpy.trailing-data"]);
		expect(
			codes(
				await checkModel(
					await dir.write(
						"extra-key.npy",
						npy(
							"{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'x': 1}",
							Buffer.alloc(16),
						),
					),
				),
			),
		).toEqual(["numpy.header-invalid"]);
	});

	test("an object array's pickle is scanned and must end the file", async () => {
		const header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }";
		const report = await checkModel(
			await dir.write("object.npy", npy(header, systemCallPickle(2))),
		);
		expect(report.findings).toContainEqual(
			expect.objectContaining({
				code: "pickle.unsafe-import",
				message: expect.stringMatching(/posix\.system at offset 131/),
			}),
		);
	});
});

describe("zip layout", () => {
	test("a local header whose CRC differs from the central directory fails", async () => {
		const zip = torchZip(stateDictPickle(2));
		zip.writeUInt32LE(0xdeadbeef, 14); // the first local header's CRC-32
		const report = await checkModel(await dir.write("local-crc.pt", zip));
		expect(codes(report)).toEqual(["archive.header-mismatch"]);
		expect(report.findings[0]?.message).toMatch(/CRC deadbeef/);
	});

	test("every member is opened by its bytes, whatever its name", async () => {
		const report = await checkModel(
			await dir.write(
				"named.zip",
				zipFile([{ name: "README.txt", data: systemCallPickle(4), deflate: true }]),
			),
		);
		expect(report.findings).toContainEqual(
			expect.objectContaining({
				code: "pickle.unsafe-import",
				file: "named.zip:README.txt",
			}),
		);
	});
});

describe("unknown bytes", () => {
	test("random bytes warn, the same bytes hiding a pickle fail", async () => {
		const noise = Buffer.alloc(4096);
		for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + 13) % 251;
		noise[0] = 0xfe;
		expect(codes(await checkModel(await dir.write("noise.bin", noise)))).toEqual([
			"format.unknown",
			"format.no-model",
		]);
		const hiding = Buffer.concat([noise.subarray(0, 1000), systemCallPickle(0, "os", "system"), noise.subarray(1000)]);
		const report = await checkModel(await dir.write("hiding.bin", hiding));
		expect(report.verdict).toBe("fail");
		expect(codes(report)).toContain("format.embedded-pickle");
	});

	test("text that starts like a bzip2 stream is text, a real one is a sealed container", async () => {
		expect(
			(await checkModel(await dir.write("notes.txt", "BZh is how bzip2 starts\n"))).files[0]?.format,
		).toBe("other");
		const sealed = Buffer.concat([Buffer.from("BZh91AY&SY", "latin1"), Buffer.alloc(32, 1)]);
		expect(codes(await checkModel(await dir.write("x.bz2", sealed)))).toContain(
			"format.sealed-container",
		);
	});
});
