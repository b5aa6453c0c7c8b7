import type { Address } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import type { IndexerBehindError, IndexerQueryError, IndexerUnavailableError } from '../../errors/indexer.ts'
import type { InvalidInputError } from '../../errors/storage.ts'
import { type IndexedReadOptions, ensureIndexed, requireIndexer } from '../internal/indexer.ts'
import { assertInteger } from '../internal/validate.ts'

export type MarketStatsParameters = IndexedReadOptions & {
  /** How many recent UTC days of activity to return (default 30, up to 1000). */
  days?: number
}
export type MarketStatsReturnType = {
  modelCount: number
  activeModelCount: number
  versionCount: number
  accountCount: number
  orderCount: number
  openOrderCount: number
  licensedOrderCount: number
  refundedOrderCount: number
  disputeCount: number
  openDisputeCount: number
  reviewCount: number
  evaluationCount: number
  feeBps: number
  /** Money per payment token, all time. */
  tokens: { token: Address; symbol: string | null; decimals: number | null; volume: bigint; settledVolume: bigint; fees: bigint; escrowed: bigint }[]
  /** Activity per UTC day, newest first. */
  days: { date: number; orderCount: number; salesCount: number; refundCount: number; newModelCount: number; disputesOpened: number; reviewCount: number }[]
}
export type MarketStatsErrorType = InvalidInputError | IndexerUnavailableError | IndexerQueryError | IndexerBehindError

/**
 * Market totals, per-token money and daily activity, from the indexer.
 *
 * @example
 * import { marketStats } from '@ai-model-marketplace/sdk'
 * const { modelCount, licensedOrderCount, days } = await marketStats(client, { days: 7 })
 */
export async function marketStats(client: MarketplaceClientConfig, parameters: MarketStatsParameters = {}): Promise<MarketStatsReturnType> {
  const { days = 30 } = parameters
  assertInteger('days', days, 1, 1000)
  const indexer = requireIndexer(client, 'marketStats')
  await ensureIndexed(indexer, parameters)
  type TokenRow = { id: Address; symbol: string | null; decimals: number | null; volume: string; settledVolume: string; fees: string; escrowed: string }
  const data = await indexer.query<{
    protocol: Omit<MarketStatsReturnType, 'tokens' | 'days'> | null
    paymentTokens: TokenRow[]
    marketDayDatas: MarketStatsReturnType['days']
  }>(
    `query Stats($days: Int!) {
      protocol(id: "1") { modelCount activeModelCount versionCount accountCount orderCount openOrderCount licensedOrderCount
        refundedOrderCount disputeCount openDisputeCount reviewCount evaluationCount feeBps }
      paymentTokens(first: 100) { id symbol decimals volume settledVolume fees escrowed }
      marketDayDatas(first: $days, orderBy: date, orderDirection: desc) { date orderCount salesCount refundCount newModelCount disputesOpened reviewCount }
    }`,
    { days },
  )
  const empty = { modelCount: 0, activeModelCount: 0, versionCount: 0, accountCount: 0, orderCount: 0, openOrderCount: 0, licensedOrderCount: 0, refundedOrderCount: 0, disputeCount: 0, openDisputeCount: 0, reviewCount: 0, evaluationCount: 0, feeBps: 0 }
  return {
    ...(data.protocol ?? empty),
    tokens: data.paymentTokens.map((t) => ({
      token: t.id,
      symbol: t.symbol,
      decimals: t.decimals,
      volume: BigInt(t.volume),
      settledVolume: BigInt(t.settledVolume),
      fees: BigInt(t.fees),
      escrowed: BigInt(t.escrowed),
    })),
    days: data.marketDayDatas,
  }
}
