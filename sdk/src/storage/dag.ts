import * as dagPb from '@ipld/dag-pb'
import type { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { IntegrityError, InvalidInputError } from '../errors/storage.ts'

/** The CIDs a block links to (raw blocks have none; only sha2-256 dag-pb and raw are supported). */
export function blockLinks(cid: CID, bytes: Uint8Array): CID[] {
  if (cid.code === raw.code) return []
  if (cid.code === dagPb.code) return dagPb.decode(bytes).Links.map((link) => link.Hash)
  throw new InvalidInputError('cid', `unsupported codec 0x${cid.code.toString(16)} (only dag-pb and raw)`)
}

/** Throws IntegrityError unless `bytes` hash to `cid`. */
export async function verifyBlock(cid: CID, bytes: Uint8Array): Promise<void> {
  if (cid.multihash.code !== sha256.code)
    throw new InvalidInputError('cid', `unsupported hash 0x${cid.multihash.code.toString(16)} (only sha2-256)`)
  const digest = await sha256.digest(bytes)
  if (!equalBytes(digest.digest, cid.multihash.digest))
    throw new IntegrityError('cid', `Block ${cid} does not match its CID.`, {
      expected: cid.toString(),
      actual: `sha2-256 ${toHex(digest.digest)}`,
    })
}

/** Visits every block of a DAG once, depth first, in link order (the order a CAR file wants). */
export async function* walkDag(
  root: CID,
  getBlock: (cid: CID) => Promise<Uint8Array>,
): AsyncGenerator<{ cid: CID; bytes: Uint8Array }> {
  const seen = new Set<string>()
  const stack: CID[] = [root]
  while (stack.length) {
    const cid = stack.pop() as CID
    const key = cid.toString()
    if (seen.has(key)) continue
    seen.add(key)
    const bytes = await getBlock(cid)
    yield { cid, bytes }
    const links = blockLinks(cid, bytes)
    for (let i = links.length - 1; i >= 0; i--) stack.push(links[i] as CID)
  }
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}

export function toHex(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out
}
