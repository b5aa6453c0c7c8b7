import { type Hex, toHex } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import { ContractRevertedError, type DeliverySeedError, DeliveryNotBadError } from '../../errors/chain.ts'
import { orderStatuses, readOrder } from '../internal/orders.ts'
import { assertId } from '../internal/validate.ts'
import { eventOf, write } from '../internal/write.ts'
import type { TransactionResult, WriteErrorType } from '../types.ts'
import { chainDelivery, openDelivery } from './downloadModel.ts'

export type ProveBadDeliveryParameters = { orderId: bigint }
export type ProveBadDeliveryReturnType = TransactionResult & {
  /** What the contract refunded to the buyer: the whole price. */
  refund: bigint
  /** The key the seller delivered (it opens nothing of the model), now public with the proof. */
  deliveredKey: Hex
}
export type ProveBadDeliveryErrorType = WriteErrorType | DeliveryNotBadError | DeliverySeedError

/**
 * Proves to the contract that the key delivered for an order does not match the commitment the
 * order snapshotted: the contract recomputes the key from the order's secret `b`, the posted `R`
 * and `c`, refunds the buyer in full and records the seller's fault; no arbiter, while the order is
 * Delivered or Disputed. The SDK checks the key locally first and never submits a proof for a good
 * key (that would publish the model's key): it throws DeliveryNotBadError instead. Revealing `b`
 * opens this one delivery only. `downloadModel` raises BadDeliveryError when a proof is due.
 *
 * @example
 * import { BadDeliveryError, downloadModel, proveBadDelivery } from '@ai-model-marketplace/sdk'
 * const error = await downloadModel(client, { modelId: 1n }).catch((e) => e)
 * if (error instanceof BadDeliveryError) await proveBadDelivery(client, { orderId: error.orderId })
 */
export async function proveBadDelivery(client: MarketplaceClientConfig, { orderId }: ProveBadDeliveryParameters): Promise<ProveBadDeliveryReturnType> {
  assertId('orderId', orderId)
  const order = await readOrder(client, orderId)
  const found = order.status === 'Delivered' || order.status === 'Disputed' ? await chainDelivery(client, order) : undefined
  if (!found)
    throw new ContractRevertedError({
      contract: 'Marketplace',
      functionName: 'proveBadDelivery',
      errorName: 'MarketplaceWrongStatus',
      args: [orderId, orderStatuses.indexOf(order.status)],
      details: `Order ${orderId} is ${order.status}; a delivery is proven bad while the order is Delivered or Disputed.`,
    })
  const { secret, key, good } = await openDelivery(client, found, 'proveBadDelivery')
  if (good) throw new DeliveryNotBadError(orderId)
  const { hash, receipt } = await write(client, {
    contract: 'Marketplace',
    functionName: 'proveBadDelivery',
    args: [
      orderId,
      {
        buyerSecret: BigInt(toHex(secret)),
        deliveryPoint: found.delivery.R,
        encryptedKey: found.delivery.c,
        keyCommitment: found.created.keyCommitment,
        seller: found.delivery.seller,
      },
    ],
    action: 'proveBadDelivery',
  })
  const refunded = eventOf<{ amount: bigint }>('Marketplace', 'OrderRefunded', receipt)
  return { hash, blockNumber: receipt.blockNumber, refund: refunded.amount, deliveredKey: toHex(key) }
}
