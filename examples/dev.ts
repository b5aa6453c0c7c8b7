// `npm run dev`: a local marketplace for the example scripts and the web app, until Ctrl-C.
// Hardhat's EVM served over HTTP (chain 31337, like `hardhat node`: wallets and scripts reach it as any
// chain), the protocol deployed, the embedded store served (Kubo RPC for scripts, serveStore for
// browsers), devnode on GraphQL, the web app: all in this one process, so stopping it stops everything.
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join, relative } from 'node:path'
import { parseArgs } from 'node:util'
import { startLocalStack } from './lib/stack.ts'
import { bold, heading, line, ok, red, table } from './lib/ui.ts'

const repo = join(import.meta.dirname, '..')
const usage = `Usage: npm run dev [-- options]

Serves Hardhat's EVM (chain 31337), deploys the protocol, serves an embedded IPFS store and the subgraph's
GraphQL API, in this one process. A port in use stops it before anything is deployed or written.
SIGINT, SIGTERM or SIGHUP (or its parent, npm, going away) stops everything.
  --rpc-port <n>         the chain's JSON-RPC port (default 8545)
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

/**
 * Refuses to start when one of the ports is taken, before anything is deployed or written: binding each
 * port on the loopback address gives the system's own error (EADDRINUSE, EACCES), not a guess.
 */
async function assertPortsFree(ports: Record<string, number>) {
  for (const [name, portNumber] of Object.entries(ports)) {
    if (portNumber === 0) continue
    await new Promise<void>((resolve, reject) => {
      const server = createServer()
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new PortTakenError(`--${name} ${portNumber}: ${error.message}`, { cause: error, hint: error.code === 'EADDRINUSE' ? `another process listens there (another npm run dev?): stop it, or pass another --${name}` : undefined })),
      )
      server.listen(portNumber, '127.0.0.1', () => server.close(() => resolve()))
    })
  }
}

class PortTakenError extends Error {
  override name = 'PortTakenError'
  readonly hint?: string
  constructor(message: string, options: { cause: unknown; hint?: string }) {
    super(message, { cause: options.cause })
    this.hint = options.hint
  }
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
let stack: Awaited<ReturnType<typeof startLocalStack>> | undefined
let stopping = false
async function shutdown(code: number) {
  if (stopping) return
  stopping = true
  console.log('\nstopping…')
  await stopWeb?.()
  await stack?.stop()
  console.log('dev stack stopped')
  process.exit(code)
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => shutdown(0))
// `npm run dev` stopped by npm's pid: npm runs this file through `sh -c`, passes SIGINT and SIGTERM to
// that shell only, and on SIGHUP or SIGKILL just goes away; so watch the parent and its parent (npm
// when run by npm) and stop with them, rather than run on unowned
/** The parent of a process, from /proc (Linux); undefined elsewhere. */
function parentOf(pid: number) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) || undefined
  } catch {
    return undefined
  }
}
const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
const owners = [process.ppid, parentOf(process.ppid)].filter((pid): pid is number => pid !== undefined && pid > 1)
setInterval(() => {
  if (owners.some((pid) => !alive(pid))) void shutdown(0)
}, 500).unref()

try {
  heading('Starting the dev stack')
  const ports = { 'rpc-port': port('rpc-port'), 'graphql-port': port('graphql-port'), 'store-port': port('store-port'), 'storage-port': port('storage-port'), ...(flags.web ? { 'web-port': port('web-port') } : {}) }
  await assertPortsFree(ports)
  const storeDir = flags['store-dir']
  stack = await startLocalStack({
    rpcPort: ports['rpc-port'],
    storeDir,
    graphqlPort: ports['graphql-port'],
    kuboPort: ports['store-port'],
    storagePort: ports['storage-port'],
    webDomains: [`127.0.0.1:${port('web-port')}`, `localhost:${port('web-port')}`],
    tls: flags.tls,
    deploymentDir: flags['deployment-dir'],
    // the web app (examples/web) reads where everything is from this file (AMM_WEB_CONFIG)
    webConfigFile: flags['web-config'],
    log: ok,
  })
  ok(`chain 31337 (Hardhat's EVM) at ${stack.rpcUrl}`)
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
  const { message, hint } = error as Error & { hint?: string }
  console.error(`\n${red('dev stack failed')}: ${message}${hint ? `\n  hint: ${hint}` : ''}`)
  await shutdown(1)
}
