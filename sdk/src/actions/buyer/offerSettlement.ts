import type { MarketplaceClientConfig } from '../../client/types.ts'
import { assertId, assertInteger } from '../internal/validate.ts'
import { eventsOf, write } from '../internal/write.ts'
import type { TransactionResult, WriteErrorType } from '../types.ts'

export type OfferSettlementParameters = {
  orderId: bigint
  /** The buyer's share of the amount, in basis points (0-10,000): 10,000 refunds everything, 0 pays the seller in full. */
  buyerShareBps: number
}
export type OfferSettlementReturnType = TransactionResult & {
  /** Whether the other party had offered the same share, so the order settled now. */
  settled: boolean
  /** Set when it settled: what went back to the buyer and to the seller (after the fee). */
  buyerRefund?: bigint
  sellerProceeds?: bigint
}
export type OfferSettlementErrorType = WriteErrorType

/**
 * The buyer or the seller of a Delivered or Disputed order offers to settle it between themselves:
 * the buyer gets `buyerShareBps` of the amount back, the seller the rest minus the fee. When the
 * other party has offered the same share the order settles at once (no ruling, no win or loss
 * recorded; an open dispute is cancelled and its fee returned to the buyer). An offer stands until
 * replaced by another.
 *
 * @example
 * import { offerSettlement } from '@ai-model-marketplace/sdk'
 * await offerSettlement(buyerClient, { orderId: 1n, buyerShareBps: 5000 })
 * const { settled } = await offerSettlement(sellerClient, { orderId: 1n, buyerShareBps: 5000 }) // true
 */
export async function offerSettlement(client: MarketplaceClientConfig, { orderId, buyerShareBps }: OfferSettlementParameters): Promise<OfferSettlementReturnType> {
  assertId('orderId', orderId)
  assertInteger('buyerShareBps', buyerShareBps, 0, 10_000)
  const { hash, receipt } = await write(client, { contract: 'Marketplace', functionName: 'offerSettlement', args: [orderId, buyerShareBps], action: 'offerSettlement' })
  const [settled] = eventsOf<{ buyerRefund: bigint; sellerProceeds: bigint }>('Marketplace', 'OrderSettled', receipt.logs)
  return settled
    ? { hash, blockNumber: receipt.blockNumber, settled: true, buyerRefund: settled.buyerRefund, sellerProceeds: settled.sellerProceeds }
    : { hash, blockNumber: receipt.blockNumber, settled: false }
}
