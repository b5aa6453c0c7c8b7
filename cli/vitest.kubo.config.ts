import { defineConfig } from 'vitest/config'

// `amm dev --kubo` against a real Kubo: `KUBO_BIN=$(go env GOPATH)/bin/ipfs npm run test:kubo -w cli`.
export default defineConfig({
  test: {
    include: ['test/kubo/**/*.test.ts'],
    globalSetup: ['./test/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
})
