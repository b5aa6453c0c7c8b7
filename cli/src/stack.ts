// A local marketplace in one process: a chain (Hardhat's EVM served over HTTP, or any JSON-RPC
// endpoint), the protocol deployed with funded dev accounts, devnode indexing the built subgraph, an
// embedded store served as Kubo RPC (amm, scripts), or a Kubo node of the user's, and serveStore in front
// of either (browsers). `amm dev` runs it,
// and other projects import it as `@ai-model-marketplace/cli/stack`. Nothing is spawned, so
// stopping the process stops everything; every port is probed before anything is deployed.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { ContentStore, Deployment } from '@ai-model-marketplace/sdk'
import { type Chain, createPublicClient, createWalletClient, defineChain, type Hex, http, type PublicClient, parseEther, type Transport, toHex } from 'viem'
import { mnemonicToAccount, privateKeyToAccount } from 'viem/accounts'
import { parseDocument, type YAMLMap } from 'yaml'
import { CliError, exitCodes } from './errors.ts'

/** The subgraph's name in `/subgraphs/name/<name>`. */
export const subgraphName = 'ai-model-marketplace'

/** Who plays which part, by the index of Hardhat's development account. */
export const devRoles = { admin: 0, alice: 1, bob: 2, carol: 3, dave: 4, arbiter: 5, evaluator: 6, mallory: 7 } as const
export type DevRole = keyof typeof devRoles

/** Hardhat's development accounts with their private keys (public: never fund them on a real network). */
export function devAccounts() {
  return Object.fromEntries(
    Object.entries(devRoles).map(([role, index]) => {
      const privateKey = toHex(mnemonicToAccount('test test test test test test test test test test test junk', { addressIndex: index }).getHdKey().privateKey as Uint8Array) as Hex
      return [role, { ...privateKeyToAccount(privateKey), privateKey }]
    }),
  ) as Record<DevRole, ReturnType<typeof privateKeyToAccount> & { privateKey: Hex }>
}

export type LocalStackOptions = {
  /** A chain to deploy on (e.g. a `hardhat node`); default: Hardhat's EVM started here on `rpcPort`. */
  rpcUrl?: string
  /** The port of the chain started here (default 0: a free one). */
  rpcPort?: number
  /** The built subgraph (`graph build` output); default: the build shipped in `@ai-model-marketplace/subgraph`. */
  subgraphDir?: string
  /** The embedded store's folder, kept across restarts (default: in a throw-away folder removed on stop). */
  storeDir?: string
  /**
   * A Kubo node's RPC API (e.g. `http://127.0.0.1:5001`) to store in instead of the embedded store; the
   * storage service then sits in front of it and keeps its pins and sessions in `storeDir`.
   */
  kuboUrl?: string
  /** Writes `<chainId>.json` here (default: nowhere). */
  deploymentDir?: string
  /** Writes the web app's settings (chain, GraphQL, storage, deployment) here (default: in the throw-away folder). */
  webConfigFile?: string
  /** devnode's GraphQL port, the Kubo RPC port, the storage service's port (default 0: free ones). */
  graphqlPort?: number
  kuboPort?: number
  storagePort?: number
  /** Hosts of the web app, named in its sign-in messages (default Vite's 127.0.0.1:5173 and localhost:5173). */
  webDomains?: string[]
  /** Serve the storage service over HTTPS/HTTP2 with a throw-away certificate (browsers stream uploads only over HTTP/2; needs openssl). */
  tls?: boolean
  /** Whole platform tokens minted to each dev account (default 10000). */
  devBalance?: string
  log?: (line: string) => void
}

/** Refuses a port someone listens on, with the system's own error. */
async function assertFree(port: number | undefined, option: string) {
  if (!port) return
  await new Promise<void>((resolve, reject) => {
    const server = createServer()
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new CliError('PORT_IN_USE', `${option.replace(/-port$/, '')} port ${port}: ${error.message}`, {
          hint: `something already listens there (another stack?); stop it or pass another --${option}`,
          exitCode: exitCodes.UNAVAILABLE,
          cause: error,
        }),
      ),
    )
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()))
  })
}

