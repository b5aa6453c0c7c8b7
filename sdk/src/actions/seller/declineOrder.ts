import type { MarketplaceClientConfig } from '../../client/types.ts'
import { orderTransaction } from '../internal/transactions.ts'
import type { TransactionResult, WriteErrorType } from '../types.ts'

export type DeclineOrderParameters = { orderId: bigint }
export type DeclineOrderReturnType = TransactionResult
export type DeclineOrderErrorType = WriteErrorType

/**
 * The seller refuses an undelivered order; the buyer is refunded in full.
 *
 * @example
 * import { declineOrder } from '@ai-model-marketplace/sdk'
 * await declineOrder(client, { orderId: 1n })
 */
export async function declineOrder(client: MarketplaceClientConfig, { orderId }: DeclineOrderParameters): Promise<DeclineOrderReturnType> {
  return orderTransaction(client, 'declineOrder', orderId, 'declineOrder')
}
