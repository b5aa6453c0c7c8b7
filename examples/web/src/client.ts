import { type ContentStore, createMarketplaceClient, gatewayReader, kuboStore, type MarketplaceClient, subgraphIndexer } from '@ai-model-marketplace/sdk'
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
 * The storage service seen two ways: uploads, pins and JSON documents through its Kubo RPC routes
 * (with the SIWE session), and model downloads through its trustless gateway (`/ipfs/<cid>`, raw
 * blocks), where every block is checked against its CID before use (`verifiesBlocks`). With the
 * key checked against the on-chain commitment, the SDK then skips the whole-archive sha256 pass,
 * the second SHA-256 over every byte on the page's one thread; each file is still checked against
 * its own digest, and the block checks run in WebCrypto, off the page's thread.
 */
function storageOf(url: string, headers: Record<string, string>): ContentStore {
  const rpc = kuboStore({ url, headers })
  const gateway = gatewayReader({ url })
  return { ...rpc, verifiesBlocks: gateway.verifiesBlocks, cat: gateway.cat, stat: gateway.stat }
}

/**
 * The SDK client over wagmi's viem clients: reads through wagmi's public client, writes through
 * the connected wallet, files through the storage service (see {@link storageOf}), search through
 * the subgraph. Rebuilt when the account, chain or session changes.
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
        store: storageOf(config.storageUrl, session ? { authorization: `Bearer ${session.token}` } : {}),
        indexer: subgraphIndexer({ url: config.graphqlUrl }),
      }),
    [config, publicClient, walletClient, session],
  )
}
