import type { MarketplaceClientConfig } from '../../client/types.ts'
import { orderTransaction } from '../internal/transactions.ts'
import type { TransactionResult, WriteErrorType } from '../types.ts'

export type ConfirmOrderParameters = { orderId: bigint }
export type ConfirmOrderReturnType = TransactionResult
export type ConfirmOrderErrorType = WriteErrorType

/**
 * The buyer accepts a delivery: the order completes and the seller's proceeds are credited.
 *
 * @example
 * import { confirmOrder } from '@ai-model-marketplace/sdk'
 * const { hash } = await confirmOrder(client, { orderId: 1n })
 */
export async function confirmOrder(client: MarketplaceClientConfig, { orderId }: ConfirmOrderParameters): Promise<ConfirmOrderReturnType> {
  return orderTransaction(client, 'confirm', orderId, 'confirmOrder')
}
