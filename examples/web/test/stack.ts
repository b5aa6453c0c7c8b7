// The dApp's dev stack in one process: examples/lib/stack.ts's local marketplace (Hardhat's simulated
// chain, the protocol, devnode, serveStore over HTTPS) plus Vite serving the app.
// `npm run stack -w examples/web` prints the app's URL; the browser tests and the bench start it too.
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { build, createServer, preview } from 'vite'
import { startLocalStack } from '../../lib/stack.ts'

const root = join(import.meta.dirname, '..')
// the browser tests read the stack from here (Playwright starts it in another process); AMM_STACK_FILE keeps parallel stacks apart
const stackFile = resolve(root, process.env.AMM_STACK_FILE ?? '.stack/stack.json')

export type StackInfo = {
  appUrl: string
  rpcUrl: string
  graphqlUrl: string
  storageUrl: string
  chainId: number
  deployment: unknown
  /** Hardhat's public development keys, by the part each plays in the tests (never fund them on a real network). */
  keys: Record<'admin' | 'seller' | 'buyer' | 'buyer2' | 'arbiter' | 'evaluator', `0x${string}`>
}

/**
 * `preview` serves a production build (what ships; what the tests and the benchmark use),
 * otherwise Vite's dev server with hot reload.
 */
export async function startStack(options: { appPort?: number; preview?: boolean } = {}) {
  // the app's origin is fixed before Vite starts, since the storage service's sign-in messages must name it
  const appPort = options.appPort ?? 5173
  // TLS: browsers stream uploads only over HTTP/2, which they speak only over TLS (the tests ignore the self-signed certificate)
  const local = await startLocalStack({ webDomains: [`127.0.0.1:${appPort}`, `localhost:${appPort}`], tls: true })
  let vite: { close(): Promise<void> } | undefined
  try {
    process.env.AMM_WEB_CONFIG = local.webConfigFile
    const configFile = join(root, 'vite.config.ts')
    const server = { port: appPort, strictPort: true, host: '127.0.0.1' }
    if (options.preview) {
      // a stack with its own AMM_STACK_FILE builds beside it: rebuilding dist/ would pull files from under another stack's preview
      const outDir = process.env.AMM_STACK_FILE ? `${stackFile.replace(/\.json$/, '')}-dist` : join(root, 'dist')
      await build({ root, configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } })
      vite = await preview({ root, configFile, preview: server, build: { outDir }, logLevel: 'warn' })
    } else {
      const dev = await createServer({ root, configFile, server, logLevel: 'warn' })
      vite = await dev.listen()
    }
    const app = vite
    const stop = () => app.close().finally(() => local.stop())

    const { admin, alice, bob, carol, arbiter, evaluator } = local.accounts
    const info: StackInfo = {
      appUrl: `http://127.0.0.1:${appPort}/`,
      rpcUrl: local.rpcUrl,
      graphqlUrl: local.graphqlUrl,
      storageUrl: local.storageUrl,
      chainId: local.chainId,
      deployment: local.webConfig.deployment,
      keys: { admin: admin.privateKey, seller: alice.privateKey, buyer: bob.privateKey, buyer2: carol.privateKey, arbiter: arbiter.privateKey, evaluator: evaluator.privateKey },
    }
    await mkdir(dirname(stackFile), { recursive: true })
    await writeFile(stackFile, JSON.stringify(info, null, 2))
    return { ...info, store: local.store, stop }
  } catch (error) {
    await vite?.close()
    await local.stop()
    throw error
  }
}

if (import.meta.main) {
  const port = process.env.PORT ? Number(process.env.PORT) : undefined
  const stack = await startStack({ appPort: port, preview: process.argv.includes('--preview') })
  console.log(`dApp:      ${stack.appUrl}\nchain RPC: ${stack.rpcUrl}\nGraphQL:   ${stack.graphqlUrl}\nstorage:   ${stack.storageUrl}`)
  const shutdown = () => stack.stop().then(() => process.exit(0))
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
}
