// `npm run dev`: a local marketplace for the example scripts and the web app, until Ctrl-C.
// `hardhat node` (a separate process, so wallets and scripts reach it like any chain), the protocol
// deployed, the embedded store served (Kubo RPC for scripts, serveStore for browsers), devnode on GraphQL.
import { type ChildProcess, spawn } from 'node:child_process'
import { join, relative } from 'node:path'
import { parseArgs } from 'node:util'
import { createPublicClient, http } from 'viem'
import { startLocalStack } from './lib/stack.ts'
import { bold, heading, line, ok, red, table } from './lib/ui.ts'

const repo = join(import.meta.dirname, '..')
const usage = `Usage: npm run dev [-- options]

Starts hardhat node, deploys the protocol, serves an embedded IPFS store and the subgraph's GraphQL API.
  --rpc-port <n>         hardhat node's port (default 8545)
  --graphql-port <n>     devnode's GraphQL port (default 8000)
  --store-port <n>       Kubo RPC over the store, for scripts (STORE_URL; default 5001)
  --storage-port <n>     serveStore over the store, for browsers (default 5080)
  --store-dir <dir>      the embedded store's folder (default .data/ipfs)
  --deployment-dir <dir> where <chainId>.json is written (default contracts/deployments)
  --web-config <file>    where the web app's settings are written (default .data/web-config.json)
  --web-port <n>         the web app (examples/web, Vite) port (default 5173)
  --no-web               do not serve the web app
  --no-tls               serve browsers' storage over plain HTTP (browsers then cannot stream uploads)
  -h, --help`

const { values: flags } = parseArgs({
  allowNegative: true,
  options: {
    'rpc-port': { type: 'string', default: '8545' },
    'graphql-port': { type: 'string', default: '8000' },
    'store-port': { type: 'string', default: '5001' },
    'storage-port': { type: 'string', default: '5080' },
    'store-dir': { type: 'string', default: join(repo, '.data', 'ipfs') },
    'deployment-dir': { type: 'string', default: join(repo, 'contracts', 'deployments') },
    'web-config': { type: 'string', default: join(repo, '.data', 'web-config.json') },
    'web-port': { type: 'string', default: '5173' },
    web: { type: 'boolean', default: true },
    tls: { type: 'boolean', default: true },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (flags.help) {
  console.log(usage)
  process.exit(0)
}

const port = (name: keyof typeof flags) => {
  const n = Number(flags[name])
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${name} must be a port number, got ${flags[name]}`)
  return n
}

/** Spawns `hardhat node` and resolves once it answers JSON-RPC; rejects if it exits first (port taken, build error). */
async function startHardhatNode(rpcPort: number) {
  const child = spawn(join(repo, 'node_modules', '.bin', 'hardhat'), ['node', '--hostname', '127.0.0.1', '--port', String(rpcPort)], {
    cwd: repo,
    env: { ...process.env, PATH: `${join(repo, 'node_modules', '.bin')}:${process.env.PATH}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  // its account listing and per-request log would drown ours: kept only to explain a failure
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`hardhat node exited (code ${code}):\n${output}`))))
  const rpcUrl = `http://127.0.0.1:${rpcPort}`
  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0 }) })
  const ready = (async () => {
    for (let i = 0; i < 600; i++) {
      if (await client.getChainId().catch(() => undefined)) return
      await new Promise((r) => setTimeout(r, 200))
    }
    throw new Error(`hardhat node did not answer on ${rpcUrl} within 2 minutes`)
  })()
  await Promise.race([ready, exited])
  exited.catch(() => {})
  return { rpcUrl, child }
}

function stopChild(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

/** Serves examples/web with its own Vite config, which reads the stack's settings from AMM_WEB_CONFIG. */
async function startWebApp(configFile: string, webPort: number) {
  const root = join(import.meta.dirname, 'web')
  process.env.AMM_WEB_CONFIG = configFile
  const { createServer } = await import('vite')
  const vite = await createServer({ root, configFile: join(root, 'vite.config.ts'), server: { port: webPort, strictPort: true, host: '127.0.0.1' }, logLevel: 'warn' })
  await vite.listen()
  stopWeb = () => vite.close()
  return `http://127.0.0.1:${webPort}/`
}

let stopWeb: (() => Promise<void>) | undefined
let node: Awaited<ReturnType<typeof startHardhatNode>> | undefined
let stack: Awaited<ReturnType<typeof startLocalStack>> | undefined
let stopping = false
async function shutdown(code: number) {
  if (stopping) return
  stopping = true
  console.log('\nstopping…')
  await stopWeb?.()
  await stack?.stop()
  if (node) await stopChild(node.child)
  console.log('dev stack stopped')
  process.exit(code)
}
process.once('SIGINT', () => shutdown(0))
process.once('SIGTERM', () => shutdown(0))

try {
  heading('Starting the dev stack')
  node = await startHardhatNode(port('rpc-port'))
  ok(`hardhat node at ${node.rpcUrl}`)
  node.child.once('exit', () => {
    if (!stopping) {
      console.error(red('hardhat node stopped unexpectedly'))
      void shutdown(1)
    }
  })
  const storeDir = flags['store-dir']
  stack = await startLocalStack({
    rpcUrl: node.rpcUrl,
    storeDir,
    graphqlPort: port('graphql-port'),
    kuboPort: port('store-port'),
    storagePort: port('storage-port'),
    webDomains: [`127.0.0.1:${port('web-port')}`, `localhost:${port('web-port')}`],
    tls: flags.tls,
    deploymentDir: flags['deployment-dir'],
    // the web app (examples/web) reads where everything is from this file (AMM_WEB_CONFIG)
    webConfigFile: flags['web-config'],
    log: ok,
  })
  const webConfigFile = stack.webConfigFile
  const webUrl = flags.web ? await startWebApp(webConfigFile, port('web-port')) : undefined

  heading('Endpoints')
  line(`chain RPC    ${stack.rpcUrl}  (chain id ${stack.chainId})`)
  line(`GraphQL      ${stack.graphqlUrl}`)
  line(`store (RPC)  ${stack.storeUrl}  (Kubo RPC subset over ${relative(process.cwd(), storeDir) || '.'}; for scripts)`)
  line(`storage      ${stack.storageUrl}  (serveStore: browsers, Sign-In with Ethereum)`)
  line(`deployment   ${stack.deploymentFile ? relative(process.cwd(), stack.deploymentFile) : ''}`)
  line(`web config   ${relative(process.cwd(), webConfigFile)}  (AMM_WEB_CONFIG for examples/web)`)
  if (webUrl) line(`web app      ${webUrl}  (accept the storage certificate once at ${stack.storageUrl})`)
  heading('Funded dev accounts (10000 AIMT and 10000 ETH each; public keys, never use them on a real network)')
  table(Object.entries(stack.accounts).map(([role, account]) => ({ role, address: account.address, 'private key': account.privateKey })))
  heading('Try')
  line('node examples/search.ts --help        (every script: list-model, buy-model, seller-agent, download-model, …)')
  line(`env for other tools: RPC_URL=${stack.rpcUrl} GRAPHQL_URL=${stack.graphqlUrl} STORE_URL=${stack.storeUrl}`)
  console.log(`\n${bold('dev stack ready')} (Ctrl-C stops everything)`)
} catch (error) {
  console.error(`\n${red('dev stack failed')}: ${(error as Error).message}`)
  await shutdown(1)
}
