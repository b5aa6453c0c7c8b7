import { describe, expect, test } from "vitest";
import { validSafetensors } from "../src/fixtures/safetensors.ts";
import { checkModel } from "../src/index.ts";
import { tempFolder } from "./fixtures/tmp.ts";

const dir = await tempFolder();
const model = validSafetensors([{ name: "w", dtype: "F32", shape: [4] }]);
const SECTIONS =
	"# Tiny classifier\n\n## Intended uses\n\nDemos.\n\n## Limitations\n\nToy.\n\n## Training data\n\nNone.\n\n## Evaluation\n\n80%.\n";
const card = (frontMatter: string, body = SECTIONS) =>
	`---\n${frontMatter}\n---\n${body}`;
const nonInfo = (report: { findings: { severity: string; code: string }[] }) =>
	report.findings
		.filter((f) => f.severity !== "info")
		.map((f) => `${f.severity} ${f.code}`);

async function folder(name: string, readme?: string): Promise<string> {
	await dir.write(`${name}/model.safetensors`, model);
	if (readme !== undefined) await dir.write(`${name}/README.md`, readme);
	return `${dir.path}/${name}`;
}

describe("model card", () => {
	test("a complete card matching the listing passes (SPDX ids compare case-insensitively)", async () => {
		const path = await folder(
			"good",
			card("license: mit\npipeline_tag: text-classification\ntags: [demo]"),
		);
		const report = await checkModel(path, {
			expected: { license: "MIT", task: "text-classification" },
		});
		expect(report.verdict).toBe("pass");
		expect(report.files.map((f) => [f.path, f.format])).toEqual([
			["README.md", "card"],
			["model.safetensors", "safetensors"],
		]);
	});

	test.each([
		[
			"a license other than the listing's",
			"license: apache-2.0\npipeline_tag: text-classification",
			"error card.license-mismatch",
		],
		[
			"no license",
			"pipeline_tag: text-classification",
			"error card.no-license",
		],
		[
			"an unknown pipeline type",
			"license: mit\npipeline_tag: mind-reading",
			"error card.unknown-task",
		],
		[
			"a task other than the listing's",
			"license: mit\npipeline_tag: image-classification",
			"error card.task-mismatch",
		],
		[
			"a custom YAML tag",
			"license: mit\nx: !!python/object/apply:os.system [id]",
			"error card.yaml-custom-tag",
		],
		[
			"duplicate keys",
			"license: mit\nlicense: apache-2.0",
			"error card.yaml-invalid",
		],
		[
			"front matter that is a list",
			"- license\n- mit",
			"error card.yaml-invalid",
		],
	])("%s is a finding", async (_, frontMatter, finding) => {
		const path = await folder(
			`card-${finding}-${frontMatter.length}`,
			card(frontMatter),
		);
		const report = await checkModel(path, {
			expected: { license: "mit", task: "text-classification" },
		});
		expect(nonInfo(report)).toContain(finding);
		expect(report.verdict).toBe("fail");
	});

	test("an alias bomb is refused without expanding it", async () => {
		const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
		for (const name of "bcdefghi")
			levels.push(
				`${name}: &${name} [${Array(9)
					.fill(
						`*${levels.length === 1 ? "a" : String.fromCharCode(name.charCodeAt(0) - 1)}`,
					)
					.join(", ")}]`,
			);
		const path = await folder(
			"bomb",
			card(`license: mit\n${levels.join("\n")}`),
		);
		const started = performance.now();
		expect(nonInfo(await checkModel(path))).toContain(
			"error card.yaml-alias-bomb",
		);
		expect(performance.now() - started).toBeLessThan(5000);
	});

	test("absurdly nested front matter is an invalid card, not a crash", async () => {
		const path = await folder(
			"nested",
			card(`license: mit\nx: ${"[".repeat(100_000)}${"]".repeat(100_000)}`),
		);
		expect(nonInfo(await checkModel(path))).toContain(
			"error card.yaml-invalid",
		);
	});

	test("missing sections and front matter are warnings", async () => {
		const report = await checkModel(
			await folder("sparse", "# A model\n\nJust weights.\n"),
		);
		expect(report.verdict).toBe("warn");
		expect(nonInfo(report)).toEqual([
			"warn card.no-front-matter",
			...Array(4).fill("warn card.missing-section"),
		]);
		expect(
			report.findings
				.filter((f) => f.code === "card.missing-section")
				.map((f) => f.message),
		).toEqual([
			'model card has no "Intended uses" section',
			'model card has no "Limitations" section',
			'model card has no "Training data" section',
			'model card has no "Evaluation" section',
		]);
	});

	test("a folder without a card warns", async () => {
		expect(nonInfo(await checkModel(await folder("no-card")))).toEqual([
			"warn card.missing",
		]);
	});

	test("an explicit card path is checked for a single file", async () => {
		const readme = await dir.write(
			"single/CARD.md",
			card("license: mit\npipeline_tag: fill-mask"),
		);
		const file = await dir.write("single/m.safetensors", model);
		expect(
			nonInfo(
				await checkModel(file, {
					card: readme,
					expected: { license: "gpl-3.0" },
				}),
			),
		).toEqual(["error card.license-mismatch"]);
	});
});

describe("integrity", () => {
	test("sha256 and CID are compared with the listing (Kubo's CID of 'hello world')", async () => {
		const file = await dir.write("hello.bin", "hello world");
		const sha256 =
			"b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";
		const cid = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e";
		const good = await checkModel(file, { expected: { sha256, cid } });
		expect(
			good.findings
				.filter((f) => f.code.startsWith("integrity"))
				.map((f) => f.code),
		).toEqual(["integrity.sha256-match", "integrity.cid-match"]);
		const bad = await checkModel(file, {
			expected: { sha256: "0".repeat(64), cid: "bafkreiaaaa" },
		});
		expect(nonInfo(bad)).toEqual([
			"warn format.no-model",
			"error integrity.sha256-mismatch",
			"error integrity.cid-mismatch",
		]);
	});

	test("a folder with several model files cannot be matched to one hash", async () => {
		await dir.write("two/a.safetensors", model);
		await dir.write("two/b.safetensors", model);
		const report = await checkModel(`${dir.path}/two`, {
			expected: { sha256: "0".repeat(64) },
		});
		expect(nonInfo(report)).toContain("warn integrity.ambiguous");
	});
});
