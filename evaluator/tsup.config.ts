import { defineConfig } from "tsup";

// The published build: ESM with declarations; the `evaluator` bin is dist/cli.js, and inference runs in
// dist/infer-child.js, spawned beside the code that starts it. Dependencies stay external.
export default defineConfig({
	entry: {
		index: "src/index.ts",
		cli: "src/cli.ts",
		"infer-child": "src/quality/infer-child.ts",
	},
	format: "esm",
	target: "es2023",
	platform: "node",
	dts: { entry: { index: "src/index.ts" } },
	sourcemap: true,
	splitting: true,
	clean: true,
});
