import type { Address, Hex } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import { type ArchiveEntry, decryptArchive, readArchive } from '../../crypto/archive.ts'
import { matchesCommitment, unwrapDeliveryKey } from '../../crypto/delivery.ts'
import { deriveVersionKey } from '../../crypto/keys.ts'
import { BadDeliveryError, type DeliverySeedError, NotLicensedError } from '../../errors/chain.ts'
import type { IntegrityError, StoreUnavailableError } from '../../errors/storage.ts'
import { readAhead } from '../../storage/source.ts'
import type { OnProgress } from '../../storage/types.ts'
import { isPublicVersion, readVersion } from '../internal/archive.ts'
import { orderDeliveryKey } from '../internal/keys.ts'
import {
  deliveryFromLogs,
  type OnChainDelivery,
  type OnChainOrder,
  type OrderCreatedEvent,
  orderCreatedLog,
  orderCreatedLogs,
  readOrder,
} from '../internal/orders.ts'
import { assertId, assertVersion } from '../internal/validate.ts'
import { read, requireAccount } from '../internal/write.ts'
import type { WriteErrorType } from '../types.ts'

export type DownloadModelParameters = {
  modelId: bigint
  /** Default: the latest version. */
  version?: number
  /** A version key obtained otherwise (an evaluator's, from `openEvaluationRequest`); skips the license check. */
  versionKey?: Uint8Array
  /**
   * Hash the whole plaintext and check it against the version's on-chain sha256 (a second SHA-256
   * pass). Default: only when it adds something, i.e. unless the key matched the on-chain
   * commitment and the store checks every block against its CID (`verifiesBlocks`, a trustless
   * gateway): AES-GCM under a committed key then opens those exact bytes to exactly one plaintext.
   * Each file is always checked against its own digest.
   */
  verifySha256?: boolean
  onProgress?: OnProgress
}
/**
 * Where the key came from: a delivery read from the chain's logs for an order the indexer listed
 * (`indexer`) or that the logs listed (`logs`: no indexer, or it lags), none needed (public), or given.
 * The delivery itself always comes from the chain's logs, never from the indexer.
 */
export type KeySource = 'indexer' | 'logs' | 'public' | 'given'
export type DownloadModelReturnType = {
  modelId: bigint
  version: number
  keySource: KeySource
  /** The order whose delivery supplied the key. */
  orderId: bigint | undefined
  /** sha256 of the archive plaintext as recorded on-chain; checked when `entries` ends if `sha256Checked`. */
  sha256: Hex
  /** Whether the whole plaintext is hashed and checked against `sha256` (see `verifySha256`). */
  sha256Checked: boolean
  /**
   * The model's files, one after the other: read each `content` to the end before the next.
   * Each file's sha256, the authentication tags and the archive's on-chain sha256 are checked as
   * it is read; a mismatch throws IntegrityError, so treat output as final only once this ends.
   */
  entries: AsyncGenerator<ArchiveEntry>
}
export type DownloadModelErrorType = WriteErrorType | NotLicensedError | BadDeliveryError | DeliverySeedError | IntegrityError | StoreUnavailableError


/**
 * Downloads a model version: checks the buyer's license, reads the delivery from the chain's logs
 * (the indexer, when there is one, only points at the order), recovers the model key with the
 * order's secret (derived from the buyer's delivery seed and the order's salt) and checks it
 * against the commitment the order snapshotted, before any byte is fetched: a wrong key is
 * BadDeliveryError, to prove with `proveBadDelivery` for a full refund. Then streams, verifies and
 * decrypts the files. Later versions need no new delivery. From Node, `downloadModelTo(client,
 * { …, dir })` writes a folder.
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
  const content = () => readAhead(client.store.cat(recorded.cid), READ_AHEAD_BYTES)
  const options = (sha256Checked: boolean) => ({ expectedSha256: sha256Checked ? recorded.sha256 : undefined, onProgress })
  const result = { modelId, version, sha256: recorded.sha256 }
  // the store's CID checks make the plaintext unique only under a committed key (or none: public)
  const trusted = (committed: boolean) => parameters.verifySha256 ?? !(committed && client.store.verifiesBlocks === true)

  if (versionKey) {
    const sha256Checked = trusted(false)
    return { ...result, keySource: 'given', orderId: undefined, sha256Checked, entries: decryptArchive(content(), versionKey, options(sha256Checked)) }
  }
  if (await isPublicVersion(client, modelId, version)) {
    const sha256Checked = trusted(true)
    return { ...result, keySource: 'public', orderId: undefined, sha256Checked, entries: readArchive(content(), options(sha256Checked)) }
  }

  const buyer = requireAccount(client, 'downloadModel').address
  const { orderId, modelKey, source } = await deliveredKey(client, modelId, buyer)
  const sha256Checked = trusted(true)
  return {
    ...result,
    keySource: source,
    orderId,
    sha256Checked,
    entries: decryptArchive(content(), deriveVersionKey(modelKey, version), options(sha256Checked)),
  }
}

/** Bytes fetched ahead of decryption: enough to keep the connection busy while a chunk is hashed. */
const READ_AHEAD_BYTES = 8 * 1024 * 1024

