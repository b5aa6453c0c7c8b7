import { defineConfig } from "tsup";

// The published build: ESM with declarations; the `devnode` bin is dist/cli.js (Node refuses to strip
// types under node_modules, so the package ships JavaScript). Dependencies stay external.
export default defineConfig({
	entry: { index: "src/index.ts", store: "src/store/index.ts", cli: "src/cli.ts" },
	format: "esm",
	target: "es2023",
	platform: "node",
	dts: { entry: { index: "src/index.ts", store: "src/store/index.ts" } },
	sourcemap: true,
	splitting: true,
	clean: true,
});
