// A local marketplace over any JSON-RPC endpoint: the protocol deployed, the built subgraph run by
// devnode, an embedded store served to scripts (Kubo RPC) and browsers (serveStore). The demo, the
// dev stack, the tests and the web app's browser tests (examples/web/test/stack.ts) all start it through here.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { type Deployment, deployProtocol, writeDeployment } from '@ai-model-marketplace/contracts/deploy'
import { startDevnode } from '@ai-model-marketplace/devnode'
import { createPublicClient, createWalletClient, defineChain, http, parseEther } from 'viem'
import { parseDocument, type YAMLMap } from 'yaml'
import buildSubgraphIfStale from '../../subgraph/test/global-setup.ts'
import { devAccounts } from './accounts.ts'
import { embeddedStore, serveStore, startKuboRpcServer } from './sdk.ts'
import { subgraphName } from './subgraph.ts'

const repo = join(import.meta.dirname, '..', '..')

type LocalStackOptions = {
  /** A chain to deploy on, such as `hardhat node` (default: Hardhat's simulated network, served on `rpcPort`). */
  rpcUrl?: string
  /** The loopback port Hardhat's simulated network is served on when no `rpcUrl` is given (default: a free one). */
  rpcPort?: number
  /** The embedded store's folder, kept across restarts (default: a throw-away folder removed on stop). */
  storeDir?: string
  /** Where to write `webConfig` for the web app (AMM_WEB_CONFIG; default: a file in the throw-away folder). */
  webConfigFile?: string
  /** devnode's GraphQL port (default: a free one). */
  graphqlPort?: number
  /** The scripts' storage endpoint (Kubo RPC, no auth, loopback only; default: a free port). */
  kuboPort?: number
  /** The browsers' storage service (serveStore with Sign-In with Ethereum; default: a free port). */
  storagePort?: number
  /** Hosts of the web app, named in its sign-in messages (default Vite's 127.0.0.1:5173 and localhost:5173). */
  webDomains?: string[]
  /** Serve the browsers' storage over HTTPS/HTTP2 with a throw-away certificate (browsers stream uploads only over HTTP/2). */
  tls?: boolean
  /** Writes `<chainId>.json` into this folder (the repository's contracts/deployments for `npm run dev`). */
  deploymentDir?: string
  /** Whole platform tokens minted to each development account. */
  devBalance?: string
  log?: (line: string) => void
}

/** The built subgraph pointed at this deployment (what `graph build --network` does with networks.json). */
async function subgraphFor(deployment: Deployment, dir: string) {
  await cp(join(repo, 'subgraph', 'build'), dir, { recursive: true })
  const manifestPath = join(dir, 'subgraph.yaml')
  const manifest = parseDocument(await readFile(manifestPath, 'utf8'))
  for (const source of (manifest.get('dataSources') as { items: YAMLMap[] }).items) {
    const contract = deployment.contracts[source.get('name') as keyof Deployment['contracts']]
    source.setIn(['source', 'address'], contract.address)
    source.setIn(['source', 'startBlock'], Number(contract.blockNumber))
  }
  await writeFile(manifestPath, manifest.toString())
  return dir
}

/** A self-signed certificate for 127.0.0.1 and localhost, valid a week. */
async function devCertificate(dir: string) {
  const [key, cert] = [join(dir, 'storage-key.pem'), join(dir, 'storage-cert.pem')]
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '7', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert], { stdio: 'ignore' })
  return { key: await readFile(key), cert: await readFile(cert) }
}

/** Hardhat's simulated network (chain 31337, its funded dev accounts) served over HTTP on a loopback port; its close joins `stops`. */
async function simulatedChain(stops: (() => Promise<unknown>)[], rpcPort = 0) {
  // loaded only when needed: a stack over another chain (rpcUrl) never loads Hardhat
  const { network } = await import('hardhat')
  const server = await network.createServer('default', '127.0.0.1', rpcPort)
  const { port } = await server.listen()
  stops.push(() => server.close())
  return `http://127.0.0.1:${port}`
}

