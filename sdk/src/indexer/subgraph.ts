import { IndexerQueryError, IndexerUnavailableError } from '../errors/indexer.ts'
import type { Indexer } from './types.ts'

export type SubgraphIndexerParameters = {
  /** The subgraph's query URL, e.g. `http://localhost:8000/subgraphs/name/ai-model-marketplace`. */
  url: string
  /** Extra headers, e.g. an API key for a hosted gateway. */
  headers?: Record<string, string>
  /** Give up on a query after this many milliseconds (default 10 s). */
  timeout?: number
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch
}

/**
 * An indexer backed by graph-node's GraphQL API (The Graph, a self-hosted graph-node, or the
 * local indexer `@ai-model-marketplace/devnode`).
 *
 * @example
 * import { subgraphIndexer } from '@ai-model-marketplace/sdk'
 * const indexer = subgraphIndexer({ url: 'http://localhost:8000/subgraphs/name/ai-model-marketplace' })
 * console.log(await indexer.blockNumber())
 */
export function subgraphIndexer({ url, headers = {}, timeout = 10_000, fetch: fetchFn = globalThis.fetch }: SubgraphIndexerParameters): Indexer {
  async function query<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let response: Response
    try {
      response = await fetchFn(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }, (_, v) => (typeof v === 'bigint' ? v.toString() : v)),
        signal: AbortSignal.timeout(timeout),
      })
    } catch (error) {
      throw new IndexerUnavailableError(url, { cause: error })
    }
    let body: { data?: T; errors?: { message: string }[] }
    try {
      body = await response.json()
    } catch (error) {
      throw new IndexerUnavailableError(url, { status: response.status, cause: error })
    }
    if (body.errors?.length) throw new IndexerQueryError(url, body.errors)
    if (!response.ok || !body.data) throw new IndexerUnavailableError(url, { status: response.status })
    return body.data
  }
  return {
    url,
    query,
    async blockNumber() {
      const { _meta } = await query<{ _meta: { block: { number: number } } }>('{ _meta { block { number } } }')
      return BigInt(_meta.block.number)
    },
  }
}
