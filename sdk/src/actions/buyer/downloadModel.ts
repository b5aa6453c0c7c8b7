import type { Address, Hex } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import { type ArchiveEntry, decryptArchive, readArchive } from '../../crypto/archive.ts'
import { deriveVersionKey, unwrapKey } from '../../crypto/keys.ts'
import { NotLicensedError } from '../../errors/chain.ts'
import type { IntegrityError, StoreUnavailableError } from '../../errors/storage.ts'
import { readAhead } from '../../storage/source.ts'
import type { OnProgress } from '../../storage/types.ts'
import { isPublicVersion, readVersion } from '../internal/archive.ts'
import { buyerKeyPair } from '../internal/keys.ts'
import { type OnChainOrder, orderCreatedLogs, readOrder, wrappedKeyFromLogs } from '../internal/orders.ts'
import { assertId, assertVersion } from '../internal/validate.ts'
import { read, requireAccount } from '../internal/write.ts'
import type { WriteErrorType } from '../types.ts'

export type DownloadModelParameters = {
  modelId: bigint
  /** Default: the latest version. */
  version?: number
  /** A version key obtained otherwise (an evaluator's, from `openEvaluationRequest`); skips the license check. */
  versionKey?: Uint8Array
  onProgress?: OnProgress
}
/** Where the key came from: the indexer, the chain's logs (indexer absent or behind), none needed (public), or given. */
export type KeySource = 'indexer' | 'logs' | 'public' | 'given'
export type DownloadModelReturnType = {
  modelId: bigint
  version: number
  keySource: KeySource
  /** The order whose delivery supplied the key. */
  orderId: bigint | undefined
  /** sha256 of the archive plaintext as recorded on-chain; checked when `entries` ends. */
  sha256: Hex
  /**
   * The model's files, one after the other: read each `content` to the end before the next.
   * Each file's sha256, the authentication tags and the archive's on-chain sha256 are checked as
   * it is read; a mismatch throws IntegrityError, so treat output as final only once this ends.
   */
  entries: AsyncGenerator<ArchiveEntry>
}
export type DownloadModelErrorType = WriteErrorType | NotLicensedError | IntegrityError | StoreUnavailableError

const KEYED: OnChainOrder['status'][] = ['Delivered', 'Completed', 'Disputed', 'Resolved']

/**
 * Downloads a model version: checks the buyer's license, finds the wrapped key (from the indexer,
 * or from the chain's logs when the indexer lags or is absent), unwraps it with the key derived
 * from the wallet's signature, then streams, verifies and decrypts the files. Later versions need
 * no new delivery. From Node, `downloadModelTo(client, { …, dir })` writes a folder.
 *
 * @example
 * import { downloadModel } from '@ai-model-marketplace/sdk'
 * const { entries } = await downloadModel(client, { modelId: 1n })
 * for await (const file of entries) {
 *   const chunks = []
 *   for await (const chunk of file.content) chunks.push(chunk)
 *   console.log(file.path, file.size)
 * }
 */
export async function downloadModel(client: MarketplaceClientConfig, parameters: DownloadModelParameters): Promise<DownloadModelReturnType> {
  const { modelId, versionKey, onProgress } = parameters
  assertId('modelId', modelId)
  if (parameters.version !== undefined) assertVersion('version', parameters.version)
  const version = parameters.version ?? Number(await read<number>(client, { contract: 'ModelRegistry', functionName: 'latestVersion', args: [modelId] }))
  const recorded = await readVersion(client, modelId, version)
  const options = { expectedSha256: recorded.sha256, onProgress }
  const result = { modelId, version, sha256: recorded.sha256 }
  const content = () => readAhead(client.store.cat(recorded.cid), READ_AHEAD_BYTES)

  if (versionKey) return { ...result, keySource: 'given', orderId: undefined, entries: decryptArchive(content(), versionKey, options) }
  if (await isPublicVersion(client, modelId, version))
    return { ...result, keySource: 'public', orderId: undefined, entries: readArchive(content(), options) }

  const buyer = requireAccount(client, 'downloadModel').address
  const found = await findDelivery(client, modelId, buyer)
  const { privateKey } = await buyerKeyPair(client, 'downloadModel')
  const modelKey = await unwrapKey({
    wrappedKey: found.wrappedKey,
    privateKey,
    chainId: client.deployment.chainId,
    marketplace: client.deployment.contracts.Marketplace.address,
    modelId,
    buyer,
  })
  return {
    ...result,
    keySource: found.source,
    orderId: found.orderId,
    entries: decryptArchive(content(), deriveVersionKey(modelKey, version), options),
  }
}

/** Bytes fetched ahead of decryption: enough to keep the connection busy while a chunk is hashed. */
const READ_AHEAD_BYTES = 8 * 1024 * 1024

/**
 * The buyer's delivered order for a model and its wrapped key. The on-chain status decides (an
 * indexer may be stale); the key comes from the indexer when it has it, else from the logs.
 */
async function findDelivery(client: MarketplaceClientConfig, modelId: bigint, buyer: Address): Promise<{ orderId: bigint; wrappedKey: Hex; source: 'indexer' | 'logs' }> {
  const indexed = await indexedDeliveries(client, modelId, buyer)
  for (const { orderId, wrappedKey } of indexed) {
    if (KEYED.includes((await readOrder(client, orderId)).status)) return { orderId, wrappedKey, source: 'indexer' }
  }
  const created = await orderCreatedLogs(client, { modelId, buyer })
  const orders = await Promise.all(created.map((o) => readOrder(client, o.orderId)))
  for (const order of orders.reverse()) {
    if (!KEYED.includes(order.status)) continue
    const wrappedKey = await wrappedKeyFromLogs(client, order.orderId)
    if (wrappedKey) return { orderId: order.orderId, wrappedKey, source: 'logs' }
  }
  const reason = orders.some((o) => o.status === 'Created') ? 'not-delivered' : orders.some((o) => o.status === 'Refunded') ? 'refunded' : 'no-order'
  throw new NotLicensedError(modelId, buyer, reason)
}

/** Delivered orders the indexer knows, newest first; none when there is no indexer or it fails (the logs take over). */
async function indexedDeliveries(client: MarketplaceClientConfig, modelId: bigint, buyer: Address): Promise<{ orderId: bigint; wrappedKey: Hex }[]> {
  if (!client.indexer) return []
  try {
    const { orders } = await client.indexer.query<{ orders: { orderId: string; wrappedKey: Hex }[] }>(
      `query Deliveries($buyer: String!, $model: String!) {
        orders(where: { buyer: $buyer, model: $model, wrappedKey_not: null }, orderBy: orderId, orderDirection: desc, first: 10) { orderId wrappedKey }
      }`,
      { buyer: buyer.toLowerCase(), model: modelId.toString() },
    )
    return orders.map((o) => ({ orderId: BigInt(o.orderId), wrappedKey: o.wrappedKey }))
  } catch {
    return [] // an unavailable or incompatible indexer must not block a download: the chain has everything
  }
}
