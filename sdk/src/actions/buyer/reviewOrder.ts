import type { MarketplaceClientConfig } from '../../client/types.ts'
import { addJson } from '../internal/store.ts'
import { assertId, assertInteger, assertString } from '../internal/validate.ts'
import { write } from '../internal/write.ts'
import type { TransactionResult, WriteErrorType } from '../types.ts'

export type ReviewOrderParameters = {
  orderId: bigint
  /** 1 to 5 stars. */
  rating: number
  /** A comment, added to the store as `{ "comment": … }`; omit for a rating alone. */
  comment?: string
}
export type ReviewOrderReturnType = TransactionResult & { commentURI: string }
export type ReviewOrderErrorType = WriteErrorType

/**
 * The buyer of a completed (or resolved) order reviews its model, once per order.
 *
 * @example
 * import { reviewOrder } from '@ai-model-marketplace/sdk'
 * await reviewOrder(client, { orderId: 1n, rating: 5, comment: 'Works as described.' })
 */
export async function reviewOrder(client: MarketplaceClientConfig, { orderId, rating, comment }: ReviewOrderParameters): Promise<ReviewOrderReturnType> {
  assertId('orderId', orderId)
  assertInteger('rating', rating, 1, 5)
  if (comment !== undefined) assertString('comment', comment, 1, 10_000)
  const commentURI = comment === undefined ? '' : await addJson(client, { comment })
  const { hash, receipt } = await write(client, {
    contract: 'Reputation',
    functionName: 'review',
    args: [orderId, rating, commentURI],
    action: 'reviewOrder',
  })
  return { hash, blockNumber: receipt.blockNumber, commentURI }
}
