import type { Address } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import { assertAddress, assertAmount, assertId } from '../internal/validate.ts'
import { read, write } from '../internal/write.ts'
import type { TransactionResult, WriteErrorType } from '../types.ts'

export type SetPriceParameters = {
  modelId: bigint
  /** In the payment token's smallest unit; 0 makes the model free (licensed at once, files public). */
  price: bigint
  /** An allowed ERC-20; defaults to the model's current payment token. */
  paymentToken?: Address
}
export type SetPriceReturnType = TransactionResult
export type SetPriceErrorType = WriteErrorType

/**
 * Sets a model's price (and optionally its payment token). Only its owner; open orders keep their price.
 *
 * @example
 * import { parseEther } from 'viem'
 * import { setPrice } from '@ai-model-marketplace/sdk'
 * await setPrice(client, { modelId: 1n, price: parseEther('12') })
 */
export async function setPrice(client: MarketplaceClientConfig, { modelId, price, paymentToken }: SetPriceParameters): Promise<SetPriceReturnType> {
  assertId('modelId', modelId)
  assertAmount('price', price)
  if (paymentToken !== undefined) assertAddress('paymentToken', paymentToken)
  const token =
    paymentToken ?? (await read<{ paymentToken: Address }>(client, { contract: 'ModelRegistry', functionName: 'getListing', args: [modelId] })).paymentToken
  const { hash, receipt } = await write(client, { contract: 'ModelRegistry', functionName: 'setPrice', args: [modelId, token, price], action: 'setPrice' })
  return { hash, blockNumber: receipt.blockNumber }
}
