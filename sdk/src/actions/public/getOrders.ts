import type { Address, Hex } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import type { IndexerBehindError, IndexerQueryError, IndexerUnavailableError } from '../../errors/indexer.ts'
import { InvalidInputError } from '../../errors/storage.ts'
import { type IndexedReadOptions, decodeCursor, ensureIndexed, requireIndexer } from '../internal/indexer.ts'
import { type OrderStatus, orderStatuses } from '../internal/orders.ts'
import { assertAddress, assertId, assertInteger } from '../internal/validate.ts'

export type GetOrdersParameters = IndexedReadOptions & {
  buyer?: Address
  seller?: Address
  modelId?: bigint
  status?: Exclude<OrderStatus, 'None'> | Exclude<OrderStatus, 'None'>[]
  /** Newest first by default. */
  orderDirection?: 'asc' | 'desc'
  /** Page size, 1..999 (default 50). */
  first?: number
  after?: string
}

/** An order with its current state, as indexed. */
export type OrderInfo = {
  orderId: bigint
  modelId: bigint
  modelName: string
  buyer: Address
  seller: Address
  status: Exclude<OrderStatus, 'None'>
  token: Address
  amount: bigint
  fee: bigint
  sellerProceeds: bigint
  buyerRefund: bigint
  isFree: boolean
  buyerPublicKey: Hex
  /** The model key wrapped to the buyer, once delivered. */
  wrappedKey: Hex | null
  deliveryDeadline: bigint
  disputeDeadline: bigint | null
  createdAt: bigint
  createdAtBlock: bigint
  dispute: { disputeId: bigint; status: 'Open' | 'Resolved'; outcome: 'BuyerWins' | 'SellerWins' | 'Split' | null } | null
  review: { rating: number; commentURI: string } | null
}
export type GetOrdersReturnType = { orders: OrderInfo[]; nextCursor: string | undefined }
export type GetOrdersErrorType = InvalidInputError | IndexerUnavailableError | IndexerQueryError | IndexerBehindError

type OrderRow = {
  orderId: string
  model: { modelId: string; name: string }
  buyer: { id: Address }
  seller: { id: Address }
  status: Exclude<OrderStatus, 'None'>
  token: { id: Address }
  amount: string
  fee: string
  sellerProceeds: string
  buyerRefund: string
  isFree: boolean
  buyerPublicKey: Hex
  wrappedKey: Hex | null
  deliveryDeadline: string
  disputeDeadline: string | null
  createdAt: string
  createdAtBlock: string
  dispute: { disputeId: string; status: 'Open' | 'Resolved'; outcome: 'BuyerWins' | 'SellerWins' | 'Split' | null } | null
  review: { rating: number; commentURI: string } | null
}

const orderFields = /* GraphQL */ `
  orderId model { modelId name } buyer { id } seller { id } status token { id } amount fee sellerProceeds buyerRefund isFree
  buyerPublicKey wrappedKey deliveryDeadline disputeDeadline createdAt createdAtBlock
  dispute { disputeId status outcome } review { rating commentURI }
`

/**
 * Orders filtered by buyer, seller, model and status, from the indexer.
 *
 * @example
 * import { getOrders } from '@ai-model-marketplace/sdk'
 * const { orders } = await getOrders(client, { seller: '0x…', status: 'Created' })
 */
export async function getOrders(client: MarketplaceClientConfig, parameters: GetOrdersParameters = {}): Promise<GetOrdersReturnType> {
  const { buyer, seller, modelId, status, orderDirection = 'desc', first = 50, after } = parameters
  if (buyer !== undefined) assertAddress('buyer', buyer)
  if (seller !== undefined) assertAddress('seller', seller)
  if (modelId !== undefined) assertId('modelId', modelId)
  const statuses = status === undefined ? undefined : [status].flat()
  if (statuses?.some((s) => !orderStatuses.slice(1).includes(s))) throw new InvalidInputError('status', `expected one of ${orderStatuses.slice(1).join(', ')}`)
  if (orderDirection !== 'asc' && orderDirection !== 'desc') throw new InvalidInputError('orderDirection', "expected 'asc' or 'desc'")
  assertInteger('first', first, 1, 999)
  const skip = decodeCursor(after)
  const indexer = requireIndexer(client, 'getOrders')
  await ensureIndexed(indexer, parameters)
  const where: Record<string, unknown> = {}
  if (buyer) where.buyer = buyer.toLowerCase()
  if (seller) where.seller = seller.toLowerCase()
  if (modelId !== undefined) where.model = modelId.toString()
  if (statuses) where.status_in = statuses
  const { orders } = await indexer.query<{ orders: OrderRow[] }>(
    `query Orders($where: Order_filter, $first: Int!, $skip: Int!) { orders(where: $where, first: $first, skip: $skip, orderBy: orderId, orderDirection: ${orderDirection}) { ${orderFields} } }`,
    { where, first: first + 1, skip },
  )
  return { orders: orders.slice(0, first).map(toOrder), nextCursor: orders.length > first ? String(skip + first) : undefined }
}

function toOrder(row: OrderRow): OrderInfo {
  return {
    orderId: BigInt(row.orderId),
    modelId: BigInt(row.model.modelId),
    modelName: row.model.name,
    buyer: row.buyer.id,
    seller: row.seller.id,
    status: row.status,
    token: row.token.id,
    amount: BigInt(row.amount),
    fee: BigInt(row.fee),
    sellerProceeds: BigInt(row.sellerProceeds),
    buyerRefund: BigInt(row.buyerRefund),
    isFree: row.isFree,
    buyerPublicKey: row.buyerPublicKey,
    wrappedKey: row.wrappedKey,
    deliveryDeadline: BigInt(row.deliveryDeadline),
    disputeDeadline: row.disputeDeadline === null ? null : BigInt(row.disputeDeadline),
    createdAt: BigInt(row.createdAt),
    createdAtBlock: BigInt(row.createdAtBlock),
    dispute: row.dispute && { disputeId: BigInt(row.dispute.disputeId), status: row.dispute.status, outcome: row.dispute.outcome },
    review: row.review,
  }
}
