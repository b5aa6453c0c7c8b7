import type { MarketplaceClientConfig } from '../../client/types.ts'
import { assertId } from '../internal/validate.ts'
import { write } from '../internal/write.ts'
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
  assertId('orderId', orderId)
  const { hash, receipt } = await write(client, { contract: 'Marketplace', functionName: 'declineOrder', args: [orderId], action: 'declineOrder' })
  return { hash, blockNumber: receipt.blockNumber }
}
