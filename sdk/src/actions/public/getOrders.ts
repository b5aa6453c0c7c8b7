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
  /** The model's latest version when the order was made (0 for orders made before versions were recorded). */
  version: number
  /** The order's buyer delivery key B (64 bytes x ‖ y; empty for a free claim) and its salt. */
  buyerKey: Hex
  keySalt: Hex
  /** The model's key commitment snapshotted at purchase. */
  keyCommitment: Hex
  /** Whether a delivery was posted (the SDK reads the delivery itself from the chain's logs, never from here). */
  delivered: boolean
  /** Whether the buyer proved the delivered key wrong (refunded in full, counted against the seller). */
  badDeliveryProven: boolean
  /** Whether the parties settled it between themselves. */
  settledByParties: boolean
  refundReason: 'DeliveryTimeout' | 'SellerDeclined' | 'Ruling' | 'BadDelivery' | 'Settlement' | null
  deliveryDeadline: bigint
  disputeDeadline: bigint | null
  createdAt: bigint
  createdAtBlock: bigint
  dispute: { disputeId: bigint; status: 'Open' | 'Resolved' | 'Cancelled'; outcome: 'BuyerWins' | 'SellerWins' | 'Split' | null } | null
  review: { rating: number; commentURI: string; paid: boolean } | null
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
  version: number
  buyerKey: Hex
  keySalt: Hex
  keyCommitment: Hex
  deliveredAt: string | null
  badDeliveryProven: boolean
  settledByParties: boolean
  refundReason: OrderInfo['refundReason']
  deliveryDeadline: string
  disputeDeadline: string | null
  createdAt: string
  createdAtBlock: string
  dispute: { disputeId: string; status: 'Open' | 'Resolved' | 'Cancelled'; outcome: 'BuyerWins' | 'SellerWins' | 'Split' | null } | null
  review: { rating: number; commentURI: string; paid: boolean } | null
}

const orderFields = /* GraphQL */ `
  orderId model { modelId name } buyer { id } seller { id } status token { id } amount fee sellerProceeds buyerRefund isFree
  version buyerKey keySalt keyCommitment deliveredAt badDeliveryProven settledByParties refundReason
  deliveryDeadline disputeDeadline createdAt createdAtBlock
  dispute { disputeId status outcome } review { rating commentURI paid }
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
    version: row.version,
    buyerKey: row.buyerKey,
    keySalt: row.keySalt,
    keyCommitment: row.keyCommitment,
    delivered: row.deliveredAt !== null,
    badDeliveryProven: row.badDeliveryProven,
    settledByParties: row.settledByParties,
    refundReason: row.refundReason,
    deliveryDeadline: BigInt(row.deliveryDeadline),
    disputeDeadline: row.disputeDeadline === null ? null : BigInt(row.disputeDeadline),
    createdAt: BigInt(row.createdAt),
    createdAtBlock: BigInt(row.createdAtBlock),
    dispute: row.dispute && { disputeId: BigInt(row.dispute.disputeId), status: row.dispute.status, outcome: row.dispute.outcome },
    review: row.review,
  }
}
