import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // a real Kubo daemon: vitest.kubo.config.ts, run by .ci/run
    exclude: ['test/kubo/**', '**/node_modules/**'],
    // builds what `amm` runs on (the SDK, contracts, devnode, the subgraph) when missing, then amm itself
    globalSetup: ['./test/global-setup.ts'],
    // each file starts a whole stack on its own ports: one at a time on a small machine
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
})
