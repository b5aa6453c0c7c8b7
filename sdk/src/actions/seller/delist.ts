import type { MarketplaceClientConfig } from '../../client/types.ts'
import { assertId } from '../internal/validate.ts'
import { write } from '../internal/write.ts'
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

/** Shared by delist and relist: the registry's one switch. */
export async function setActive(client: MarketplaceClientConfig, modelId: bigint, active: boolean, action: string): Promise<TransactionResult> {
  assertId('modelId', modelId)
  const { hash, receipt } = await write(client, { contract: 'ModelRegistry', functionName: 'setActive', args: [modelId, active], action })
  return { hash, blockNumber: receipt.blockNumber }
}
