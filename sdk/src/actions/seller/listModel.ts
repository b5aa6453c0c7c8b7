import { type Address, type Hex, toHex } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import type { ArchiveFileSummary, ArchiveInput } from '../../crypto/archive.ts'
import { keyCommitment } from '../../crypto/delivery.ts'
import { exportModelKey } from '../../crypto/keys.ts'
import { InvalidInputError, type StoreRefusedError, type StoreUnavailableError } from '../../errors/storage.ts'
import { type ModelFieldsInput, toModelFields, validateFields } from '../internal/fields.ts'
import { type PublishProgress, addVersionArchive, validateVersionInput } from '../internal/files.ts'
import { sellerModelKey } from '../internal/keys.ts'
import { addText, writableStore } from '../internal/store.ts'
import { assertAddress, assertAmount } from '../internal/validate.ts'
import { assertChain, eventOf, read, requireAccount, write } from '../internal/write.ts'
import type { TransactionResult, WriteErrorType } from '../types.ts'

export type ListModelParameters = ModelFieldsInput & {
  /** The model's files (`{ path, size, content }`); from Node, `archiveInputsFromPath(dir)` reads a folder. */
  files: ArchiveInput[]
  /** In the payment token's smallest unit; 0 lists a free model whose files are public. */
  price: bigint
  /** An allowed ERC-20 (default: the platform token). */
  paymentToken?: Address
  /** The first version's semantic version (default `1.0.0`). */
  semver?: string
  /** Release notes (Markdown), added to the store. */
  changelog?: string
  onProgress?: (progress: PublishProgress) => void
}
export type ListModelReturnType = TransactionResult & {
  modelId: bigint
  version: 1
  /** The commitment to the model key recorded on-chain (zero for a free model). */
  keyCommitment: Hex
  /** CID of the archive as stored (encrypted unless the model is free). */
  contentCID: string
  /** sha256 and size of the plaintext archive, as recorded on-chain. */
  sha256: Hex
  size: number
  files: ArchiveFileSummary[]
  metadataURI: string
  /**
   * Set only if another listing took the model id this one was encrypted for (two listings in the
   * same block): the model key, to keep and pass to the seller agent (`importModelKey`).
   */
  exportedModelKey?: string
}
export type ListModelErrorType = WriteErrorType | StoreUnavailableError | StoreRefusedError

const ZERO_HASH: Hex = `0x${'0'.repeat(64)}`

/**
 * Lists a model: packs the files into one archive, encrypts it with the first version's key
 * (derived from the seller's wallet signature, so no key file can be lost; free models stay
 * public), adds it and the model card to the store, then registers it with the commitment to the
 * model key (`keyCommitment`), which every delivery is checked against. Every input is checked
 * before anything is uploaded or signed, and nothing is registered if the upload fails.
 *
 * @example
 * import { listModel } from '@ai-model-marketplace/sdk'
 * import { archiveInputsFromPath } from '@ai-model-marketplace/sdk/node'
 * const { modelId } = await listModel(client, {
 *   files: await archiveInputsFromPath('./my-model'),
 *   name: 'Sentiment classifier', summary: 'Reviews to 1-5 stars', tags: ['nlp', 'sentiment'],
 *   task: 'text-classification', license: 'Apache-2.0', commercialUse: true,
 *   card: { description: 'DistilBERT fine-tuned on 50k reviews.' },
 *   price: 10n ** 19n,
 * })
 */
export async function listModel(client: MarketplaceClientConfig, parameters: ListModelParameters): Promise<ListModelReturnType> {
  const { files, price, paymentToken, semver = '1.0.0', changelog, onProgress, ...fieldsInput } = parameters
  validateFields(fieldsInput)
  assertAmount('price', price)
  if (paymentToken !== undefined) assertAddress('paymentToken', paymentToken)
  validateVersionInput(files, semver, changelog)
  requireAccount(client, 'listModel')
  writableStore(client)
  await assertChain(client)

  const registry = client.deployment.contracts.ModelRegistry.address
  // Checked here, not left to the registry: a revert after the upload would waste it.
  const maxPrice = await read<bigint>(client, { contract: 'ModelRegistry', functionName: 'MAX_PRICE' })
  if (price > maxPrice) throw new InvalidInputError('price', `at most ${maxPrice} (the registry's MAX_PRICE), got ${price}`)
  // The key is bound to the model id, known only once listed: encrypt for the next id.
  const expectedId = (await read<bigint>(client, { contract: 'ModelRegistry', functionName: 'modelCount' })) + 1n
  const modelKey = price > 0n ? await sellerModelKey(client, expectedId, undefined, 'listModel') : undefined
  const { cid, summary } = await addVersionArchive(client, files, modelKey && { modelKey, version: 1 }, onProgress)
  const fields = await toModelFields(client, fieldsInput)
  const changelogURI = changelog === undefined ? '' : await addText(client, changelog)

  onProgress?.({ stage: 'registering' })
  const { hash, receipt } = await write(client, {
    contract: 'ModelRegistry',
    functionName: 'listModel',
    args: [
      fields,
      { contentCID: toHex(cid.bytes), sha256: summary.sha256, size: BigInt(summary.size), semver, changelogURI },
      paymentToken ?? client.deployment.contracts.PlatformToken.address,
      price,
      // what buyers' deliveries are checked against; none for a free model, whose files are public
      modelKey ? keyCommitment(modelKey) : ZERO_HASH,
    ],
    action: 'listModel',
  })
  const { modelId } = eventOf<{ modelId: bigint }>('ModelRegistry', 'ModelListed', receipt)
  return {
    hash,
    blockNumber: receipt.blockNumber,
    modelId,
    version: 1,
    keyCommitment: modelKey ? keyCommitment(modelKey) : ZERO_HASH,
    contentCID: cid.toString(),
    sha256: summary.sha256,
    size: summary.size,
    files: summary.files,
    metadataURI: fields.metadataURI,
    ...(modelKey && modelId !== expectedId
      ? { exportedModelKey: exportModelKey(modelKey, { chainId: client.deployment.chainId, registry, modelId }) }
      : {}),
  }
}
