// The dApp's dev stack in one process: Hardhat's simulated chain served over HTTP, the protocol
// deployed, the subgraph indexed by devnode, serveStore over an embedded store, and Vite serving
// the app. `npm run stack -w examples/web` prints the app's URL; the browser tests start it too.
import { execFileSync } from 'node:child_process'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deployProtocol } from '@ai-model-marketplace/contracts/deploy'
import { startDevnode } from '@ai-model-marketplace/devnode'
import { network } from 'hardhat'
import { createPublicClient, createWalletClient, http, parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { build, createServer, preview } from 'vite'
import { parse, stringify } from 'yaml'
// Node tooling inside the repository runs the SDK from source (its package exports point at the build)
import { embeddedStore, serveStore } from '../../../sdk/src/node.ts'

const here = import.meta.dirname
const repo = join(here, '..', '..', '..')

/** Hardhat's well-known development keys (public: never hold real funds with them). */
export const devKeys = {
  admin: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  seller: '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  buyer: '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  arbiter: '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  buyer2: '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
} as const

export type StackInfo = {
  appUrl: string
  rpcUrl: string
  graphqlUrl: string
  storageUrl: string
  chainId: number
  deployment: unknown
  keys: typeof devKeys
}

/** The built subgraph, pointed at this deployment's addresses and blocks (what `graph build --network` would write). */
async function subgraphFor(deployment: { contracts: Record<string, { address: string; blockNumber: number | bigint }> }, dir: string) {
  const built = join(repo, 'subgraph', 'build')
  await cp(built, dir, { recursive: true })
  const manifest = parse(await readFile(join(dir, 'subgraph.yaml'), 'utf8')) as { dataSources: { name: string; source: { address: string; startBlock: number } }[] }
  for (const source of manifest.dataSources) {
    const contract = deployment.contracts[source.name]
    if (!contract) continue
    source.source.address = contract.address
    source.source.startBlock = Number(contract.blockNumber)
  }
  await writeFile(join(dir, 'subgraph.yaml'), stringify(manifest))
  return dir
}

/**
 * A throw-away self-signed certificate for the storage service: browsers stream uploads only over
 * HTTP/2, which they speak only over TLS. Browsers must accept it once (the tests ignore it).
 */
async function devCertificate(dir: string) {
  const key = join(dir, 'storage-key.pem')
  const cert = join(dir, 'storage-cert.pem')
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '7',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' })
  return { key: await readFile(key), cert: await readFile(cert) }
}

/**
 * `preview` serves a production build (what ships; what the tests and the benchmark use),
 * otherwise Vite's dev server with hot reload.
 */
export async function startStack(options: { appPort?: number; preview?: boolean } = {}) {
  const work = await mkdtemp(join(tmpdir(), 'amm-web-stack-'))
  const stops: (() => Promise<unknown>)[] = [() => rm(work, { recursive: true, force: true })]
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch((error) => console.error(error))
  }
  try {
    const chain = await network.createServer('default', '127.0.0.1', 0)
    const { port: rpcPort } = await chain.listen()
    stops.push(() => chain.close())
    const rpcUrl = `http://127.0.0.1:${rpcPort}`
    const publicClient = createPublicClient({ transport: http(rpcUrl) })
    const chainId = await publicClient.getChainId()
    const account = (key: `0x${string}`) => privateKeyToAccount(key)
    const admin = createWalletClient({ account: account(devKeys.admin), transport: http(rpcUrl) })
    const deployment = await deployProtocol({
      walletClient: admin as never,
      publicClient: publicClient as never,
      roles: { arbiters: [account(devKeys.arbiter).address] },
      mint: [devKeys.buyer, devKeys.buyer2, devKeys.seller].map((k) => ({ to: account(k).address, amount: parseEther('10000') })),
    })

    const devnode = await startDevnode({ subgraphDir: await subgraphFor(deployment as never, join(work, 'subgraph')), rpcUrl, port: 0, pollIntervalMs: 200 })
    stops.push(() => devnode.stop())

    // the app's origin is fixed before Vite starts, since SIWE messages must name it
    const appPort = options.appPort ?? 5173
    const store = embeddedStore({ dir: join(work, 'ipfs') })
    stops.push(() => store.close())
    const storage = await serveStore(store, {
      auth: { domain: [`127.0.0.1:${appPort}`, `localhost:${appPort}`], chainId },
      quota: { bytesPerAddress: 2 * 1024 ** 3, requestsPerMinute: 600 },
      tls: await devCertificate(work),
    })
    stops.push(() => storage.close())

    const configFile = join(work, 'config.json')
    const appConfig = {
      chain: { id: chainId, name: 'Hardhat (local)', rpcUrl },
      graphqlUrl: devnode.graphqlUrl,
      storageUrl: storage.url,
      deployment: JSON.parse(JSON.stringify(deployment, (_, v) => (typeof v === 'bigint' ? Number(v) : v))),
    }
    await writeFile(configFile, JSON.stringify(appConfig, null, 2))
    process.env.AMM_WEB_CONFIG = configFile
    const root = join(here, '..')
    const server = { port: appPort, strictPort: true, host: '127.0.0.1' }
    if (options.preview) {
      await build({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn' })
      const vite = await preview({ root, configFile: join(root, 'vite.config.ts'), preview: server, logLevel: 'warn' })
      stops.push(() => vite.close())
    } else {
      const vite = await createServer({ root, configFile: join(root, 'vite.config.ts'), server, logLevel: 'warn' })
      await vite.listen()
      stops.push(() => vite.close())
    }

    const info: StackInfo = {
      appUrl: `http://127.0.0.1:${appPort}/`,
      rpcUrl,
      graphqlUrl: devnode.graphqlUrl,
      storageUrl: storage.url,
      chainId,
      deployment: appConfig.deployment,
      keys: devKeys,
    }
    await mkdir(join(here, '..', '.stack'), { recursive: true })
    await writeFile(join(here, '..', '.stack', 'stack.json'), JSON.stringify(info, null, 2))
    return { ...info, store, stop }
  } catch (error) {
    await stop()
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
