// One marketplace client per wallet, as a dApp builds it: viem clients for the chain, a store, the subgraph.
import { type Account, type Address, type Chain, createWalletClient, erc20Abi, http, type PublicClient } from 'viem'
import { type ContentReader, type ContentStore, createMarketplaceClient, type Deployment, marketplaceAbi, subgraphIndexer } from './sdk.ts'

export type Market = {
  chain: Chain
  rpcUrl: string
  publicClient: PublicClient
  deployment: Deployment
  store: ContentStore | ContentReader
  graphqlUrl?: string
}

export function clientFor(market: Market, account?: Account) {
  const walletClient = account && createWalletClient({ chain: market.chain, transport: http(market.rpcUrl), account })
  const indexer = market.graphqlUrl ? subgraphIndexer({ url: market.graphqlUrl }) : undefined
  return createMarketplaceClient({ publicClient: market.publicClient as never, walletClient: walletClient as never, deployment: market.deployment, store: market.store, indexer })
}

/** An account's platform tokens: in its wallet, and credited by the marketplace but not yet withdrawn. */
export async function tokenBalances(market: Market, address: Address) {
  const token = market.deployment.contracts.PlatformToken.address
  const [wallet, pending] = await Promise.all([
    market.publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [address] }),
    market.publicClient.readContract({ address: market.deployment.contracts.Marketplace.address, abi: marketplaceAbi, functionName: 'payoutOf', args: [address, token] }),
  ])
  return { wallet, pending }
}
