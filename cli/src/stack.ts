// The local stack `amm dev` runs, all in this process: Hardhat's EVM served over HTTP, the protocol
// deployed, devnode indexing the built subgraph, an embedded store served as Kubo RPC (scripts, amm)
// and by serveStore (browsers). Nothing is spawned, so stopping this process stops everything.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { createPublicClient, createWalletClient, defineChain, type Hex, http, parseEther, toHex } from 'viem'
import { mnemonicToAccount, privateKeyToAccount } from 'viem/accounts'
import { parseDocument, type YAMLMap } from 'yaml'
import { type ConfigFile, writeConfig } from './config.ts'
import { CliError, exitCodes } from './errors.ts'

export const subgraphName = 'ai-model-marketplace'

/** Hardhat's development accounts (public keys: never fund them on a real network) and their parts. */
export const devRoles = { admin: 0, alice: 1, bob: 2, carol: 3, dave: 4, arbiter: 5, evaluator: 6, mallory: 7 } as const
export function devAccounts() {
  return Object.fromEntries(
    Object.entries(devRoles).map(([role, index]) => {
      const privateKey = toHex(mnemonicToAccount('test test test test test test test test test test test junk', { addressIndex: index }).getHdKey().privateKey as Uint8Array) as Hex
      return [role, { ...privateKeyToAccount(privateKey), privateKey }]
    }),
  ) as Record<keyof typeof devRoles, ReturnType<typeof privateKeyToAccount> & { privateKey: Hex }>
}

export type StackOptions = {
  /** The stack's folder: store, deployment, config file, lock. */
  dir: string
  rpcPort: number
  graphqlPort: number
  storePort: number
  storagePort: number
  /** Serve the browsers' storage over HTTPS (HTTP/2) with a throw-away certificate (needs openssl). */
  tls: boolean
  /** Hosts of a web app named in storage sign-in messages. */
  webDomains: string[]
  /** Whole platform tokens minted to each dev account. */
  devBalance: string
  log: (line: string) => void
}

/** Refuses a port someone listens on, with the system's own error. */
async function assertFree(port: number, what: string) {
  if (port === 0) return
  await new Promise<void>((resolve, reject) => {
    const server = createServer()
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new CliError('PORT_IN_USE', `${what} port ${port}: ${error.message}`, { hint: `something already listens there (another amm dev?); stop it or pass another --${what}-port`, exitCode: exitCodes.UNAVAILABLE, cause: error })),
    )
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()))
  })
}

/** One `amm dev` per folder: a live one's deployment and config are never overwritten. */
async function lock(dir: string) {
  const file = join(dir, 'amm-dev.pid')
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8'))
    let alive = false
    try {
      process.kill(pid, 0)
      alive = pid !== process.pid
    } catch {}
    if (alive) throw new CliError('STACK_RUNNING', `another amm dev (pid ${pid}) uses ${dir}`, { hint: 'stop it first, or pass another --dir', exitCode: exitCodes.UNAVAILABLE })
  }
  await writeFile(file, String(process.pid))
  return () => rm(file, { force: true })
}

/** The optional peers `amm dev` runs on, with one hint when any is missing. */
async function loadPeers() {
  const missing: string[] = []
  const load = async <T>(name: string, specifier: string): Promise<T | undefined> => {
    try {
      return (await import(specifier)) as T
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error
      missing.push(name)
      return undefined
    }
  }
  const hardhat = await load<typeof import('hardhat/hre')>('hardhat', 'hardhat/hre')
  const contracts = await load<typeof import('@ai-model-marketplace/contracts/deploy')>('@ai-model-marketplace/contracts', '@ai-model-marketplace/contracts/deploy')
  const devnode = await load<typeof import('@ai-model-marketplace/devnode')>('@ai-model-marketplace/devnode', '@ai-model-marketplace/devnode')
  let subgraphBuild: string | undefined
  try {
    subgraphBuild = join(dirname(createRequire(import.meta.url).resolve('@ai-model-marketplace/subgraph/package.json')), 'build')
  } catch {
    missing.push('@ai-model-marketplace/subgraph')
  }
  if (!hardhat || !contracts || !devnode || !subgraphBuild)
    throw new CliError('MISSING_PACKAGES', `amm dev needs ${missing.join(', ')}`, { hint: `install them beside the CLI: npm install --save-dev ${missing.join(' ')}`, exitCode: exitCodes.SETUP })
  if (!existsSync(join(subgraphBuild, 'subgraph.yaml')))
    throw new CliError('SUBGRAPH_NOT_BUILT', `no built subgraph in ${subgraphBuild}`, { hint: 'in the repository: npm run build -w subgraph', exitCode: exitCodes.SETUP })
  return { hardhat, contracts, devnode, subgraphBuild }
}

/** The built subgraph pointed at this deployment (what `graph build --network` does with networks.json). */
async function subgraphFor(build: string, deployment: { contracts: Record<string, { address: string; blockNumber: bigint | number }> }, dir: string) {
  await rm(dir, { recursive: true, force: true })
  await cp(build, dir, { recursive: true })
  const manifestPath = join(dir, 'subgraph.yaml')
  const manifest = parseDocument(await readFile(manifestPath, 'utf8'))
  for (const source of (manifest.get('dataSources') as { items: YAMLMap[] }).items) {
    const contract = deployment.contracts[source.get('name') as string]
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
    throw new CliError('NO_OPENSSL', 'cannot make a certificate for --tls (openssl failed or is missing)', { hint: 'install openssl, or run without --tls', exitCode: exitCodes.SETUP, cause })
  }
  return { key: await readFile(key), cert: await readFile(cert) }
}

