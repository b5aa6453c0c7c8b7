import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // each file starts a whole chain, indexer and store: one at a time on a small machine
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
})
