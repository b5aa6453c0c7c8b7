import { defineConfig } from "vitest/config";

export default defineConfig({
	test: {
		include: ["test/**/*.test.ts"],
		// the CLI and inference tests spawn processes; on a loaded 2-core machine they can take seconds
		testTimeout: 60_000,
	},
});
