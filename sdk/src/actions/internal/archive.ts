import { CID } from 'multiformats/cid'
import { type Hex, hexToBytes } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import { IntegrityError } from '../../errors/storage.ts'
import { read } from './write.ts'

/** A version as the registry records it. */
export type OnChainVersion = { version: number; cid: CID; sha256: Hex; size: bigint; publishedAt: bigint; deprecatedBy: number }

export async function readVersion(client: MarketplaceClientConfig, modelId: bigint, version: number): Promise<OnChainVersion> {
  const v = await read<{ contentCID: Hex; sha256: Hex; size: bigint; publishedAt: bigint; deprecatedBy: number }>(client, {
    contract: 'ModelRegistry',
    functionName: 'getVersion',
    args: [modelId, version],
  })
  let cid: CID
  try {
    cid = CID.decode(hexToBytes(v.contentCID))
  } catch (cause) {
    throw new IntegrityError('cid', `Version ${version} of model ${modelId} carries an invalid CID.`, { cause })
  }
  return { version, cid, sha256: v.sha256, size: v.size, publishedAt: v.publishedAt, deprecatedBy: Number(v.deprecatedBy) }
}

// A public version is a plain model archive; an encrypted one starts with the STREAM header.
const PLAIN_MAGIC = new TextEncoder().encode('AMMARCH1')

/** Whether a version's files are public (a free model's plain archive) rather than encrypted; reads 8 bytes. */
export async function isPublicVersion(client: MarketplaceClientConfig, modelId: bigint, version: number): Promise<boolean> {
  const { cid } = await readVersion(client, modelId, version)
  return startsWithPlainMagic(client.store.cat(cid, { length: PLAIN_MAGIC.length }))
}

export async function startsWithPlainMagic(source: AsyncIterable<Uint8Array>): Promise<boolean> {
  const head: number[] = []
  for await (const chunk of source) {
    head.push(...chunk.subarray(0, PLAIN_MAGIC.length - head.length))
    if (head.length >= PLAIN_MAGIC.length) break
  }
  return PLAIN_MAGIC.every((b, i) => head[i] === b)
}
