import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
	labelledSet,
	randomMlp,
	writeModelFolder,
} from "../src/fixtures/onnx.ts";
import { stateDictPickle, systemCallPickle } from "../src/fixtures/pickle.ts";
import { validSafetensors } from "../src/fixtures/safetensors.ts";
import type { Report } from "../src/index.ts";
import { tempFolder } from "./fixtures/tmp.ts";
import { torchZip } from "./fixtures/zip.ts";

const CLI = join(import.meta.dirname, "..", "src", "cli.ts");
const dir = await tempFolder();
const run = (...args: string[]) => {
	const result = spawnSync(process.execPath, [CLI, ...args], {
		encoding: "utf8",
	});
	return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};

describe("evaluator CLI", () => {
	test("check --no-hash leaves the sha256 out, unless a hash is expected", async () => {
		const file = await dir.write(
			"nohash.safetensors",
			validSafetensors([{ name: "w", dtype: "F32", shape: [3] }]),
		);
		const plain = JSON.parse(run("check", file, "--json", "--no-hash").stdout) as Report;
		expect(plain.files[0]?.sha256).toBeUndefined();
		expect(plain.verdict).toBe("pass");
		const compared = JSON.parse(
			run("check", file, "--json", "--no-hash", "--sha256", "0".repeat(64)).stdout,
		) as Report;
		expect(compared.files[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
		expect(compared.verdict).toBe("fail");
	});

	test("check --json prints exactly the report and exits 0 on pass", async () => {
		const file = await dir.write(
			"ok.safetensors",
			validSafetensors([{ name: "w", dtype: "F32", shape: [3] }]),
		);
		const { code, stdout } = run("check", file, "--json");
		expect(code).toBe(0);
		const report = JSON.parse(stdout) as Report;
		expect(report).toMatchObject({
			suite: "ai-model-marketplace/checks@2",
			format: "safetensors",
			verdict: "pass",
			score: 1_000_000,
			findings: [],
		});
		expect(report.files[0]).toMatchObject({
			path: "ok.safetensors",
			format: "safetensors",
			bytes:
				12 +
				8 +
				JSON.stringify({
					w: { dtype: "F32", shape: [3], data_offsets: [0, 12] },
				}).length,
		});
	});

	test("a malicious pickle exits 1 and names the import in human output", async () => {
		const file = await dir.write(
			"evil.pt",
			torchZip(systemCallPickle(2, "os", "system")),
		);
		const { code, stdout } = run("check", file);
		expect(code).toBe(1);
		expect(stdout).toContain("FAIL  pytorch-zip");
		expect(stdout).toContain(
			"pickle.unsafe-import  evil.pt:archive/data.pkl: pickle imports os.system",
		);
	});

	test("--sha256 compares the plaintext hash", async () => {
		const file = await dir.write("sd.pt", torchZip(stateDictPickle(2)));
		const wrong = run("check", file, "--sha256", "0".repeat(64), "--json");
		expect(wrong.code).toBe(1);
		expect(
			(JSON.parse(wrong.stdout) as Report).findings.map((f) => f.code),
		).toEqual(["integrity.sha256-mismatch"]);
		const sha = (JSON.parse(wrong.stdout) as Report).files[0]?.sha256 as string;
		expect(run("check", file, "--sha256", sha, "--json").code).toBe(0);
	});

	test("unknown formats warn and exit 0", async () => {
		const file = await dir.write(
			"blob.bin",
			Buffer.from([0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3]),
		);
		const { code, stdout } = run("check", file, "--json");
		expect(code).toBe(0);
		expect(JSON.parse(stdout)).toMatchObject({
			format: "unknown",
			verdict: "warn",
			score: 500_000,
		});
	});

	test("a model folder: the card is compared with --license and --task, quality is printed", async () => {
		const mlp = randomMlp();
		await writeModelFolder(dir.write, "folder", {
			mlp,
			set: labelledSet(mlp, 200, 150),
			card: "---\nlicense: mit\npipeline_tag: text-classification\n---\n# MLP\n## Uses\n## Limitations\n## Training data\n## Evaluation\n",
		});
		const folder = join(dir.path, "folder");
		const ok = run(
			"check",
			folder,
			"--license",
			"MIT",
			"--task",
			"text-classification",
		);
		expect(ok.code).toBe(0);
		expect(ok.stdout).toMatch(/^PASS {2}onnx {2}score 750000\/1000000/);
		expect(ok.stdout).toMatch(
			/quality: accuracy 0\.7500, latency p50 [\d.]+ ms p95 [\d.]+ ms over 200 samples/,
		);
		const mismatch = run(
			"check",
			folder,
			"--license",
			"apache-2.0",
			"--no-eval",
			"--json",
		);
		expect(mismatch.code).toBe(1);
		expect(
			(JSON.parse(mismatch.stdout) as Report).findings.filter(
				(f) => f.severity === "error",
			),
		).toEqual([
			{
				severity: "error",
				code: "card.license-mismatch",
				message: 'card license "mit" differs from the listing\'s "apache-2.0"',
				file: "README.md",
			},
		]);
	});

	test("--license without a card on a single file warns that nothing was compared", async () => {
		const file = await dir.write(
			"lonely.safetensors",
			validSafetensors([{ name: "w", dtype: "F32", shape: [1] }]),
		);
		const { code, stdout } = run("check", file, "--license", "mit", "--json");
		expect(code).toBe(0);
		expect((JSON.parse(stdout) as Report).findings.map((f) => f.code)).toEqual([
			"card.missing",
		]);
	});

	test("usage and I/O errors exit 2", () => {
		expect(run().code).toBe(2);
		expect(run("check").code).toBe(2);
		expect(run("frobnicate", "x").stderr).toContain(
			"unknown command: frobnicate",
		);
		expect(run("check", "x", "--bogus").code).toBe(2);
		expect(run("check", "x", "--sha256", "abc").code).toBe(2);
		const missing = run("check", join(dir.path, "does-not-exist"));
		expect(missing.code).toBe(2);
		expect(missing.stderr).toMatch(/^evaluator: cannot read .*does-not-exist/);
	});

	test("--help prints the usage and exits 0", () => {
		const { code, stdout } = run("--help");
		expect(code).toBe(0);
		expect(stdout).toContain("Usage: evaluator check <file-or-folder>");
	});
});
