import type { MarketplaceClientConfig } from '../../client/types.ts'
import { orderTransaction } from '../internal/transactions.ts'
import type { TransactionResult, WriteErrorType } from '../types.ts'

export type RefundOrderParameters = { orderId: bigint }
export type RefundOrderReturnType = TransactionResult
export type RefundOrderErrorType = WriteErrorType

/**
 * Refunds an order the seller did not deliver by its deadline; everything paid returns to the
 * buyer. Anyone may call it (a keeper, the buyer).
 *
 * @example
 * import { refundOrder } from '@ai-model-marketplace/sdk'
 * await refundOrder(client, { orderId: 1n })
 */
export async function refundOrder(client: MarketplaceClientConfig, { orderId }: RefundOrderParameters): Promise<RefundOrderReturnType> {
  return orderTransaction(client, 'refund', orderId, 'refundOrder')
}
