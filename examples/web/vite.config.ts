import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig, type Plugin } from 'vite'

/**
 * In development and preview, `config.json` comes from the file named by AMM_WEB_CONFIG (the dev stack writes
 * one for its chain, indexer, storage service and deployment); otherwise from `public/`.
 */
function devConfig(): Plugin {
  const serve = async (_request: unknown, response: import('node:http').ServerResponse, next: () => void) => {
    const file = process.env.AMM_WEB_CONFIG
    if (!file) return next()
    response.setHeader('content-type', 'application/json')
    response.setHeader('cache-control', 'no-store')
    response.end(await readFile(file))
  }
  return {
    name: 'amm-dev-config',
    configureServer: (server) => void server.middlewares.use('/config.json', serve),
    configurePreviewServer: (server) => void server.middlewares.use('/config.json', serve),
  }
}

export default defineConfig({
  plugins: [react(), devConfig()],
  resolve: {
    // the SDK's browser entry, from source inside this repository (a published app would use the built package)
    alias: [{ find: /^@ai-model-marketplace\/sdk$/, replacement: fileURLToPath(new URL('../../sdk/src/index.ts', import.meta.url)) }],
  },
  build: { target: 'es2022', sourcemap: true },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
})
