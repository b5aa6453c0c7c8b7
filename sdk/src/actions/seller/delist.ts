import type { MarketplaceClientConfig } from '../../client/types.ts'
import { setActive } from '../internal/transactions.ts'
import type { TransactionResult, WriteErrorType } from '../types.ts'

export type DelistParameters = { modelId: bigint }
export type DelistReturnType = TransactionResult
export type DelistErrorType = WriteErrorType

/**
 * Stops sales of a model. Licenses already granted and open orders stay. Only its owner.
 *
 * @example
 * import { delist } from '@ai-model-marketplace/sdk'
 * await delist(client, { modelId: 1n })
 */
export async function delist(client: MarketplaceClientConfig, { modelId }: DelistParameters): Promise<DelistReturnType> {
  return setActive(client, modelId, false, 'delist')
}