/** What the stack runs on, loaded only when a stack starts, with one install hint when any is missing. */
async function loadPeers(needChain: boolean, subgraphDir: string | undefined) {
  const missing: string[] = []
  const load = async <T>(name: string, specifier: string): Promise<T | undefined> => {
    try {
      return (await import(specifier)) as T
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND' || !String((error as Error).message).includes(name)) throw error
      missing.push(name)
      return undefined
    }
  }
  const hardhat = needChain ? await load<typeof import('hardhat/hre')>('hardhat', 'hardhat/hre') : undefined
  const contracts = await load<typeof import('@ai-model-marketplace/contracts/deploy')>('@ai-model-marketplace/contracts', '@ai-model-marketplace/contracts/deploy')
  const devnode = await load<typeof import('@ai-model-marketplace/devnode')>('@ai-model-marketplace/devnode', '@ai-model-marketplace/devnode')
  let build = subgraphDir
  if (!build) {
    try {
      build = join(dirname(createRequire(import.meta.url).resolve('@ai-model-marketplace/subgraph/package.json')), 'build')
    } catch {
      missing.push('@ai-model-marketplace/subgraph')
    }
  }
  if ((needChain && !hardhat) || !contracts || !devnode || !build)
    throw new CliError('MISSING_PACKAGES', `the local stack needs ${missing.join(', ')}`, { hint: `install them beside the CLI: npm install --save-dev ${missing.join(' ')}`, exitCode: exitCodes.SETUP })
  if (!existsSync(join(build, 'subgraph.yaml'))) throw new CliError('SUBGRAPH_NOT_BUILT', `no built subgraph in ${build}`, { hint: 'in the repository: npm run build -w subgraph', exitCode: exitCodes.SETUP })
  return { hardhat, contracts, devnode, build }
}

/** The built subgraph pointed at this deployment (what `graph build --network` does with networks.json). */
async function subgraphFor(build: string, deployment: Deployment, dir: string) {
  await cp(build, dir, { recursive: true })
  const manifestPath = join(dir, 'subgraph.yaml')
  const manifest = parseDocument(await readFile(manifestPath, 'utf8'))
  for (const source of (manifest.get('dataSources') as { items: YAMLMap[] }).items) {
    const contract = deployment.contracts[source.get('name') as keyof Deployment['contracts']]
    if (!contract) continue
    source.setIn(['source', 'address'], contract.address)
    source.setIn(['source', 'startBlock'], Number(contract.blockNumber))
  }
  await writeFile(manifestPath, manifest.toString())
  return dir
}

async function devCertificate(dir: string) {
  const [key, cert] = [join(dir, 'storage-key.pem'), join(dir, 'storage-cert.pem')]
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '7', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert], { stdio: 'ignore' })
  } catch (cause) {
    throw new CliError('NO_OPENSSL', 'cannot make a certificate for TLS (openssl failed or is missing)', { hint: 'install openssl, or run without TLS', exitCode: exitCodes.SETUP, cause })
  }
  return { key: await readFile(key), cert: await readFile(cert) }
}

/** One service's health check. */
export type Health = { ok: boolean; detail: string; ms: number }

