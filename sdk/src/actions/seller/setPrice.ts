import type { Address, Hex } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import { keyCommitment } from '../../crypto/delivery.ts'
import { sellerModelKey } from '../internal/keys.ts'
import { assertAddress, assertAmount, assertId } from '../internal/validate.ts'
import { read, write } from '../internal/write.ts'
import type { TransactionResult, WriteErrorType } from '../types.ts'

export type SetPriceParameters = {
  modelId: bigint
  /** In the payment token's smallest unit; 0 makes the model free (licensed at once, files public). */
  price: bigint
  /** An allowed ERC-20; defaults to the model's current payment token. */
  paymentToken?: Address
  /** The model key, for a model handed over by its previous owner (`importModelKey`); otherwise derived from the wallet. */
  modelKey?: Uint8Array
}
export type SetPriceReturnType = TransactionResult
export type SetPriceErrorType = WriteErrorType

/**
 * Sets a model's price (and optionally its payment token). Only its owner; open orders keep their
 * price. A free model turning paid gets its key commitment recorded first (the registry requires one
 * for a price above 0), from the wallet's model key or `modelKey`.
 *
 * @example
 * import { parseEther } from 'viem'
 * import { setPrice } from '@ai-model-marketplace/sdk'
 * await setPrice(client, { modelId: 1n, price: parseEther('12') })
 */
export async function setPrice(client: MarketplaceClientConfig, { modelId, price, paymentToken, modelKey }: SetPriceParameters): Promise<SetPriceReturnType> {
  assertId('modelId', modelId)
  assertAmount('price', price)
  if (paymentToken !== undefined) assertAddress('paymentToken', paymentToken)
  const listing = await read<{ paymentToken: Address; keyCommitment: Hex }>(client, { contract: 'ModelRegistry', functionName: 'getListing', args: [modelId] })
  if (price > 0n && BigInt(listing.keyCommitment) === 0n) {
    const key = modelKey ?? (await sellerModelKey(client, modelId, undefined, 'setPrice'))
    await write(client, { contract: 'ModelRegistry', functionName: 'setKeyCommitment', args: [modelId, keyCommitment(key)], action: 'setPrice' })
  }
  const token = paymentToken ?? listing.paymentToken
  const { hash, receipt } = await write(client, { contract: 'ModelRegistry', functionName: 'setPrice', args: [modelId, token, price], action: 'setPrice' })
  return { hash, blockNumber: receipt.blockNumber }
}
