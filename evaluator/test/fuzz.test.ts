import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { simulatePickle } from "../src/formats/simulate.ts";
import { systemCallPickle } from "../src/fixtures/pickle.ts";
import { checkModel, scanPickle } from "../src/index.ts";
import { tempFolder } from "./fixtures/tmp.ts";

// Random mutations of valid files of every format: the checks must never crash (a thrown error
// instead of a report), hang, or grow memory without bound. Seeded, so a failure replays.
const dir = await tempFolder();
const corpus = join(import.meta.dirname, "..", "corpus", "files", "benign");
const SEEDS = [
	"safetensors-0.safetensors",
	"gguf-f16-two.gguf",
	"onnx-mlp-1.onnx",
	"numpy-structured.npy",
	"numpy-object-strings.npy",
	"numpy-savez.npz",
	"joblib-arrays.joblib",
	"joblib-zlib.joblib",
	"pickle-plain-p0.pkl",
	"pickle-plain-p4.pkl",
	"torch-zip-mixed.pt",
	"torch-legacy-mixed.bin",
	"keras-dense.keras",
];
const ITERATIONS = 24;

function prng(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
	};
}

/** One to four edits: bit flips, boundary values (sizes and counts), cuts, inserted or repeated runs. */
function mutate(data: Buffer, random: () => number): Buffer {
	let out = Buffer.from(data);
	const edits = 1 + Math.floor(random() * 4);
	for (let e = 0; e < edits; e++) {
		const at = Math.floor(random() * Math.max(1, out.length));
		switch (Math.floor(random() * 6)) {
			case 0:
				out[at] = (out[at] ?? 0) ^ (1 << Math.floor(random() * 8));
				break;
			case 1: {
				const values = [0x00, 0xff, 0x7f, 0x80, 0x2e, 0x93];
				for (let i = 0; i < 1 + random() * 8 && at + i < out.length; i++)
					out[at + i] = values[Math.floor(random() * values.length)] as number;
				break;
			}
			case 2:
				out = out.subarray(0, at);
				break;
			case 3: {
				const run = out.subarray(at, at + Math.floor(random() * 64));
				out = Buffer.concat([out.subarray(0, at), run, run, out.subarray(at)]);
				break;
			}
			case 4:
				if (at + 8 <= out.length)
					out.writeBigUInt64LE(BigInt(Math.floor(random() * 2 ** 53)), at);
				break;
			default:
				if (at + 4 <= out.length)
					out.writeUInt32LE(Math.floor(random() * 2 ** 32), at);
		}
	}
	return out;
}

describe("fuzzing the parsers", () => {
	test.each(SEEDS)(
		`${ITERATIONS} mutations of %s: a report every time, quickly, in bounded memory`,
		async (seed) => {
			const original = readFileSync(join(corpus, seed));
			const random = prng(seed.length * 7919 + original.length);
			const rssBefore = process.memoryUsage().rss;
			for (let i = 0; i < ITERATIONS; i++) {
				const mutated = mutate(original, random);
				const file = await dir.write(`${i}-${seed}`, mutated);
				const started = performance.now();
				const report = await checkModel(file, { skipQuality: true });
				expect(
					performance.now() - started,
					`mutation ${i} of ${seed}`,
				).toBeLessThan(5000);
				expect(["pass", "warn", "fail"]).toContain(report.verdict);
				// a check that broke is reported (fail closed), but must not be how the parsers end
				expect(
					report.findings.filter((f) => f.code === "check.internal-error"),
					`mutation ${i} of ${seed}`,
				).toEqual([]);
			}
			expect(process.memoryUsage().rss - rssBefore).toBeLessThan(
				512 * 1024 * 1024,
			);
		},
	);

	test("2,000 mutated pickles: the scanner and the simulator always return", () => {
		const seeds = SEEDS.filter((s) => /\.(pkl|joblib|bin)$/.test(s)).map(
			(s) => readFileSync(join(corpus, s)),
		);
		const random = prng(15);
		for (let i = 0; i < 2000; i++) {
			const data = mutate(seeds[i % seeds.length] as Buffer, random);
			const scan = scanPickle(data);
			expect(scan.end).toBeLessThanOrEqual(data.length);
			const sim = simulatePickle(data, 0);
			expect(sim.end).toBeLessThanOrEqual(data.length);
		}
	});
});

describe("the windowed pickle walk", () => {
	test("finds what the whole-buffer walk finds, on 1,000 mutated pickles read 7 bytes at a time", async () => {
		const { openSync, closeSync, writeFileSync } = await import("node:fs");
		const { scanPickleFile } = await import("../src/formats/pickle.ts");
		const seeds = SEEDS.filter((s) => /\.(pkl|joblib|bin)$/.test(s)).map(
			(s) => readFileSync(join(corpus, s)),
		);
		const random = prng(7);
		const path = join(dir.path, "windowed.pkl");
		for (let i = 0; i < 1000; i++) {
			const data = mutate(seeds[i % seeds.length] as Buffer, random);
			writeFileSync(path, data);
			const fd = openSync(path, "r");
			try {
				const whole = scanPickle(data);
				const windowed = scanPickleFile(fd, data.length, 0, 7);
				expect(windowed.imports).toEqual(whole.imports);
				expect(windowed.offsets).toEqual(whole.offsets);
				expect(windowed.end).toBe(whole.end);
				expect(windowed.error?.code).toBe(whole.error?.code);
			} finally {
				closeSync(fd);
			}
		}
	});

	test("a pickle over 64 MiB is walked through a window: its data is stepped over, what follows STOP still fails", async () => {
		const payload = 70 * 1024 * 1024;
		const head = Buffer.from([0x80, 0x04, 0x8e]);
		const length = Buffer.alloc(8);
		length.writeBigUInt64LE(BigInt(payload));
		const { createWriteStream } = await import("node:fs");
		const path = join(dir.path, "large.pkl");
		const out = createWriteStream(path);
		out.write(Buffer.concat([head, length]));
		const chunk = Buffer.alloc(1024 * 1024, 0x2e);
		for (let i = 0; i < 70; i++) out.write(chunk);
		out.write(Buffer.from([0x2e]));
		out.write(systemCallPickle(2));
		await new Promise((done) => out.end(done));
		const report = await checkModel(path, { skipHash: true });
		expect(report.format).toBe("pickle");
		expect(report.findings.map((f) => `${f.code}: ${f.message}`)).toEqual([
			`pickle.trailing-data: ${systemCallPickle(2).length} bytes after the pickle's STOP at offset 73400332 belong to no stream the format defines (a second pickle or hidden data)`,
			"pickle.unsafe-import: pickle imports posix.system at offset 73400334, which is not on the allow-list",
		]);
	});
});
