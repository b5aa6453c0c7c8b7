import type { MarketplaceClientConfig } from '../../client/types.ts'
import { IndexerBehindError } from '../../errors/indexer.ts'
import { InvalidInputError } from '../../errors/storage.ts'
import type { Indexer } from '../../indexer/types.ts'

export function requireIndexer(client: Pick<MarketplaceClientConfig, 'indexer'>, action: string): Indexer {
  if (!client.indexer) throw new InvalidInputError('indexer', `${action} reads the indexer; pass \`indexer: subgraphIndexer({ url })\` to the client`)
  return client.indexer
}

/** Options of every action that reads the indexer. */
export type IndexedReadOptions = {
  /**
   * The block the answer must include (e.g. the `blockNumber` a write returned). When the indexer
   * is behind it, the action waits up to `waitForIndexer` ms, then throws IndexerBehindError.
   */
  minBlock?: bigint
  /** How long to wait for the indexer to reach `minBlock`, in ms (default 0: fail at once). */
  waitForIndexer?: number
}

/** Makes sure the indexer has processed `minBlock`, waiting up to `wait` ms. */
export async function ensureIndexed(indexer: Indexer, { minBlock, waitForIndexer = 0 }: IndexedReadOptions): Promise<void> {
  if (minBlock === undefined) return
  const until = Date.now() + waitForIndexer
  for (;;) {
    const block = await indexer.blockNumber()
    if (block >= minBlock) return
    if (Date.now() >= until) throw new IndexerBehindError(block, minBlock)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Cursors are opaque to users; inside they are the offset of the next page. */
export function decodeCursor(after: string | undefined): number {
  if (after === undefined) return 0
  const skip = Number(after)
  if (!Number.isInteger(skip) || skip < 0) throw new InvalidInputError('after', 'not a cursor returned by a previous page')
  return skip
}
