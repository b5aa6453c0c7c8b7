import type { MarketplaceClientConfig } from '../../client/types.ts'
import type { IndexerBehindError, IndexerQueryError, IndexerUnavailableError } from '../../errors/indexer.ts'
import type { InvalidInputError } from '../../errors/storage.ts'
import { type ModelRow, type ModelSummary, type ModelVersionInfo, type TokenAmount, type TokenAmountRow, type VersionRow, modelFields, toModel, toTokenAmount, toVersion, tokenFields, versionFields } from '../../indexer/models.ts'
import { type IndexedReadOptions, ensureIndexed, requireIndexer } from '../internal/indexer.ts'
import { assertId } from '../internal/validate.ts'

export type GetModelParameters = IndexedReadOptions & { modelId: bigint }
export type GetModelReturnType =
  | (ModelSummary & {
      /** Every version, oldest first. */
      versions: ModelVersionInfo[]
      creator: `0x${string}`
      /** Seller proceeds credited, one entry per token the model sold in (a repriced model can have several); never summed across tokens. */
      revenue: TokenAmount[]
      refundCount: number
      disputeCount: number
      /** Orders refunded because the buyer proved the delivered key wrong. */
      badDeliveryCount: number
      /** The commitment to the model key buyers receive; null for a free model without one. */
      keyCommitment: `0x${string}` | null
    })
  | null
export type GetModelErrorType = InvalidInputError | IndexerUnavailableError | IndexerQueryError | IndexerBehindError

/**
 * A model with its versions and totals, from the indexer; null when no such model is indexed.
 *
 * @example
 * import { getModel } from '@ai-model-marketplace/sdk'
 * const model = await getModel(client, { modelId: 1n })
 * console.log(model?.name, model?.versions.map((v) => v.semver))
 */
export async function getModel(client: MarketplaceClientConfig, parameters: GetModelParameters): Promise<GetModelReturnType> {
  const { modelId } = parameters
  assertId('modelId', modelId)
  const indexer = requireIndexer(client, 'getModel')
  await ensureIndexed(indexer, parameters)
  const { model } = await indexer.query<{
    model: (ModelRow & { versions: VersionRow[]; creator: { id: `0x${string}` }; tokenStats: (TokenAmountRow & { revenue: string })[]; refundCount: number; disputeCount: number; badDeliveryCount: number; keyCommitment: `0x${string}` | null }) | null
  }>(
    `query Model($id: ID!) { model(id: $id) { ${modelFields} creator { id } tokenStats(first: 100, orderBy: id) { ${tokenFields} revenue } refundCount disputeCount badDeliveryCount keyCommitment versions(first: 1000, orderBy: version) { ${versionFields} } } }`,
    { id: modelId.toString() },
  )
  if (!model) return null
  return {
    ...toModel(model),
    versions: model.versions.map(toVersion),
    creator: model.creator.id,
    revenue: model.tokenStats.map((t) => toTokenAmount(t, t.revenue)),
    refundCount: model.refundCount,
    disputeCount: model.disputeCount,
    badDeliveryCount: model.badDeliveryCount,
    keyCommitment: model.keyCommitment,
  }
}
