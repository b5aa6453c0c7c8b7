import type { Account, Chain, PublicClient, Transport, WalletClient } from 'viem'
import type { Deployment } from '../contracts/types.ts'
import type { Indexer } from '../indexer/types.ts'
import type { ContentReader, ContentStore } from '../storage/types.ts'

/**
 * What every action receives: the chain (read through `publicClient`, written through
 * `walletClient`), where the protocol is deployed, where files live, and the indexer.
 */
export type MarketplaceClientConfig = {
  publicClient: PublicClient<Transport, Chain | undefined>
  /** Needed by every action that sends a transaction or signs; read-only clients omit it. */
  walletClient?: WalletClient<Transport, Chain | undefined, Account | undefined> | undefined
  deployment: Deployment
  /** Where model files are added and read; a read-only reader suffices for buyers. */
  store: ContentStore | ContentReader
  /** Search, history and aggregates; actions that need only the chain work without it. */
  indexer?: Indexer | undefined
}
