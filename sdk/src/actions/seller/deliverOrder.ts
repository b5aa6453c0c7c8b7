import { toHex } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import { wrapKey } from '../../crypto/keys.ts'
import { ChainRequestError, ContractRevertedError } from '../../errors/chain.ts'
import { sellerModelKey } from '../internal/keys.ts'
import { orderCreatedLogs, orderStatuses, readOrder } from '../internal/orders.ts'
import { assertId } from '../internal/validate.ts'
import { write } from '../internal/write.ts'
import type { TransactionResult, WriteErrorType } from '../types.ts'

export type DeliverOrderParameters = {
  orderId: bigint
  /** Keys of models handed over by a previous owner (from `importModelKey`), by model id; others are derived from the wallet. */
  modelKeys?: Map<bigint, Uint8Array>
}
export type DeliverOrderReturnType = TransactionResult & { modelId: bigint; wrappedKey: `0x${string}` }
export type DeliverOrderErrorType = WriteErrorType

/**
 * The seller delivers an order: wraps the model key to the buyer's X25519 key (HPKE, bound to the
 * chain, marketplace, model and buyer) and posts it on-chain. Only the model's current owner,
 * before the delivery deadline.
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
  const [created] = await orderCreatedLogs(client, { orderId })
  // The buyer's public key is only in the log; a node that pruned it cannot serve this delivery.
  if (!created)
    throw new ChainRequestError('eth_getLogs', {
      details: `No OrderCreated log for order ${orderId}, which is Created on-chain.`,
      hint: 'Use an RPC endpoint that keeps logs since the deployment block.',
    })
  const modelKey = await sellerModelKey(client, order.modelId, modelKeys)
  const wrapped = toHex(
    await wrapKey({
      modelKey,
      recipientPublicKey: created.buyerPublicKey,
      chainId: client.deployment.chainId,
      marketplace: client.deployment.contracts.Marketplace.address,
      modelId: order.modelId,
      buyer: order.buyer,
    }),
  )
  const { hash, receipt } = await write(client, { contract: 'Marketplace', functionName: 'deliver', args: [orderId, wrapped], action: 'deliverOrder' })
  return { hash, blockNumber: receipt.blockNumber, modelId: order.modelId, wrappedKey: wrapped }
}
