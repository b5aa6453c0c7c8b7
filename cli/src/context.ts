// From the config file to an SDK client: viem clients for the chain, the store, the indexer, the key.
import { join } from 'node:path'
import {
  type ContentReader,
  type ContentStore,
  createMarketplaceClient,
  type Deployment,
  gatewayReader,
  kuboStore,
  type MarketplaceClient,
  subgraphIndexer,
} from '@ai-model-marketplace/sdk'
import { type Address, createPublicClient, createWalletClient, defineChain, erc20Abi, http, type LocalAccount, type PublicClient } from 'viem'
import { type ConfigFile, configPath, fromConfig, type NetworkConfig, readConfig, resolveDeployment, selectNetwork } from './config.ts'
import { CliError, exitCodes } from './errors.ts'
import { accountAddress, loadAccount } from './keys.ts'

export type GlobalFlags = { config?: string; network?: string; keystore?: string; json?: boolean }

/** Where the config file is and what it holds; the key file it names (or the default beside it). */
export function settings(flags: GlobalFlags) {
  const file = configPath(flags.config)
  const config: ConfigFile = readConfig(file)
  const keystore = flags.keystore ?? (process.env.AMM_KEYSTORE || undefined) ?? (config.keystore ? fromConfig(config.keystore, file) : join(file, '..', 'keystore.json'))
  return { file, config, keystore }
}

export type Connection = Awaited<ReturnType<typeof connect>>

/**
 * Connects to the selected network. `wallet: true` loads the signing key (AMM_PRIVATE_KEY or the
 * keystore) before anything is sent; the store is opened only when a command reads or writes files.
 */
export async function connect(flags: GlobalFlags, options: { wallet?: boolean } = {}) {
  const { file, config, keystore } = settings(flags)
  const { name, network } = selectNetwork(config, file, flags.network)
  const account: LocalAccount | undefined = options.wallet ? await loadAccount(keystore) : undefined
  const transport = http(network.rpcUrl, { retryCount: 1 })
  const chainId = await createPublicClient({ transport })
    .getChainId()
    .catch((cause) => {
      throw new CliError('CHAIN_UNAVAILABLE', `no chain answers at ${network.rpcUrl} (network "${name}")`, {
        hint: name === 'local' ? 'is `amm dev` running?' : `check rpcUrl of "${name}" in ${file}`,
        exitCode: exitCodes.UNAVAILABLE,
        cause,
      })
    })
  const deployment: Deployment = resolveDeployment(network, file, chainId)
  const chain = defineChain({ id: chainId, name: `chain ${chainId}`, nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [network.rpcUrl] } } })
  // cacheTime 0: a block number cached from before our last write must not pass as current
  const publicClient = createPublicClient({ chain, transport, cacheTime: 0 }) as PublicClient
  const walletClient = account ? createWalletClient({ chain, transport, account }) : undefined
  const store = await openStore(network, file)
  const indexer = network.indexerUrl ? subgraphIndexer({ url: network.indexerUrl }) : undefined
  const client: MarketplaceClient = createMarketplaceClient({ publicClient, walletClient, deployment, store, indexer } as never)
  /** The account commands act for: the signer, or (for reads) the key's address without its password. */
  const address = (): Address => account?.address ?? accountAddress(keystore)
  const requireIndexer = () => {
    if (!indexer) throw new CliError('NO_INDEXER', `network "${name}" has no indexerUrl`, { hint: `set "indexerUrl" for it in ${file}`, exitCode: exitCodes.SETUP })
    return indexer
  }
  const tokenInfo = async (token: Address) => {
    const [symbol, decimals] = await Promise.all([
      publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'symbol' }),
      publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'decimals' }),
    ])
    return { address: token, symbol, decimals }
  }
  return {
    name,
    network,
    chainId,
    deployment,
    publicClient,
    client,
    account,
    address,
    requireIndexer,
    tokenInfo,
    close: async () => (store as { close?: () => Promise<void> }).close?.(),
  }
}

async function openStore(network: NetworkConfig, file: string): Promise<ContentStore | ContentReader> {
  if (network.storeDir) {
    // the embedded store is in the SDK's Node entry, loaded only for networks that use one
    const { embeddedStore } = await import('@ai-model-marketplace/sdk/node')
    return embeddedStore({ dir: fromConfig(network.storeDir, file) })
  }
  if (network.storeUrl) return kuboStore({ url: network.storeUrl })
  if (network.gatewayUrl) return gatewayReader({ url: network.gatewayUrl })
  // reads that never touch files (search, orders) still work; file commands say what is missing
  const missing = () => {
    throw new CliError('NO_STORE', 'this network has no store configured', { hint: `set "storeUrl" (a Kubo RPC API), "storeDir" or "gatewayUrl" in ${file}`, exitCode: exitCodes.SETUP })
  }
  return { add: missing, addDirectory: missing, cat: missing, stat: missing, has: missing, pin: missing, unpin: missing, pins: missing } as unknown as ContentStore
}
