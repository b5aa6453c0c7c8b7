import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    globalSetup: ['./test/e2e-sdk/global-setup.ts'],
    testTimeout: 30_000,
    // the machine is shared: keep file-level parallelism modest
    maxWorkers: 2,
  },
})
