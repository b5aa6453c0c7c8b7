import type { MarketplaceClientConfig } from '../../client/types.ts'
import type { IndexerBehindError, IndexerQueryError, IndexerUnavailableError } from '../../errors/indexer.ts'
import { InvalidInputError } from '../../errors/storage.ts'
import { type ModelRow, type ModelSummary, type Verdict, modelFields, toModel } from '../../indexer/models.ts'
import { type IndexedReadOptions, decodeCursor, ensureIndexed, requireIndexer } from '../internal/indexer.ts'
import { assertAmount, assertInteger, assertString } from '../internal/validate.ts'

export type SearchModelsParameters = IndexedReadOptions & {
  /** Words to find in the name, summary, tags and task (all must match; the last may be a prefix). */
  text?: string
  /** Models carrying every one of these tags. */
  tags?: string[]
  task?: string
  /** SPDX id. */
  license?: string
  minPrice?: bigint
  maxPrice?: bigint
  /** Minimum average rating, 0 to 5. */
  minRating?: number
  /**
   * Only models whose latest verdict (of `suite`, or of any suite) is one of these, e.g.
   * `{ suite: 'amm-checks/v1', verdict: 'Pass' }` for "passed the safety checks".
   */
  verdict?: { suite?: string; verdict: Exclude<Verdict, 'None'> | Exclude<Verdict, 'None'>[] }
  /** Include delisted models (default false). */
  includeInactive?: boolean
  /**
   * Default `newest`; with `text` and no `orderBy`, by relevance (most relevant first; `orderDirection:
   * 'asc'` reverses it). Text search ranks at most the first 5,000 matches.
   */
  orderBy?: 'newest' | 'price' | 'sales' | 'rating'
  orderDirection?: 'asc' | 'desc'
  /** Page size, 1..1000 (default 20). */
  first?: number
  /** The `nextCursor` of the previous page. */
  after?: string
}
export type SearchModelsReturnType = {
  models: ModelSummary[]
  /** Pass as `after` for the next page; undefined on the last page. */
  nextCursor: string | undefined
}
export type SearchModelsErrorType = InvalidInputError | IndexerUnavailableError | IndexerQueryError | IndexerBehindError

const orderFields = { newest: 'createdAt', price: 'price', sales: 'salesCount', rating: 'ratingAverage' } as const
const verdicts = ['Pass', 'Warn', 'Fail']

/**
 * Searches listed models through the indexer: full text, filters, sort and pages.
 *
 * @example
 * import { searchModels } from '@ai-model-marketplace/sdk'
 * const { models, nextCursor } = await searchModels(client, {
 *   text: 'sentiment', tags: ['nlp'], maxPrice: 10n ** 18n,
 *   verdict: { suite: 'amm-checks/v1', verdict: 'Pass' }, orderBy: 'rating',
 * })
 */
