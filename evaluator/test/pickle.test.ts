import { describe, expect, test } from "vitest";
import {
	instPickle,
	memoStackGlobalPickle,
	PickleWriter,
	stateDictPickle,
	systemCallPickle,
} from "../src/fixtures/pickle.ts";
import { checkModel, scanPickle } from "../src/index.ts";
import { tempFolder } from "./fixtures/tmp.ts";
import { torchZip } from "./fixtures/zip.ts";

const dir = await tempFolder();
const problems = (report: {
	findings: { severity: string; code: string; message: string }[];
}) =>
	report.findings
		.filter((f) => f.severity === "error")
		// offsets are asserted on their own below
		.map((f) => `${f.code}: ${f.message.replace(/ at offset \d+/, "")}`);

const PROTOCOLS = [0, 1, 2, 3, 4, 5];

describe("pickle scanner", () => {
	test.each(PROTOCOLS)(
		"a torch state dict at protocol %i imports only allowed names",
		(protocol) => {
			const scan = scanPickle(stateDictPickle(protocol));
			expect(scan.error).toBeUndefined();
			expect(new Set(scan.imports)).toEqual(
				new Set([
					"collections.OrderedDict",
					"torch._utils._rebuild_tensor_v2",
					"torch.FloatStorage",
				]),
			);
		},
	);

	test.each(PROTOCOLS)(
		"a benign state dict at protocol %i passes as a raw pickle and inside a torch zip",
		async (protocol) => {
			const raw = await checkModel(
				await dir.write(`benign-${protocol}.pkl`, stateDictPickle(protocol)),
			);
			expect(raw).toMatchObject({ format: "pickle", verdict: "pass" });
			const zipped = await checkModel(
				await dir.write(
					`benign-${protocol}.pt`,
					torchZip(stateDictPickle(protocol)),
				),
			);
			expect(zipped).toMatchObject({ format: "pytorch-zip", verdict: "pass" });
		},
	);

	test.each(PROTOCOLS)(
		"posix.system at protocol %i fails naming the import",
		async (protocol) => {
			const report = await checkModel(
				await dir.write(`system-${protocol}.bin`, systemCallPickle(protocol)),
			);
			expect(report).toMatchObject({
				format: "pickle",
				verdict: "fail",
				score: 0,
			});
			expect(problems(report)).toEqual([
				"pickle.unsafe-import: pickle imports posix.system, which is not on the allow-list",
			]);
		},
	);

	test.each([
		["os", "system", "os.system"],
		["builtins", "eval", "builtins.eval"],
		["__builtin__", "exec", "builtins.exec"],
		["subprocess", "Popen", "subprocess.Popen"],
		["builtins", "getattr", "builtins.getattr"],
		[
			"torch._utils",
			"_rebuild_tensor_v2.__globals__",
			"torch._utils._rebuild_tensor_v2.__globals__",
		],
	])("%s.%s is refused", (module, name, shown) => {
		for (const protocol of [2, 4])
			expect(
				scanPickle(systemCallPickle(protocol, module, name)).imports,
			).toEqual([shown]);
	});

	test.each(["BINGET", "LONG_BINGET", "GET"] as const)(
		"STACK_GLOBAL whose names come from the memo via %s is resolved",
		async (get) => {
			const bytes = memoStackGlobalPickle(get);
			expect(scanPickle(bytes)).toMatchObject({
				imports: ["os.system"],
				protocol: 4,
			});
			expect(scanPickle(bytes).error).toBeUndefined();
			const report = await checkModel(
				await dir.write(`memo-${get}.pkl`, bytes),
			);
			expect(problems(report)).toEqual([
				"pickle.unsafe-import: pickle imports os.system, which is not on the allow-list",
			]);
		},
	);

	test("INST imports and calls in one opcode", async () => {
		expect(scanPickle(instPickle()).imports).toEqual(["os.system"]);
		const report = await checkModel(await dir.write("inst.pkl", instPickle()));
		expect(report).toMatchObject({ format: "pickle", verdict: "fail" });
	});

	test("STACK_GLOBAL on values that are not strings cannot be resolved, so it fails", () => {
		const w = new PickleWriter(4).raw(
			[0x43, 2],
			"os",
			[0x8c, 6],
			"system",
			[0x93],
		);
		expect(scanPickle(w.stop()).imports).toEqual(["?.?"]);
	});

	test("extension-registry imports (EXT1) are refused", () => {
		expect(
			scanPickle(new PickleWriter(2).raw([0x82, 1], ")R").stop()).imports,
		).toEqual(["?.?"]);
	});

	test("a malicious payload inside a torch zip fails with the entry named", async () => {
		const report = await checkModel(
			await dir.write(
				"evil.pt",
				torchZip(systemCallPickle(2, "os", "system"), "model"),
			),
		);
		expect(report).toMatchObject({ format: "pytorch-zip", verdict: "fail" });
		expect(
			report.findings.find((f) => f.code === "pickle.unsafe-import")?.file,
		).toBe("evil.pt:model/data.pkl");
	});

	test("zip64 directories (large torch.save files) are read", async () => {
		const benign = await checkModel(
			await dir.write(
				"zip64.pt",
				torchZip(stateDictPickle(2), "archive", { zip64: true }),
			),
		);
		expect(benign).toMatchObject({ format: "pytorch-zip", verdict: "pass" });
		const evil = await checkModel(
			await dir.write(
				"zip64-evil.pt",
				torchZip(systemCallPickle(4), "archive", { zip64: true }),
			),
		);
		expect(problems(evil)).toEqual([
			"pickle.unsafe-import: pickle imports posix.system, which is not on the allow-list",
		]);
	});

	const legacyParts = () => {
		const magic = Buffer.from("80028a0a6cfc9c46f9206aa850192e", "hex");
		const protocolVersion = new PickleWriter(2).raw([0x4d, 0xe9, 0x03]).stop();
		const sysInfo = new PickleWriter(2).raw("}").stop();
		const keys = new PickleWriter(2)
			.raw("]")
			.mark()
			.str("0")
			.str("1")
			.raw("e")
			.stop();
		// each storage: its element count (u64 LE), then 6 float32 elements
		const storage = () =>
			Buffer.concat([
				Buffer.from([6, 0, 0, 0, 0, 0, 0, 0]),
				Buffer.alloc(24, 0xff),
			]);
		return [
			magic,
			protocolVersion,
			sysInfo,
			stateDictPickle(2),
			keys,
			storage(),
			storage(),
		];
	};

	test("legacy torch.save: five pickles, then exactly the storages they name", async () => {
		const report = await checkModel(
			await dir.write("legacy-ok.pt", Buffer.concat(legacyParts())),
		);
		expect(report).toMatchObject({ format: "pytorch-legacy", verdict: "pass" });
	});

	test("legacy torch.save: bytes after the last storage fail, and a pickle hidden there is named", async () => {
		const report = await checkModel(
			await dir.write(
				"legacy-tail.pt",
				Buffer.concat([...legacyParts(), systemCallPickle(2)]),
			),
		);
		expect(problems(report)).toEqual([
			expect.stringMatching(/^pickle\.trailing-data: \d+ bytes after/),
			"pickle.unsafe-import: pickle imports posix.system, which is not on the allow-list",
		]);
		const wrongSize = legacyParts();
		(wrongSize[5] as Buffer)[0] = 7;
		expect(
			problems(
				await checkModel(
					await dir.write("legacy-size.pt", Buffer.concat(wrongSize)),
				),
			),
		).toEqual([
			expect.stringMatching(
				/^pytorch\.legacy-malformed: .*storage "0".* holds 7 elements, its tensor says 6/,
			),
		]);
		const short = Buffer.concat(legacyParts());
		expect(
			problems(
				await checkModel(
					await dir.write("legacy-short.pt", short.subarray(0, -1)),
				),
			),
		).toEqual([expect.stringMatching(/^pickle\.truncated: .*storage "1"/)]);
	});

	test("bytes after a pickle's STOP fail, whatever they are", async () => {
		const file = Buffer.concat([
			stateDictPickle(4),
			Buffer.from([0x80, 0x02, 0xff, 0xfe]),
		]);
		const report = await checkModel(await dir.write("trailing.pkl", file));
		expect(report.verdict).toBe("fail");
		expect(report.findings.map((f) => `${f.severity} ${f.code}`)).toEqual([
			"error pickle.trailing-data",
		]);
	});

	test("a second pickle stream after the first is named, offset included", async () => {
		const first = new PickleWriter(2).int(42).stop();
		const report = await checkModel(
			await dir.write(
				"two-streams.pt",
				Buffer.concat([first, stateDictPickle(2), systemCallPickle(2)]),
			),
		);
		const stateDictLength = stateDictPickle(2).length;
		expect(report.findings.map((f) => `${f.code}: ${f.message}`)).toEqual([
			`pickle.trailing-data: ${stateDictLength + systemCallPickle(2).length} bytes after the pickle's STOP at offset ${first.length} belong to no stream the format defines (a second pickle or hidden data)`,
			`pickle.unsafe-import: pickle imports posix.system at offset ${first.length + stateDictLength + 2}, which is not on the allow-list`,
		]);
	});

	test("a protocol 0 call whose tail is garbage is still a hostile pickle", async () => {
		const bytes = Buffer.concat([
			systemCallPickle(0, "os", "system").subarray(0, -1),
			Buffer.from("\xff\xfe garbage", "latin1"),
		]);
		const report = await checkModel(await dir.write("garbage.pkl", bytes));
		expect(report.format).toBe("pickle");
		expect(problems(report).map((p) => p.split(":")[0])).toEqual([
			"pickle.unsafe-import",
			"pickle.invalid-opcode",
		]);
	});

	test("a protocol 0 pickle longer than the sniffed bytes is found, its late import too", async () => {
		const w = new PickleWriter(0).mark();
		for (let i = 0; i < 5000; i++) w.str(`padding string number ${i}`);
		w.raw("l0").global("os", "system").put();
		const bytes = w.mark().str("id").tuple().reduce().stop();
		expect(bytes.length).toBeGreaterThan(64 * 1024);
		const report = await checkModel(await dir.write("long-p0.pkl", bytes));
		expect(report.format).toBe("pickle");
		expect(problems(report)).toEqual([
			"pickle.unsafe-import: pickle imports os.system, which is not on the allow-list",
		]);
	});

	test("text that happens to start like a pickle opcode is not one", async () => {
		const report = await checkModel(
			await dir.write(
				"notes.txt",
				"contents of the model\nnothing to see here\n",
			),
		);
		expect(report.files[0]?.format).toBe("other");
		expect(report.verdict).toBe("warn"); // format.no-model only
	});

	test("a truncated pickle is a finding", async () => {
		const whole = stateDictPickle(4);
		const report = await checkModel(
			await dir.write("cut.pkl", whole.subarray(0, whole.length - 7)),
		);
		expect(report.verdict).toBe("fail");
		expect(problems(report)[0]).toMatch(/^pickle\.(truncated|malformed): /);
	});

	test("stack underflow and unknown opcodes are findings", () => {
		expect(scanPickle(Buffer.from([0x80, 2, 0x52, 0x2e])).error?.code).toBe(
			"pickle.malformed",
		);
		expect(scanPickle(Buffer.from([0x80, 2, 0xff])).error?.code).toBe(
			"pickle.invalid-opcode",
		);
		expect(scanPickle(Buffer.from([0x80, 4, 0x68, 9])).error?.code).toBe(
			"pickle.malformed",
		);
	});
});
