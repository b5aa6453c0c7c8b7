import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // a real Kubo daemon: vitest.kubo.config.ts, run by .ci/run
    exclude: ['test/kubo/**', '**/node_modules/**'],
    globalSetup: ['./test/e2e-sdk/global-setup.ts'],
    testTimeout: 30_000,
    // the machine is shared: keep file-level parallelism modest
    maxWorkers: 2,
  },
})