export async function searchModels(client: Pick<MarketplaceClientConfig, 'indexer'>, parameters: SearchModelsParameters = {}): Promise<SearchModelsReturnType> {
  const { text, tags, task, license, minPrice, maxPrice, minRating, verdict, includeInactive = false, orderBy, orderDirection, first = 20, after } = parameters
  if (text !== undefined) assertString('text', text, 0, 200)
  if (tags !== undefined && (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string'))) throw new InvalidInputError('tags', 'expected an array of strings')
  if (task !== undefined) assertString('task', task, 1, 64)
  if (license !== undefined) assertString('license', license, 1, 64)
  if (minPrice !== undefined) assertAmount('minPrice', minPrice)
  if (maxPrice !== undefined) assertAmount('maxPrice', maxPrice)
  if (minRating !== undefined && (typeof minRating !== 'number' || !(minRating >= 0 && minRating <= 5)))
    throw new InvalidInputError('minRating', 'expected a number from 0 to 5')
  const wanted = verdict === undefined ? undefined : [verdict.verdict].flat()
  if (wanted && (wanted.length === 0 || wanted.some((v) => !verdicts.includes(v)))) throw new InvalidInputError('verdict.verdict', "expected 'Pass', 'Warn' or 'Fail'")
  if (orderBy !== undefined && !(orderBy in orderFields)) throw new InvalidInputError('orderBy', "expected 'newest', 'price', 'sales' or 'rating'")
  if (orderDirection !== undefined && orderDirection !== 'asc' && orderDirection !== 'desc') throw new InvalidInputError('orderDirection', "expected 'asc' or 'desc'")
  assertInteger('first', first, 1, 1000)
  const skip = decodeCursor(after)
  const indexer = requireIndexer(client, 'searchModels')
  await ensureIndexed(indexer, parameters)

  const where: Record<string, unknown> = {}
  if (!includeInactive) where.active = true
  if (tags?.length) where.tags_contains = tags
  if (task !== undefined) where.task = task
  if (license !== undefined) where.license = license
  if (minPrice !== undefined) where.price_gte = minPrice.toString()
  if (maxPrice !== undefined) where.price_lte = maxPrice.toString()
  if (minRating !== undefined) where.ratingAverage_gte = String(minRating)
  if (wanted) where.verdicts_ = { verdict_in: wanted, ...(verdict?.suite !== undefined ? { suite: verdict.suite } : {}) }

  const query = fulltextQuery(text)
  // One more than asked tells whether a next page exists without a count query (graph-node caps `first` at 1000).
  const ask = Math.min(first + 1, 1000)
  const page = (rows: ModelRow[]): SearchModelsReturnType => ({
    models: rows.slice(0, first).map(toModel),
    nextCursor: rows.length > first || rows.length === 1000 ? String(skip + first) : undefined,
  })
  const sorted = (sort: keyof typeof orderFields, extra: Record<string, unknown> = {}) =>
    indexer
      .query<{ models: ModelRow[] }>(
        `query Search($where: Model_filter, $first: Int!, $skip: Int!) { models(where: $where, first: $first, skip: $skip, orderBy: ${orderFields[sort]}, orderDirection: ${orderDirection ?? (sort === 'price' ? 'asc' : 'desc')}) { ${modelFields} } }`,
        { where: { ...where, ...extra }, first: ask, skip },
      )
      .then((data) => page(data.models))
  if (!query) return sorted(orderBy ?? 'newest')

  // graph-node's fulltext fields take no orderBy and list matches by ascending rank: the matching
  // ids come first (a model's id is its modelId in decimal), then the page is read by id, in rank
  // order or in the order asked
  const ids = await fulltextMatches(indexer, query, where)
  if (orderBy) return sorted(orderBy, { id_in: ids })
  const ranked = orderDirection === 'asc' ? ids : ids.reverse()
  const pageIds = ranked.slice(skip, skip + first)
  const rows = pageIds.length
    ? (
        await indexer.query<{ models: ModelRow[] }>(`query Page($ids: [ID!]!, $first: Int!) { models(where: { id_in: $ids }, first: $first) { ${modelFields} } }`, {
          ids: pageIds,
          first: pageIds.length,
        })
      ).models
    : []
  const byId = new Map(rows.map((row) => [row.modelId, row]))
  return {
    models: pageIds.flatMap((id) => {
      const row = byId.get(id)
      return row ? [toModel(row)] : []
    }),
    nextCursor: ranked.length > skip + first ? String(skip + first) : undefined,
  }
}

/** Matches ranked by text search; a search past this many matches ranks only the first ones read. */
const MAX_MATCHES = 5000

/** The ids of the models matching `query` and `where`, least relevant first (graph-node's order). */
async function fulltextMatches(indexer: ReturnType<typeof requireIndexer>, query: string, where: Record<string, unknown>): Promise<string[]> {
  const ids: string[] = []
  for (let skip = 0; skip < MAX_MATCHES; skip += 1000) {
    const { models } = await indexer.query<{ models: { id: string }[] }>(
      'query Matches($text: String!, $where: Model_filter, $skip: Int!) { models: modelSearch(text: $text, where: $where, first: 1000, skip: $skip) { id } }',
      { text: query, where, skip },
    )
    ids.push(...models.map((m) => m.id))
    if (models.length < 1000) break
  }
  return ids
}

/** Turns free text into a Postgres tsquery: every word must match, the last one as a prefix (search as you type). */
export function fulltextQuery(text: string | undefined): string | undefined {
  const words = (text ?? '').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
  if (!words.length) return undefined
  return words.map((w, i) => (i === words.length - 1 ? `${w}:*` : w)).join(' & ')
}
