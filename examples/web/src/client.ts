import { createMarketplaceClient, kuboStore, type MarketplaceClient, subgraphIndexer } from '@ai-model-marketplace/sdk'
import { useMemo, useSyncExternalStore } from 'react'
import { useConnection, usePublicClient, useWalletClient } from 'wagmi'
import { useAppConfig } from './hooks.ts'
import { readSession, subscribeSessions } from './session.ts'

/** The storage session of the connected account, if it signed in. */
export function useSession() {
  const { address } = useConnection()
  return useSyncExternalStore(subscribeSessions, () => (address ? readSession(address) : undefined))
}

/**
 * The SDK client over wagmi's viem clients: reads through wagmi's public client, writes through
 * the connected wallet, files through the storage service with the SIWE session, search through
 * the subgraph. Rebuilt when the account, chain or session changes.
 *
 * Downloads stream through the service's Kubo RPC `cat`, which the SDK trusts for the bytes, so it
 * also checks the whole archive's on-chain sha256. The service's trustless gateway
 * (`gatewayReader`, every block checked against its CID) would let it skip that pass under a
 * committed key, but it fetches one 256 KiB block per request, and in this page that measured
 * slower than one stream plus the extra pass (README, Benchmark).
 */
export function useMarketplace(): MarketplaceClient {
  const config = useAppConfig()
  const publicClient = usePublicClient({ chainId: config.chain.id })
  const { data: walletClient } = useWalletClient({ chainId: config.chain.id })
  const session = useSession()
  return useMemo(
    () =>
      createMarketplaceClient({
        publicClient: publicClient as never,
        walletClient: walletClient as never,
        deployment: config.deployment,
        store: kuboStore({ url: config.storageUrl, headers: session ? { authorization: `Bearer ${session.token}` } : {} }),
        indexer: subgraphIndexer({ url: config.graphqlUrl }),
      }),
    [config, publicClient, walletClient, session],
  )
}