export async function startLocalStack(options: LocalStackOptions) {
  const log = options.log ?? (() => {})
  const work = await mkdtemp(join(tmpdir(), 'amm-stack-'))
  const stops: (() => Promise<unknown>)[] = [() => rm(work, { recursive: true, force: true })]
  const stop = async () => {
    for (const fn of stops.splice(0).reverse()) await fn().catch((error) => console.error(error))
  }
  try {
    // compiles the contracts and rebuilds the subgraph when missing or older than their sources
    buildSubgraphIfStale()
    log('contracts and subgraph built (rebuilt when missing or older than their sources)')
    if (!existsSync(join(repo, 'subgraph', 'build', 'subgraph.yaml'))) throw new Error('the subgraph build is missing: run npm run build -w subgraph')

    const rpcUrl = options.rpcUrl ?? (await simulatedChain(stops, options.rpcPort))
    const transport = http(rpcUrl)
    const probe = createPublicClient({ transport })
    const chainId = await probe.getChainId().catch((cause) => {
      throw new Error(`no chain answers at ${rpcUrl}`, { cause })
    })
    const chain = defineChain({ id: chainId, name: chainId === 31337 ? 'Hardhat' : `chain ${chainId}`, nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } })
    // cacheTime 0: a block number cached from before the last write would make "caught up" checks pass too early
    const publicClient = createPublicClient({ chain, transport, pollingInterval: 100, cacheTime: 0 })
    const accounts = devAccounts()
    const admin = createWalletClient({ chain, transport, account: accounts.admin })
    const devBalance = parseEther(options.devBalance ?? '10000')
    const deployment = (await deployProtocol({
      walletClient: admin,
      publicClient: publicClient as never,
      roles: { arbiters: [accounts.arbiter.address], evaluators: [accounts.evaluator.address] },
      mint: Object.values(accounts).map((account) => ({ to: account.address, amount: devBalance })),
    })) as Deployment
    const deploymentFile = options.deploymentDir ? writeDeployment(deployment, options.deploymentDir) : undefined
    log(`protocol deployed on chain ${chainId} (Marketplace ${deployment.contracts.Marketplace.address})`)

    const devnode = await startDevnode({ subgraphDir: await subgraphFor(deployment, join(work, subgraphName)), rpcUrl, port: options.graphqlPort ?? 0, pollIntervalMs: 100, name: subgraphName })
    stops.push(() => devnode.stop())
    log(`devnode indexing the subgraph, GraphQL at ${devnode.graphqlUrl}`)

    const storeDir = options.storeDir ?? join(work, 'ipfs')
    await mkdir(storeDir, { recursive: true })
    const store = embeddedStore({ dir: storeDir })
    stops.push(() => store.close())
    const kubo = await startKuboRpcServer({ store, port: options.kuboPort ?? 0 })
    stops.push(() => kubo.close())
    const domains = options.webDomains ?? ['127.0.0.1:5173', 'localhost:5173']
    const storage = await serveStore(store, {
      port: options.storagePort ?? 0,
      auth: { domain: domains, chainId },
      quota: { bytesPerAddress: 2 * 1024 ** 3, requestsPerMinute: 600 },
      tls: options.tls ? await devCertificate(work) : undefined,
    })
    stops.push(() => storage.close())
    log(`embedded store in ${storeDir}: Kubo RPC ${kubo.url}, browsers ${storage.url}`)

    const webConfig = {
      chain: { id: chainId, name: chain.name, rpcUrl },
      graphqlUrl: devnode.graphqlUrl,
      storageUrl: storage.url,
      deployment: JSON.parse(JSON.stringify(deployment, (_, v) => (typeof v === 'bigint' ? Number(v) : v))) as Deployment,
    }
    const webConfigFile = options.webConfigFile ?? join(work, 'web-config.json')
    await mkdir(dirname(webConfigFile), { recursive: true })
    await writeFile(webConfigFile, `${JSON.stringify(webConfig, null, 2)}\n`)

    return {
      chain,
      chainId,
      rpcUrl,
      publicClient,
      deployment,
      deploymentFile,
      accounts,
      store,
      devnode,
      graphqlUrl: devnode.graphqlUrl,
      /** For scripts: `kuboStore({ url })` (STORE_URL). */
      storeUrl: kubo.url,
      /** For browsers: serveStore, writes after Sign-In with Ethereum. */
      storageUrl: storage.url,
      /** What the web app needs to reach this stack (examples/web reads the same shape). */
      webConfig,
      /** The file holding `webConfig`: examples/web's Vite config reads it from AMM_WEB_CONFIG. */
      webConfigFile,
      /** Resolves once devnode has indexed the chain's current head. */
      async indexed(timeoutMs = 60_000) {
        await devnode.waitForBlock(Number(await publicClient.getBlockNumber()), { timeoutMs })
      },
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