export async function startStack(options: StackOptions) {
  const { log } = options
  const stops: (() => Promise<unknown>)[] = []
  const stop = async () => {
    for (const fn of stops.splice(0).reverse()) await fn().catch((error) => log(`while stopping: ${(error as Error).message}`))
  }
  try {
    for (const [port, what] of [
      [options.rpcPort, 'rpc'],
      [options.graphqlPort, 'graphql'],
      [options.storePort, 'store'],
      [options.storagePort, 'storage'],
    ] as const)
      await assertFree(port, what)
    await mkdir(options.dir, { recursive: true })
    stops.push(await lock(options.dir))
    const { hardhat, contracts, devnode, subgraphBuild } = await loadPeers()

    const hre = await hardhat.createHardhatRuntimeEnvironment({})
    const server = await hre.network.createServer('default', '127.0.0.1', options.rpcPort)
    const { port: rpcPort } = await server.listen()
    stops.push(() => server.close())
    const rpcUrl = `http://127.0.0.1:${rpcPort}`
    const transport = http(rpcUrl)
    const chainId = await createPublicClient({ transport }).getChainId()
    const chain = defineChain({ id: chainId, name: 'amm dev', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } })
    const publicClient = createPublicClient({ chain, transport, pollingInterval: 100, cacheTime: 0 })
    log(`chain ${chainId} (Hardhat EVM) at ${rpcUrl}`)

    const accounts = devAccounts()
    const deployment = await contracts.deployProtocol({
      walletClient: createWalletClient({ chain, transport, account: accounts.admin }),
      publicClient: publicClient as never,
      roles: { arbiters: [accounts.arbiter.address], evaluators: [accounts.evaluator.address] },
      mint: Object.values(accounts).map((account) => ({ to: account.address, amount: parseEther(options.devBalance) })),
    })
    // the folder is locked to this process: the file belongs to this chain only
    const deploymentFile = contracts.writeDeployment(deployment, join(options.dir, 'deployments'))
    log(`protocol deployed (Marketplace ${deployment.contracts.Marketplace.address}), ${deploymentFile}`)

    const indexer = await devnode.startDevnode({ subgraphDir: await subgraphFor(subgraphBuild, deployment, join(options.dir, 'subgraph')), rpcUrl, port: options.graphqlPort, pollIntervalMs: 100, name: subgraphName })
    stops.push(() => indexer.stop())
    log(`devnode indexing, GraphQL at ${indexer.graphqlUrl}`)

    const { embeddedStore, serveStore, startKuboRpcServer } = await import('@ai-model-marketplace/sdk/node')
    const storeDir = join(options.dir, 'ipfs')
    const store = embeddedStore({ dir: storeDir })
    stops.push(() => store.close())
    const kubo = await startKuboRpcServer({ store, port: options.storePort })
    stops.push(() => kubo.close())
    const storage = await serveStore(store, {
      port: options.storagePort,
      auth: { domain: options.webDomains, chainId },
      quota: { bytesPerAddress: 2 * 1024 ** 3, requestsPerMinute: 600 },
      tls: options.tls ? await devCertificate(options.dir) : undefined,
    })
    stops.push(() => storage.close())
    log(`embedded store in ${storeDir}: Kubo RPC ${kubo.url}, storage service ${storage.url}`)

    const configFile = join(options.dir, 'config.json')
    const config: ConfigFile = {
      defaultNetwork: 'local',
      networks: { local: { rpcUrl, deployment: `deployments/${chainId}.json`, indexerUrl: indexer.graphqlUrl, storeUrl: kubo.url } },
    }
    await writeConfig(configFile, config)

    return {
      rpcUrl,
      chainId,
      deployment,
      deploymentFile,
      graphqlUrl: indexer.graphqlUrl,
      storeUrl: kubo.url,
      storageUrl: storage.url,
      storeDir,
      configFile,
      accounts,
      /** Each service answers: the chain its id, devnode its indexed block, the store its version. */
      async health() {
        const timed = async (fn: () => Promise<string>) => {
          const started = performance.now()
          try {
            return { ok: true, detail: await fn(), ms: Math.round(performance.now() - started) }
          } catch (error) {
            return { ok: false, detail: (error as Error).message, ms: Math.round(performance.now() - started) }
          }
        }
        const post = async (url: string, body?: unknown) => {
          const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
          if (!response.ok) throw new Error(`HTTP ${response.status}`)
          return response.json() as Promise<Record<string, unknown>>
        }
        return {
          chain: await timed(async () => `chain ${await publicClient.getChainId()}, block ${await publicClient.getBlockNumber()}`),
          indexer: await timed(async () => {
            const answer = (await post(indexer.graphqlUrl, { query: '{ _meta { block { number } hasIndexingErrors } }' })) as { data?: { _meta: { block: { number: number } } } }
            return `indexed block ${answer.data?._meta.block.number}`
          }),
          store: await timed(async () => `Kubo RPC ${(await post(`${kubo.url}/api/v0/version`)).Version ?? 'subset'}`),
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
