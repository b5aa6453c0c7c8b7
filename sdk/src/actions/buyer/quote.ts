import type { Address, Hex } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import { assertId } from '../internal/validate.ts'
import { read } from '../internal/write.ts'
import type { ContractRevertedError, ChainRequestError } from '../../errors/chain.ts'
import type { InvalidInputError } from '../../errors/storage.ts'

export type QuoteParameters = { modelId: bigint }
export type QuoteReturnType = {
  modelId: bigint
  /** The model's owner, who delivers and is paid. */
  seller: Address
  /** Whether the model accepts purchases now. */
  active: boolean
  /** The ERC-20 the price is in. */
  token: Address
  /** What the buyer pays, in the token's smallest unit (0: free). */
  price: bigint
  /** The platform's share, taken on release only. */
  fee: bigint
  /** What the seller is credited on release. */
  sellerProceeds: bigint
  feeBps: number
  /**
   * The model's key commitment now (0x00… for a free model): pass it to `buyModel` as the one the
   * buyer saw, so a commitment changed in front of the purchase makes it revert.
   */
  keyCommitment: Hex
}
export type QuoteErrorType = InvalidInputError | ContractRevertedError | ChainRequestError

/**
 * What buying a model costs now and how the price would be split, read from the chain.
 *
 * @example
 * import { quote } from '@ai-model-marketplace/sdk'
 * const { price, token, fee } = await quote(client, { modelId: 1n })
 */
export async function quote(client: MarketplaceClientConfig, { modelId }: QuoteParameters): Promise<QuoteReturnType> {
  assertId('modelId', modelId)
  const [terms, listing] = await Promise.all([
    read<{ token: Address; price: bigint; fee: bigint; sellerProceeds: bigint; feeBps: number }>(client, {
      contract: 'Marketplace',
      functionName: 'quote',
      args: [modelId],
    }),
    read<{ seller: Address; active: boolean; keyCommitment: Hex }>(client, { contract: 'ModelRegistry', functionName: 'getListing', args: [modelId] }),
  ])
  return {
    modelId,
    seller: listing.seller,
    active: listing.active,
    token: terms.token,
    price: terms.price,
    fee: terms.fee,
    sellerProceeds: terms.sellerProceeds,
    feeBps: Number(terms.feeBps),
    keyCommitment: listing.keyCommitment,
  }
}
