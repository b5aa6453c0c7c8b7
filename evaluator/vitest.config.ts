import { join } from "node:path";
import { defineConfig } from "vitest/config";

const sdk = join(import.meta.dirname, "..", "sdk", "src");

export default defineConfig({
	resolve: {
		// the SDK's package exports point at dist/, which a fresh clone has not built: test against its source
		alias: [
			{
				find: /^@ai-model-marketplace\/sdk$/,
				replacement: join(sdk, "index.ts"),
			},
			{
				find: /^@ai-model-marketplace\/sdk\/node$/,
				replacement: join(sdk, "node.ts"),
			},
		],
	},
	test: {
		include: ["test/**/*.test.ts"],
		// the CLI and inference tests spawn processes; on a loaded 2-core machine they can take seconds
		testTimeout: 60_000,
	},
});
