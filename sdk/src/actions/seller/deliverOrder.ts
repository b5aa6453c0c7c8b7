import type { Hex } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import { isValidBuyerDeliveryKey, matchesCommitment, wrapDeliveryKey } from '../../crypto/delivery.ts'
import { ContractRevertedError, UndeliverableOrderError } from '../../errors/chain.ts'
import { sellerModelKey } from '../internal/keys.ts'
import { orderCreatedLog, orderStatuses, readOrder } from '../internal/orders.ts'
import { assertId } from '../internal/validate.ts'
import { write } from '../internal/write.ts'
import type { TransactionResult, WriteErrorType } from '../types.ts'

export type DeliverOrderParameters = {
  orderId: bigint
  /** Keys of models handed over by a previous owner (from `importModelKey`), by model id; others are derived from the wallet. */
  modelKeys?: Map<bigint, Uint8Array>
}
export type DeliverOrderReturnType = TransactionResult & {
  modelId: bigint
  /** `R = r·G`, SEC1-compressed (33 bytes), as posted. */
  deliveryPoint: Hex
  /** `c = key XOR pad`, as posted. */
  encryptedKey: Hex
}
export type DeliverOrderErrorType = WriteErrorType | UndeliverableOrderError

/**
 * The seller delivers an order: encrypts the model key to the order's delivery key `B` (a fresh
 * `R = r·G` and `c = key XOR pad(address(r·B))`, bound to the chain, marketplace and order) and posts
 * it on-chain. It first checks that the key matches the commitment the order snapshotted (a wrong
 * key would be refunded to the buyer by the contract and counted against the seller) and that `B`
 * is a valid point; either failure is UndeliverableOrderError, sending nothing. Only the model's
 * current owner, before the delivery deadline.
 *
 * @example
 * import { deliverOrder } from '@ai-model-marketplace/sdk'
 * await deliverOrder(client, { orderId: 1n })
 */
export async function deliverOrder(client: MarketplaceClientConfig, { orderId, modelKeys }: DeliverOrderParameters): Promise<DeliverOrderReturnType> {
  assertId('orderId', orderId)
  const order = await readOrder(client, orderId)
  // Checked before asking the wallet for the model key's signature; the contract checks again.
  if (order.status !== 'Created')
    throw new ContractRevertedError({
      contract: 'Marketplace',
      functionName: 'deliver',
      errorName: 'MarketplaceWrongStatus',
      args: [orderId, orderStatuses.indexOf(order.status)],
      details: `Order ${orderId} is ${order.status}; only a Created order can be delivered.`,
    })
  // An order made before the provable-delivery upgrade has no delivery check: the contract takes it only in the old format.
  if (BigInt(order.deliveryCheck) === 0n)
    throw new ContractRevertedError({
      contract: 'Marketplace',
      functionName: 'deliver',
      errorName: 'MarketplaceWrongDeliveryFormat',
      args: [orderId],
      details: `Order ${orderId} was made before provable delivery; this SDK does not deliver it (the contract takes it with deliverWrapped).`,
    })
  // B, its salt and the commitment are only in the log; a node that pruned it cannot serve this delivery.
  const created = await orderCreatedLog(client, orderId)
  if (!isValidBuyerDeliveryKey(created.buyerKey))
    throw new UndeliverableOrderError(orderId, 'buyer-key-invalid', { details: `B = ${created.buyerKey}` })
  const key = await sellerModelKey(client, order.modelId, modelKeys)
  if (!matchesCommitment(key, created.keyCommitment))
    throw new UndeliverableOrderError(orderId, 'key-not-committed', {
      metaMessages: [`Model: ${order.modelId}`, `Commitment of the order: ${created.keyCommitment}`],
    })
  const { R, c } = wrapDeliveryKey({
    key,
    buyerPublicKey: created.buyerKey,
    chainId: client.deployment.chainId,
    marketplace: client.deployment.contracts.Marketplace.address,
    orderId,
  })
  const { hash, receipt } = await write(client, { contract: 'Marketplace', functionName: 'deliver', args: [orderId, R, c], action: 'deliverOrder' })
  return { hash, blockNumber: receipt.blockNumber, modelId: order.modelId, deliveryPoint: R, encryptedKey: c }
}