export type LocalStack = {
  chain: Chain
  chainId: number
  rpcUrl: string
  publicClient: PublicClient<Transport, Chain>
  deployment: Deployment
  /** `<deploymentDir>/<chainId>.json`, when `deploymentDir` was given. */
  deploymentFile: string | undefined
  accounts: ReturnType<typeof devAccounts>
  /** The embedded store, or `kuboStore` over `kuboUrl`. */
  store: ContentStore
  devnode: { graphqlUrl: string; waitForBlock(block: number, options?: { timeoutMs?: number }): Promise<void>; stop(): Promise<void> }
  graphqlUrl: string
  /** For amm and scripts: `kuboStore({ url })` (the user's Kubo with `kuboUrl`). */
  storeUrl: string
  /** The embedded store's folder, or the storage service's state with `kuboUrl`. */
  storeDir: string
  /** For browsers: serveStore, writes after Sign-In with Ethereum. */
  storageUrl: string
  /** What a web app needs to reach this stack. */
  webConfig: { chain: { id: number; name: string; rpcUrl: string }; graphqlUrl: string; storageUrl: string; deployment: Deployment }
  webConfigFile: string
  /** Resolves once devnode has indexed the chain's current head. */
  indexed(timeoutMs?: number): Promise<void>
  /** Each service answers: the chain its id, devnode its indexed block, the store its version, the storage service a sign-in nonce. */
  health(): Promise<Record<'chain' | 'indexer' | 'store' | 'storage', Health>>
  /** Stops every service (and the chain started here) and removes the throw-away folder. */
  stop(): Promise<void>
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? (() => {})
  for (const [port, option] of [
    [options.rpcUrl ? undefined : options.rpcPort, 'rpc-port'],
    [options.graphqlPort, 'graphql-port'],
    [options.kuboUrl ? undefined : options.kuboPort, 'store-port'],
    [options.storagePort, 'storage-port'],
  ] as const)
    await assertFree(port, option)
  const peers = await loadPeers(!options.rpcUrl, options.subgraphDir)
  const work = await mkdtemp(join(tmpdir(), 'amm-stack-'))
  const stops: (() => Promise<unknown>)[] = [() => rm(work, { recursive: true, force: true })]
  const stop = async () => {
    for (const fn of stops.splice(0).reverse()) await fn().catch((error) => log(`while stopping: ${(error as Error).message}`))
  }
  try {
    let rpcUrl = options.rpcUrl
    if (!rpcUrl) {
      const server = await (async () => {
        // Hardhat needs a project root (a folder with a package.json) and would take the working directory's,
        // failing outside any npm project: the throw-away folder is the chain's project
        await writeFile(join(work, 'package.json'), '{ "private": true }\n')
        const hre = await (peers.hardhat as typeof import('hardhat/hre')).createHardhatRuntimeEnvironment({}, {}, work)
        return hre.network.createServer('default', '127.0.0.1', options.rpcPort ?? 0)
      })().catch((cause) => {
        // npm on Node < 22 skips the EVM's native package (its engines field), silently
        if (!String((cause as Error).message).includes('native binding')) throw cause
        throw new CliError('NO_EVM_BINARY', `Hardhat's EVM cannot load: ${(cause as Error).message.split('\n')[0]}`, {
          hint: 'its native package was not installed: reinstall with npm on Node ≥ 22 (rm -rf node_modules && npm install)',
          exitCode: exitCodes.SETUP,
          cause,
        })
      })
      const { port } = await server.listen()
      stops.push(() => server.close())
      rpcUrl = `http://127.0.0.1:${port}`
      log(`chain (Hardhat EVM) at ${rpcUrl}`)
    }
    const transport = http(rpcUrl)
    const chainId = await createPublicClient({ transport })
      .getChainId()
      .catch((cause) => {
        throw new CliError('CHAIN_UNAVAILABLE', `no chain answers at ${rpcUrl}`, { exitCode: exitCodes.UNAVAILABLE, cause })
      })
    const chain = defineChain({ id: chainId, name: chainId === 31337 ? 'Hardhat' : `chain ${chainId}`, nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } })
    // cacheTime 0: a block number cached from before the last write would make "caught up" checks pass too early
    const publicClient = createPublicClient({ chain, transport, pollingInterval: 100, cacheTime: 0 }) as PublicClient<Transport, Chain>

    const accounts = devAccounts()
    const deployment = (await peers.contracts.deployProtocol({
      walletClient: createWalletClient({ chain, transport, account: accounts.admin }),
      publicClient: publicClient as never,
      roles: { arbiters: [accounts.arbiter.address], evaluators: [accounts.evaluator.address] },
      mint: Object.values(accounts).map((account) => ({ to: account.address, amount: parseEther(options.devBalance ?? '10000') })),
    })) as unknown as Deployment
    const deploymentFile = options.deploymentDir ? peers.contracts.writeDeployment(deployment as never, options.deploymentDir) : undefined
    log(`protocol deployed on chain ${chainId} (Marketplace ${deployment.contracts.Marketplace.address})${deploymentFile ? `, ${deploymentFile}` : ''}`)

    const devnode = await peers.devnode.startDevnode({ subgraphDir: await subgraphFor(peers.build, deployment, join(work, subgraphName)), rpcUrl, port: options.graphqlPort ?? 0, pollIntervalMs: 100, name: subgraphName })
    stops.push(() => devnode.stop())
    log(`devnode indexing the subgraph, GraphQL at ${devnode.graphqlUrl}`)

    const { embeddedStore, serveStore, startKuboRpcServer } = await import('@ai-model-marketplace/sdk/node')
    const storeDir = options.storeDir ?? join(work, 'ipfs')
    await mkdir(storeDir, { recursive: true })
    let store: ContentStore
    let storeUrl: string
    if (options.kuboUrl) {
      const { kuboStore } = await import('@ai-model-marketplace/sdk')
      storeUrl = options.kuboUrl.replace(/\/+$/, '')
      store = kuboStore({ url: storeUrl })
      // a wrong URL fails here, before the storage service listens
      await fetch(`${storeUrl}/api/v0/version`, { method: 'POST' })
        .then((response) => {
          if (!response.ok) throw new Error(`HTTP ${response.status}`)
        })
        .catch((cause) => {
          throw new CliError('KUBO_UNAVAILABLE', `no Kubo RPC API answers at ${storeUrl}: ${(cause as Error).message}`, {
            hint: 'start your node (ipfs daemon) or pass its RPC address, e.g. --kubo http://127.0.0.1:5001',
            exitCode: exitCodes.UNAVAILABLE,
            cause,
          })
        })
    } else {
      const embedded = embeddedStore({ dir: storeDir })
      stops.push(() => embedded.close())
      const kubo = await startKuboRpcServer({ store: embedded, port: options.kuboPort ?? 0 })
      stops.push(() => kubo.close())
      store = embedded
      storeUrl = kubo.url
    }
    const storage = await serveStore(store, {
      port: options.storagePort ?? 0,
      auth: { domain: options.webDomains ?? ['127.0.0.1:5173', 'localhost:5173'], chainId },
      quota: { bytesPerAddress: 2 * 1024 ** 3, requestsPerMinute: 600 },
      tls: options.tls ? await devCertificate(work) : undefined,
      // an embedded store keeps the service's state beside its blocks; in front of Kubo, in storeDir
      stateDir: options.kuboUrl ? join(storeDir, 'serve-store') : undefined,
    })
    stops.push(() => storage.close())
    log(options.kuboUrl ? `Kubo at ${storeUrl}, storage service ${storage.url} (state in ${storeDir})` : `embedded store in ${storeDir}: Kubo RPC ${storeUrl}, storage service ${storage.url}`)

    const webConfig = {
      chain: { id: chainId, name: chain.name, rpcUrl },
      graphqlUrl: devnode.graphqlUrl,
      storageUrl: storage.url,
      deployment: JSON.parse(JSON.stringify(deployment, (_, v) => (typeof v === 'bigint' ? Number(v) : v))) as Deployment,
    }
    const webConfigFile = options.webConfigFile ?? join(work, 'web-config.json')
    await mkdir(dirname(webConfigFile), { recursive: true })
    await writeFile(webConfigFile, `${JSON.stringify(webConfig, null, 2)}\n`)

    const post = async (url: string, body?: unknown) => {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
      if (!response.ok) throw new Error(`HTTP ${response.status}`)
      return response.json() as Promise<Record<string, unknown>>
    }
    const timed = async (fn: () => Promise<string>): Promise<Health> => {
      const started = performance.now()
      try {
        return { ok: true, detail: await fn(), ms: Math.round(performance.now() - started) }
      } catch (error) {
        return { ok: false, detail: (error as Error).message, ms: Math.round(performance.now() - started) }
      }
    }

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
      storeUrl,
      storeDir,
      storageUrl: storage.url,
      webConfig,
      webConfigFile,
      async indexed(timeoutMs = 60_000) {
        await devnode.waitForBlock(Number(await publicClient.getBlockNumber()), { timeoutMs })
      },
      async health() {
        return {
          chain: await timed(async () => `chain ${await publicClient.getChainId()}, block ${await publicClient.getBlockNumber()}`),
          indexer: await timed(async () => {
            const answer = (await post(devnode.graphqlUrl, { query: '{ _meta { block { number } } }' })) as { data?: { _meta: { block: { number: number } } } }
            return `indexed block ${answer.data?._meta.block.number}`
          }),
          store: await timed(async () => `Kubo RPC ${(await post(`${storeUrl}/api/v0/version`)).Version ?? ''}`.trim()),
          storage: await timed(async () => {
            // Node refuses the throw-away certificate: over TLS, browsers check it (accept it once)
            if (options.tls) return 'HTTPS, self-signed (not checked from here)'
            const response = await fetch(`${storage.url}/siwe/nonce`)
            if (!response.ok) throw new Error(`HTTP ${response.status}`)
            return 'sign-in service answers'
          }),
        }
      },
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
