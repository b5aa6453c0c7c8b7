import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // One chain, one indexer and one data set per file: driving every flow takes a while on 2 cores.
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
});
