import { CID } from 'multiformats/cid'
import { InvalidInputError } from '../errors/storage.ts'
import type { CidLike } from './types.ts'

// What every store needs without the UnixFS code, so a store that only reads (or loads that code
// on its first upload) keeps browsers' first page small.

/** Chunk size of Kubo's default chunker (`size-262144`). */
export const UNIXFS_CHUNK_SIZE = 262_144
/** Kubo's balanced-layout fan-out. */
export const UNIXFS_MAX_CHILDREN = 174

/** Splits `bafy.../a/b` into the root CID and the path inside it, validating the CID. */
export function parseCidPath(value: CidLike): { cid: CID; path: string } {
  if (typeof value !== 'string') {
    const cid = CID.asCID(value)
    if (!cid) throw new InvalidInputError('cid', 'not a CID')
    return { cid, path: '' }
  }
  const trimmed = value.replace(/^\/?ipfs\//, '').replace(/^ipfs:\/\//, '')
  const slash = trimmed.indexOf('/')
  const root = slash === -1 ? trimmed : trimmed.slice(0, slash)
  try {
    return { cid: CID.parse(root), path: slash === -1 ? '' : trimmed.slice(slash).replace(/\/+$/, '') }
  } catch (cause) {
    throw new InvalidInputError('cid', `"${value}" is not a CID`, { cause })
  }
}

export function validateRange(options: { offset?: number; length?: number }): void {
  for (const key of ['offset', 'length'] as const) {
    const v = options[key]
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0))
      throw new InvalidInputError(key, `must be a non-negative integer, got ${v}`)
  }
}
