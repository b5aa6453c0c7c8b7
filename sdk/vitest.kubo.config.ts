import { defineConfig } from 'vitest/config'

// The real-Kubo suite: `KUBO_BIN=$(go env GOPATH)/bin/ipfs npm run test:kubo -w sdk`.
export default defineConfig({
  test: {
    include: ['test/kubo/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    maxWorkers: 1,
  },
})
