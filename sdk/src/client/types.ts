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
  /**
   * A buyer's delivery seed kept locally (32 bytes from `generateDeliverySeed()`), for wallets whose
   * signatures are not deterministic (MPC, passkey and smart accounts; the SDK raises
   * DeliverySeedError `not-deterministic` when it detects one). Without it the seed is derived from
   * the wallet's signature. Treat it as a secret and keep a backup: it opens every purchase made with it.
   */
  deliverySeed?: Uint8Array | undefined
}
