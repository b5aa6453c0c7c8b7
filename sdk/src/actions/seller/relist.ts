import type { MarketplaceClientConfig } from '../../client/types.ts'
import type { TransactionResult, WriteErrorType } from '../types.ts'
import { setActive } from '../internal/transactions.ts'

export type RelistParameters = { modelId: bigint }
export type RelistReturnType = TransactionResult
export type RelistErrorType = WriteErrorType

/**
 * Resumes sales of a delisted model. Only its owner.
 *
 * @example
 * import { relist } from '@ai-model-marketplace/sdk'
 * await relist(client, { modelId: 1n })
 */
export async function relist(client: MarketplaceClientConfig, { modelId }: RelistParameters): Promise<RelistReturnType> {
  return setActive(client, modelId, true, 'relist')
}
