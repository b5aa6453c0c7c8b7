import type { MarketplaceClientConfig } from '../../client/types.ts'
import { InvalidInputError } from '../../errors/storage.ts'
import { assertId, assertInteger } from '../internal/validate.ts'
import { disputeIdFromLogs } from '../internal/orders.ts'
import { eventOf, write } from '../internal/write.ts'
import type { TransactionResult, WriteErrorType } from '../types.ts'

/** Who wins a dispute: the buyer (full refund), the seller (release), or a split giving the buyer `buyerShareBps` back. */
export type Ruling = 'buyer' | 'seller' | { buyerShareBps: number }

export type RuleDisputeParameters = ({ disputeId: bigint; orderId?: undefined } | { orderId: bigint; disputeId?: undefined }) & { ruling: Ruling }
export type RuleDisputeReturnType = TransactionResult & {
  disputeId: bigint
  orderId: bigint
  /** The ERC-792 ruling sent: 1 buyer, 2 seller, 3 + buyer's share in bps for a split. */
  ruling: bigint
  buyerRefund: bigint
  sellerProceeds: bigint
  fee: bigint
}
export type RuleDisputeErrorType = WriteErrorType

/** The marketplace's ERC-792 choices: 1 buyer, 2 seller, 3 + b a split where the buyer gets b bps back. */
export function encodeRuling(ruling: Ruling): bigint {
  if (ruling === 'buyer') return 1n
  if (ruling === 'seller') return 2n
  if (typeof ruling !== 'object' || ruling === null) throw new InvalidInputError('ruling', "expected 'buyer', 'seller' or { buyerShareBps }")
  assertInteger('ruling.buyerShareBps', ruling.buyerShareBps, 0, 10_000)
  return 3n + BigInt(ruling.buyerShareBps)
}

/**
 * An arbiter (the ARBITER role of the protocol's arbitrator) rules on a dispute; the marketplace
 * enforces it at once (refund, release, or split; the fee is taken on the seller's part only).
 *
 * @example
 * import { ruleDispute } from '@ai-model-marketplace/sdk'
 * await ruleDispute(arbiterClient, { orderId: 1n, ruling: { buyerShareBps: 3000 } })
 */
export async function ruleDispute(client: MarketplaceClientConfig, parameters: RuleDisputeParameters): Promise<RuleDisputeReturnType> {
  const ruling = encodeRuling(parameters.ruling)
  let disputeId = parameters.disputeId
  if (disputeId === undefined) {
    assertId('orderId', parameters.orderId)
    disputeId = await disputeIdFromLogs(client, parameters.orderId)
    if (disputeId === undefined) throw new InvalidInputError('orderId', `order ${parameters.orderId} has no dispute`)
  } else assertId('disputeId', disputeId)
  const { hash, receipt } = await write(client, { contract: 'Arbitration', functionName: 'giveRuling', args: [disputeId, ruling], action: 'ruleDispute' })
  const resolved = eventOf<{ orderId: bigint; buyerRefund: bigint; sellerProceeds: bigint; fee: bigint }>('Marketplace', 'DisputeResolved', receipt)
  return {
    hash,
    blockNumber: receipt.blockNumber,
    disputeId,
    ruling,
    orderId: resolved.orderId,
    buyerRefund: resolved.buyerRefund,
    sellerProceeds: resolved.sellerProceeds,
    fee: resolved.fee,
  }
}
