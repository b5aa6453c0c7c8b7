import type { Address, Hex } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import { type TokenAmount, type TokenAmountRow, toTokenAmount, tokenFields } from '../../indexer/models.ts'
import type { IndexerBehindError, IndexerQueryError, IndexerUnavailableError } from '../../errors/indexer.ts'
import type { InvalidInputError } from '../../errors/storage.ts'
import { type IndexedReadOptions, ensureIndexed, requireIndexer } from '../internal/indexer.ts'
import { assertAddress } from '../internal/validate.ts'

export type GetAccountParameters = IndexedReadOptions & { address: Address }
export type AccountInfo = {
  address: Address
  handle: string | null
  /** Profile JSON (ipfs://…). */
  profileURI: string | null
  modelCount: number
  purchaseCount: number
  salesCount: number
  /** Seller proceeds credited, one entry per token; never summed across tokens. */
  revenue: TokenAmount[]
  /** Paid for licensed orders (refunds excluded), one entry per token. */
  spent: TokenAmount[]
  sellerRatingAverage: number
  sellerRatingCount: number
  disputesWon: number
  disputesLost: number
  disputesSplit: number
  /** Bad deliveries proven against the account as seller (its faults, as Reputation records them). */
  badDeliveryCount: number
  /** Credited payouts not yet withdrawn, per token. */
  pendingPayouts: { token: Address; amount: bigint }[]
  evaluatorPublicKey: Hex | null
}
export type GetAccountReturnType = AccountInfo | null
export type GetAccountErrorType = InvalidInputError | IndexerUnavailableError | IndexerQueryError | IndexerBehindError

/**
 * An account's profile, reputation and totals from the indexer; null when the protocol never saw it.
 *
 * @example
 * import { getAccount } from '@ai-model-marketplace/sdk'
 * const account = await getAccount(client, { address: '0x…' })
 * console.log(account?.handle, account?.sellerRatingAverage)
 */
export async function getAccount(client: MarketplaceClientConfig, parameters: GetAccountParameters): Promise<GetAccountReturnType> {
  assertAddress('address', parameters.address)
  const indexer = requireIndexer(client, 'getAccount')
  await ensureIndexed(indexer, parameters)
  type Row = Omit<AccountInfo, 'address' | 'revenue' | 'spent' | 'sellerRatingAverage' | 'pendingPayouts'> & {
    id: Address
    tokenStats: (TokenAmountRow & { revenue: string; spent: string })[]
    sellerRatingAverage: string
    payouts: { token: { id: Address }; pending: string }[]
  }
  const { account } = await indexer.query<{ account: Row | null }>(
    `query Account($id: ID!) { account(id: $id) { id handle profileURI modelCount purchaseCount salesCount
      tokenStats(first: 100, orderBy: id) { ${tokenFields} revenue spent }
      sellerRatingAverage sellerRatingCount disputesWon disputesLost disputesSplit badDeliveryCount evaluatorPublicKey
      payouts(where: { pending_gt: "0" }) { token { id } pending } } }`,
    { id: parameters.address.toLowerCase() },
  )
  if (!account) return null
  const { id, payouts, tokenStats, sellerRatingAverage, ...rest } = account
  return {
    ...rest,
    address: id,
    revenue: tokenStats.filter((t) => t.revenue !== '0').map((t) => toTokenAmount(t, t.revenue)),
    spent: tokenStats.filter((t) => t.spent !== '0').map((t) => toTokenAmount(t, t.spent)),
    sellerRatingAverage: Number(sellerRatingAverage),
    pendingPayouts: payouts.map((p) => ({ token: p.token.id, amount: BigInt(p.pending) })),
  }
}
