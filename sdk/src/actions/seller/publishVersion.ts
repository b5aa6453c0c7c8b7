import { type Hex, toHex } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import type { ArchiveFileSummary, ArchiveInput } from '../../crypto/archive.ts'
import { matchesCommitment } from '../../crypto/delivery.ts'
import { InvalidInputError, type StoreRefusedError, type StoreUnavailableError } from '../../errors/storage.ts'
import { type PublishProgress, addVersionArchive, validateVersionInput } from '../internal/files.ts'
import { sellerModelKey } from '../internal/keys.ts'
import { addText, writableStore } from '../internal/store.ts'
import { assertId } from '../internal/validate.ts'
import { assertChain, read, requireAccount, write } from '../internal/write.ts'
import type { TransactionResult, WriteErrorType } from '../types.ts'

export type PublishVersionParameters = {
  modelId: bigint
  files: ArchiveInput[]
  semver: string
  /** Release notes (Markdown), added to the store. */
  changelog?: string
  /** The model key, for a model handed over by its previous owner (`importModelKey`); otherwise derived from the wallet. */
  modelKey?: Uint8Array
  onProgress?: (progress: PublishProgress) => void
}
export type PublishVersionReturnType = TransactionResult & {
  version: number
  contentCID: string
  sha256: Hex
  size: number
  files: ArchiveFileSummary[]
}
export type PublishVersionErrorType = WriteErrorType | StoreUnavailableError | StoreRefusedError

/**
 * Publishes the next version of a model. Its key derives from the model key, so every buyer
 * already holding a delivery can download it with no new delivery. A free model's version is public.
 *
 * @example
 * import { publishVersion } from '@ai-model-marketplace/sdk'
 * import { archiveInputsFromPath } from '@ai-model-marketplace/sdk/node'
 * const { version } = await publishVersion(client, { modelId: 1n, files: await archiveInputsFromPath('./v2'), semver: '1.1.0', changelog: 'Retrained on 80k reviews.' })
 */
export async function publishVersion(client: MarketplaceClientConfig, parameters: PublishVersionParameters): Promise<PublishVersionReturnType> {
  const { modelId, files, semver, changelog, modelKey, onProgress } = parameters
  assertId('modelId', modelId)
  validateVersionInput(files, semver, changelog)
  requireAccount(client, 'publishVersion')
  writableStore(client)
  await assertChain(client)
  const [latest, listing] = await Promise.all([
    read<number>(client, { contract: 'ModelRegistry', functionName: 'latestVersion', args: [modelId] }),
    read<{ price: bigint; keyCommitment: Hex }>(client, { contract: 'ModelRegistry', functionName: 'getListing', args: [modelId] }),
  ])
  const version = Number(latest) + 1
  const key = listing.price > 0n ? (modelKey ?? (await sellerModelKey(client, modelId, undefined, 'publishVersion'))) : undefined
  // a version under another key than the committed one could not be opened by any buyer
  if (key && BigInt(listing.keyCommitment) !== 0n && !matchesCommitment(key, listing.keyCommitment))
    throw new InvalidInputError('modelKey', `is not the key committed for model ${modelId}: buyers could not open this version`, {
      hint: 'Publish from the wallet that listed the model, or pass the key it was listed with (`importModelKey`) as `modelKey`.',
    })
  const { cid, summary } = await addVersionArchive(client, files, key && { modelKey: key, version }, onProgress)
  const changelogURI = changelog === undefined ? '' : await addText(client, changelog)
  onProgress?.({ stage: 'registering' })
  const { hash, receipt, result } = await write<number>(client, {
    contract: 'ModelRegistry',
    functionName: 'publishVersion',
    args: [modelId, { contentCID: toHex(cid.bytes), sha256: summary.sha256, size: BigInt(summary.size), semver, changelogURI }],
    action: 'publishVersion',
  })
  return { hash, blockNumber: receipt.blockNumber, version: Number(result), contentCID: cid.toString(), sha256: summary.sha256, size: summary.size, files: summary.files }
}