const KEYED: OnChainOrder['status'][] = ['Delivered', 'Completed', 'Disputed', 'Resolved']

/** A delivered order of the buyer, with what the chain recorded for it. */
export type ChainDelivery = { order: OnChainOrder; created: OrderCreatedEvent; delivery: OnChainDelivery }

/**
 * Recovers the model key a delivery carries with the order's secret `b` (DeliverySeedError when
 * the wallet or `deliverySeed` does not derive the order's `B`). The result is what the seller
 * sent: compare it with the order's commitment.
 */
export async function openDelivery(client: MarketplaceClientConfig, { order, created, delivery }: ChainDelivery, action: string) {
  const { secret } = await orderDeliveryKey(client, { buyer: order.buyer, salt: created.keySalt, buyerDeliveryKey: created.buyerKey }, action)
  const key = unwrapDeliveryKey({
    secret,
    R: delivery.R,
    c: delivery.c,
    chainId: client.deployment.chainId,
    marketplace: client.deployment.contracts.Marketplace.address,
    orderId: order.orderId,
  })
  return { secret, key, good: matchesCommitment(key, created.keyCommitment) }
}

/** An order's delivery as the chain recorded it, or undefined while it has none. */
export async function chainDelivery(client: MarketplaceClientConfig, order: OnChainOrder): Promise<ChainDelivery | undefined> {
  const [created, delivery] = await Promise.all([orderCreatedLog(client, order.orderId), deliveryFromLogs(client, order.orderId)])
  return delivery && { order, created, delivery }
}

/**
 * The model key delivered to `buyer` for `modelId`, checked against the commitment. The on-chain
 * status decides which orders count (an indexer may be stale or lie), and every delivery is read
 * from the chain's logs; the indexer only saves scanning the logs for the buyer's orders. The newest
 * good delivery wins; when every delivery is bad, BadDeliveryError names the newest.
 */
async function deliveredKey(client: MarketplaceClientConfig, modelId: bigint, buyer: Address): Promise<{ orderId: bigint; modelKey: Uint8Array; source: 'indexer' | 'logs' }> {
  let bad: bigint | undefined
  const tryOrders = async (orderIds: bigint[]) => {
    const orders = await Promise.all(orderIds.map((id) => readOrder(client, id)))
    for (const order of orders) {
      // the indexer's answer is only a pointer: the chain says whose order it is and where it stands
      if (order.modelId !== modelId || order.buyer.toLowerCase() !== buyer.toLowerCase() || !KEYED.includes(order.status)) continue
      const found = await chainDelivery(client, order)
      if (!found) continue
      const opened = await openDelivery(client, found, 'downloadModel')
      if (opened.good) return { orderId: order.orderId, modelKey: opened.key }
      bad ??= order.orderId
    }
    return undefined
  }
  const indexed = await tryOrders(await indexedOrders(client, modelId, buyer))
  if (indexed) return { ...indexed, source: 'indexer' }
  const created = await orderCreatedLogs(client, { modelId, buyer })
  const fromLogs = await tryOrders(created.map((o) => o.orderId).reverse())
  if (fromLogs) return { ...fromLogs, source: 'logs' }
  if (bad !== undefined) throw new BadDeliveryError(bad, modelId)
  const orders = await Promise.all(created.map((o) => readOrder(client, o.orderId)))
  const reason = orders.some((o) => o.status === 'Created') ? 'not-delivered' : orders.some((o) => o.status === 'Refunded') ? 'refunded' : 'no-order'
  throw new NotLicensedError(modelId, buyer, reason)
}

/** The buyer's delivered orders the indexer knows, newest first; none when there is no indexer or it fails (the logs take over). */
async function indexedOrders(client: MarketplaceClientConfig, modelId: bigint, buyer: Address): Promise<bigint[]> {
  if (!client.indexer) return []
  try {
    const { orders } = await client.indexer.query<{ orders: { orderId: string }[] }>(
      `query Deliveries($buyer: String!, $model: String!) {
        orders(where: { buyer: $buyer, model: $model, deliveredAt_not: null }, orderBy: orderId, orderDirection: desc, first: 10) { orderId }
      }`,
      { buyer: buyer.toLowerCase(), model: modelId.toString() },
    )
    return orders.map((o) => BigInt(o.orderId))
  } catch {
    return [] // an unavailable or incompatible indexer must not block a download: the chain has everything
  }
}
