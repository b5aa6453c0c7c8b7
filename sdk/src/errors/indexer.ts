import { BaseError, type BaseErrorParameters } from './base.ts'

/** The indexer (graph-node or the local indexer) could not be reached or answered with an error. */
export class IndexerUnavailableError extends BaseError {
  override name = 'IndexerUnavailableError'
  readonly url: string
  readonly status: number | undefined
  constructor(url: string, parameters: BaseErrorParameters & { status?: number } = {}) {
    const { status, ...rest } = parameters
    super('INDEXER_UNAVAILABLE', `The indexer at ${url} is unavailable${status ? ` (HTTP ${status})` : ''}.`, {
      hint: 'Check the subgraph URL; actions that need only the chain (buy, deliver, download) still work.',
      ...rest,
    })
    this.url = url
    this.status = status
  }
}

/** The indexer answered but rejected the query (GraphQL errors), e.g. a schema it does not serve. */
export class IndexerQueryError extends BaseError {
  override name = 'IndexerQueryError'
  readonly url: string
  readonly errors: readonly { message: string }[]
  constructor(url: string, errors: readonly { message: string }[]) {
    super('INDEXER_QUERY_FAILED', `The indexer at ${url} rejected the query.`, {
      details: errors.map((e) => e.message).join('; '),
      hint: 'Check that the indexer serves this SDK’s subgraph version.',
    })
    this.url = url
    this.errors = errors
  }
}

/** The indexer has not yet processed the block a result depends on. */
export class IndexerBehindError extends BaseError {
  override name = 'IndexerBehindError'
  readonly indexedBlock: bigint
  readonly requiredBlock: bigint
  constructor(indexedBlock: bigint, requiredBlock: bigint) {
    super('INDEXER_BEHIND', `The indexer is at block ${indexedBlock}, behind block ${requiredBlock}.`, {
      hint: 'Retry shortly, or pass `waitForIndexer` to wait until it catches up.',
    })
    this.indexedBlock = indexedBlock
    this.requiredBlock = requiredBlock
  }
}
