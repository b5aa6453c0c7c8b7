import type { MarketplaceClientConfig } from '../../client/types.ts'
import { type ModelFieldsInput, toModelFields, validateFields } from '../internal/fields.ts'
import { assertId } from '../internal/validate.ts'
import { write } from '../internal/write.ts'
import type { TransactionResult, WriteErrorType } from '../types.ts'

export type UpdateModelParameters = ModelFieldsInput & { modelId: bigint }
export type UpdateModelReturnType = TransactionResult & { metadataURI: string }
export type UpdateModelErrorType = WriteErrorType

/**
 * Replaces a model's searchable fields and model card. Only its owner.
 *
 * @example
 * import { updateModel } from '@ai-model-marketplace/sdk'
 * await updateModel(client, { modelId: 1n, name: 'Sentiment v2', task: 'text-classification', license: 'MIT', tags: ['nlp'] })
 */
export async function updateModel(client: MarketplaceClientConfig, parameters: UpdateModelParameters): Promise<UpdateModelReturnType> {
  const { modelId, ...input } = parameters
  assertId('modelId', modelId)
  validateFields(input)
  const fields = await toModelFields(client, input)
  const { hash, receipt } = await write(client, { contract: 'ModelRegistry', functionName: 'updateModel', args: [modelId, fields], action: 'updateModel' })
  return { hash, blockNumber: receipt.blockNumber, metadataURI: fields.metadataURI }
}
