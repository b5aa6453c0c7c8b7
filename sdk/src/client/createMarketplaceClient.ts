import { type MarketplaceActions, marketplaceActions } from './decorator.ts'
import type { MarketplaceClientConfig } from './types.ts'

export type MarketplaceClient<extended extends object = object> = MarketplaceClientConfig &
  MarketplaceActions &
  extended & {
    /** Adds actions of your own, bound to this client like the built-in ones. */
    extend<added extends object>(fn: (client: MarketplaceClient<extended>) => added): MarketplaceClient<extended & added>
  }

/**
 * Creates a client bound to one deployment: the chain through viem's clients, files through a
 * content store, search through an indexer. Every action is also a plain function taking the
 * config as its first argument, so apps that import a few of them tree-shake the rest.
 *
 * @example
 * import { createPublicClient, createWalletClient, http } from 'viem'
 * import { privateKeyToAccount } from 'viem/accounts'
 * import { createMarketplaceClient, gatewayReader, subgraphIndexer } from '@ai-model-marketplace/sdk'
 *
 * const chain = { id: 31337, name: 'local', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: ['http://127.0.0.1:8545'] } } }
 * const client = createMarketplaceClient({
 *   publicClient: createPublicClient({ chain, transport: http() }),
 *   walletClient: createWalletClient({ chain, transport: http(), account: privateKeyToAccount('0x…') }),
 *   deployment, // deployments[chainId] on a public network; the deployment file a local stack wrote otherwise
 *   store: gatewayReader({ url: 'https://ipfs.io' }),
 *   indexer: subgraphIndexer({ url: 'http://localhost:8000/subgraphs/name/ai-model-marketplace' }),
 * })
 * const { models } = await client.searchModels({ text: 'sentiment' })
 */
export function createMarketplaceClient(config: MarketplaceClientConfig): MarketplaceClient {
  return extendClient({ ...config }, marketplaceActions)
}

function extendClient<extended extends object>(base: MarketplaceClientConfig & extended, fn: (client: MarketplaceClientConfig) => object): MarketplaceClient<extended> {
  const client = Object.assign(base, fn(base)) as MarketplaceClient<extended>
  client.extend = (next) => extendClient(client as never, next as never) as never
  return client
}
