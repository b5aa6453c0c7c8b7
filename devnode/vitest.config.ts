import { defineConfig } from "vitest/config";

export default defineConfig({
	test: {
		// graph-cli builds the fixture subgraphs once, before any test file runs.
		globalSetup: ["./test/global-setup.ts"],
		testTimeout: 60_000,
		hookTimeout: 120_000,
		// 2-core machines: Hardhat's EDR and PGlite per file are heavy, so files run one after another.
		fileParallelism: false,
	},
});
