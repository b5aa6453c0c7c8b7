import { spawnSync } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, test } from "vitest";
import {
	labelledSet,
	randomMlp,
	writeModelFolder,
} from "../src/fixtures/onnx.ts";
import { tempFolder } from "./fixtures/tmp.ts";

const root = join(import.meta.dirname, "..");
const readme = await readFile(join(root, "README.md"), "utf8");
const dir = await tempFolder();

describe("README", () => {
	test("the library example runs as written", async () => {
		const block =
			/<!-- This example is run by test\/readme\.test\.ts\. -->\n```ts\n([\s\S]*?)```/.exec(
				readme,
			)?.[1];
		expect(block).toBeDefined();
		const mlp = randomMlp();
		await writeModelFolder(dir.write, "models/tiny-classifier", {
			mlp,
			set: labelledSet(mlp, 100, 80),
			card: "---\nlicense: mit\npipeline_tag: text-classification\n---\n# Tiny\n## Intended uses\n## Limitations\n## Training data\n",
		});
		// the example imports the published name; here it resolves to this workspace's source
		const source = (block as string).replace(
			'"@ai-model-marketplace/evaluator"',
			JSON.stringify(pathToFileURL(join(root, "src", "index.ts")).href),
		);
		const example = await dir.write("example.ts", source);
		const result = spawnSync(process.execPath, [example], {
			cwd: dir.path,
			encoding: "utf8",
		});
		expect(result.stderr).toBe("");
		expect(result.stdout).toBe(
			'warn 800000 0.8\nwarn card.missing-section README.md: model card has no "Evaluation" section\n',
		);
	});

	test("every finding code the checks emit is documented", async () => {
		const sources = await readdir(join(root, "src"), { recursive: true });
		const code = (
			await Promise.all(
				sources
					.filter((f) => f.endsWith(".ts"))
					.map((f) => readFile(join(root, "src", f), "utf8")),
			)
		).join("\n");
		const codes = new Set(
			code.match(
				/"(safetensors|pickle|archive|pytorch|onnx|gguf|card|eval|integrity|format|path|check)\.[a-z0-9-]+"/g,
			),
		);
		expect(codes.size).toBeGreaterThan(60);
		const missing = [...codes]
			.map((c) => JSON.parse(c) as string)
			.filter(
				(c) =>
					!readme.includes(`\`${c}\``) &&
					!readme.includes(`.${c.split(".")[1]}\``),
			);
		expect(missing).toEqual([]);
	});
});
