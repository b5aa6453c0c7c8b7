import type { Blockstore } from 'interface-blockstore'
import { exporter, type UnixFSEntry } from 'ipfs-unixfs-exporter'
import { type ImporterOptions, importer, type WritableStorage } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { CID } from 'multiformats/cid'
import { BaseError } from '../errors/base.ts'
import { ContentNotFoundError, InvalidInputError } from '../errors/storage.ts'
import { toAsyncIterable, withProgress } from './source.ts'
import type { AddOptions, AddResult, ByteSource, CatOptions, CidLike, DirectoryEntry, StatResult } from './types.ts'

/** Chunk size of Kubo's default chunker (`size-262144`). */
export const UNIXFS_CHUNK_SIZE = 262_144
/** Kubo's balanced-layout fan-out. */
export const UNIXFS_MAX_CHILDREN = 174

/**
 * Importer settings that reproduce Kubo's `ipfs add --cid-version=1`: CIDv1, raw leaves, fixed
 * 256 KiB chunks, balanced DAG of at most 174 links (@helia/unixfs's own defaults differ).
 */
export function kuboImporterOptions(): ImporterOptions {
  return {
    cidVersion: 1,
    rawLeaves: true,
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: UNIXFS_CHUNK_SIZE }),
    layout: balanced({ maxChildrenPerNode: UNIXFS_MAX_CHILDREN }),
  }
}

/** A blockstore that keeps nothing: used to compute a CID without storing blocks. */
export const discardBlocks: WritableStorage = { put: async (cid) => cid }

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

/** Imports one file into `blocks` with Kubo's settings. */
export async function importFile(source: ByteSource, blocks: WritableStorage, options: AddOptions = {}): Promise<AddResult> {
  let size = 0
  const content = withProgress(toAsyncIterable(source), (p) => {
    size = p.bytes
    options.onProgress?.(p)
  }, options.totalBytes, options.signal)
  let cid: CID | undefined
  // the importer's `size` counts DAG bytes; users want the file's length
  for await (const entry of importer([{ content }], blocks, kuboImporterOptions())) cid = entry.cid
  return { cid: cid as CID, size }
}

/**
 * Imports files as one directory with Kubo's settings; the root is the directory itself, so its CID
 * equals `ipfs add -r --cid-version=1 <dir>` for a folder holding these paths.
 */
export async function importDirectory(
  entries: Iterable<DirectoryEntry> | AsyncIterable<DirectoryEntry>,
  blocks: WritableStorage,
  options: AddOptions = {},
): Promise<AddResult> {
  let bytes = 0
  let total = 0
  const report = (n: number) => {
    bytes += n
    options.onProgress?.(options.totalBytes === undefined ? { bytes } : { bytes, totalBytes: options.totalBytes })
  }
  async function* candidates() {
    for await (const entry of entries) {
      const path = normalizeEntryPath(entry.path)
      const source = entry.content
      if (source === undefined) {
        yield { path }
        continue
      }
      yield {
        path,
        content: (async function* () {
          for await (const chunk of toAsyncIterable(source)) {
            options.signal?.throwIfAborted()
            report(chunk.byteLength)
            total += chunk.byteLength
            yield chunk
          }
        })(),
      }
    }
  }
  let root: AddResult | undefined
  for await (const entry of importer(candidates(), blocks, { ...kuboImporterOptions(), wrapWithDirectory: true }))
    root = { cid: entry.cid, size: total }
  if (!root) throw new InvalidInputError('entries', 'a directory needs at least one file')
  return root
}

function normalizeEntryPath(path: string): string {
  const parts = path.replaceAll('\\', '/').split('/').filter((p) => p !== '' && p !== '.')
  if (parts.length === 0 || parts.includes('..'))
    throw new InvalidInputError('path', `"${path}" must be a relative path inside the directory`)
  return parts.join('/')
}

/** Resolves a CID (and optional path) to its UnixFS entry, mapping missing blocks to ContentNotFoundError. */
export async function resolveEntry(value: CidLike, blocks: Pick<Blockstore, 'get'>, signal?: AbortSignal): Promise<UnixFSEntry> {
  const { cid, path } = parseCidPath(value)
  try {
    return await exporter(`${cid}${path}`, blocks, { signal })
  } catch (cause) {
    throw mapReadError(cause, `${cid}${path}`)
  }
}

/** Streams a file (or byte range) out of `blocks`. */
export async function* catFile(value: CidLike, blocks: Pick<Blockstore, 'get'>, options: CatOptions = {}): AsyncGenerator<Uint8Array> {
  validateRange(options)
  const entry = await resolveEntry(value, blocks, options.signal)
  if (entry.type === 'directory') throw new InvalidInputError('cid', `${entry.cid} is a directory, not a file`)
  if (entry.type !== 'file' && entry.type !== 'raw' && entry.type !== 'identity')
    throw new InvalidInputError('cid', `${entry.cid} is not a UnixFS file`)
  const size = Number(entry.size)
  const offset = Math.min(options.offset ?? 0, size)
  const length = Math.min(options.length ?? size - offset, size - offset)
  if (length === 0) return
  let bytes = 0
  try {
    for await (const chunk of entry.content({ offset, length, signal: options.signal, blockReadConcurrency: 8 })) {
      bytes += chunk.byteLength
      options.onProgress?.({ bytes, totalBytes: length })
      yield chunk
    }
  } catch (cause) {
    throw mapReadError(cause, entry.cid.toString())
  }
}

export async function statEntry(value: CidLike, blocks: Pick<Blockstore, 'get'>, signal?: AbortSignal): Promise<StatResult> {
  const entry = await resolveEntry(value, blocks, signal)
  if (entry.type === 'directory') {
    const entries: { name: string; cid: CID }[] = []
    for (const link of entry.node.Links) entries.push({ name: link.Name ?? '', cid: link.Hash })
    return { cid: entry.cid, type: 'directory', size: 0, entries }
  }
  return { cid: entry.cid, type: 'file', size: Number(entry.size) }
}

export function validateRange(options: { offset?: number; length?: number }): void {
  for (const key of ['offset', 'length'] as const) {
    const v = options[key]
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0))
      throw new InvalidInputError(key, `must be a non-negative integer, got ${v}`)
  }
}

function mapReadError(cause: unknown, cid: string): unknown {
  if (cause instanceof BaseError) return cause
  const name = (cause as Error | undefined)?.name
  if (name === 'NotFoundError' || name === 'LoadBlockFailedError' || name === 'BadPathError')
    return new ContentNotFoundError(cid, { cause })
  return cause
}
