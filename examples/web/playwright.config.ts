import { defineConfig } from '@playwright/test'

// Debian's Chromium (`apt-get install -y chromium`); never `npx playwright install`
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const port = Number(process.env.AMM_WEB_PORT ?? 41730)

export default defineConfig({
  testDir: 'test',
  testMatch: '*.spec.ts',
  timeout: 300_000,
  expect: { timeout: 30_000 },
  workers: 1,
  reporter: [['list']],
  // one folder per port: each run empties its own, so a suite running beside another keeps the other's traces
  outputDir: `test-results/${port}`,
  use: {
    baseURL: `http://127.0.0.1:${port}/`,
    browserName: 'chromium',
    viewport: { width: 1200, height: 900 },
    launchOptions: {
      executablePath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
    trace: 'retain-on-failure',
    // the dev stack's storage service uses a throw-away self-signed certificate
    ignoreHTTPSErrors: true,
  },
  // one stack for all specs: dapp.spec's story counts model and order ids from a fresh chain, so it runs first
  // (projects run in this order with one worker); the others find their own models
  projects: [
    { name: 'story', testMatch: 'dapp.spec.ts' },
    { name: 'more', testIgnore: 'dapp.spec.ts' },
  ],
  webServer: {
    // the whole dev stack: chain, protocol, devnode, storage service and the Vite-served app
    command: 'node test/stack.ts --preview',
    env: { PORT: String(port) },
    url: `http://127.0.0.1:${port}/config.json`,
    timeout: 240_000,
    // a stack already running (npm run stack) is reused outside CI, for quick iterations
    reuseExistingServer: !process.env.CI,
    stdout: 'pipe',
    stderr: 'pipe',
  },
})
