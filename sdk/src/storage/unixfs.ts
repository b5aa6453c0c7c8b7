import { type ImporterOptions, importer, type WritableStorage } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { IntegrityError, InvalidInputError } from '../errors/storage.ts'
import { parseCidPath, UNIXFS_CHUNK_SIZE, UNIXFS_MAX_CHILDREN, validateRange } from './common.ts'
import { buildFileDag } from './fileDag.ts'
import { type GetBlock, readFile, resolvePath } from './reader.ts'
import { toAsyncIterable, withProgress } from './source.ts'
import type { AddOptions, AddResult, ByteSource, CatOptions, CidLike, DirectoryEntry, StatResult } from './types.ts'

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
    // Kubo's default directory sharding: HAMT above 256 KiB of link names + CIDs
    shardSplitStrategy: 'links-bytes',
    shardSplitThresholdBytes: 262_144,
  }
}

/** A blockstore that keeps nothing: used to compute a CID without storing blocks. */
export const discardBlocks: WritableStorage = { put: async (cid) => cid }

/** Imports one file into `blocks` with Kubo's settings. */
export async function importFile(source: ByteSource, blocks: WritableStorage, options: AddOptions = {}): Promise<AddResult> {
  let size = 0
  const content = withProgress(toAsyncIterable(source), (p) => {
    size = p.bytes
    options.onProgress?.(p)
  }, options.totalBytes, options.signal)
  const cid = await buildFileDag(content, blocks, { chunkSize: UNIXFS_CHUNK_SIZE, maxChildren: UNIXFS_MAX_CHILDREN })
  return { cid, size }
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

/** Streams a file (or byte range) out of blocks fetched with `getBlock`. */
export async function* catFile(value: CidLike, getBlock: GetBlock, options: CatOptions = {}): AsyncGenerator<Uint8Array> {
  validateRange(options)
  const { cid, path } = parseCidPath(value)
  const node = await resolvePath(cid, path, getBlock, options.signal)
  if (node.kind === 'directory') throw new InvalidInputError('cid', `${node.cid} is a directory, not a file`)
  const offset = Math.min(options.offset ?? 0, node.size)
  const length = Math.min(options.length ?? node.size - offset, node.size - offset)
  if (length === 0) return
  let bytes = 0
  for await (const chunk of readFile(node.cid, node.block, offset, offset + length, getBlock, options.signal)) {
    if (!chunk.length) continue
    bytes += chunk.length
    options.onProgress?.({ bytes, totalBytes: length })
    yield chunk
  }
  if (bytes !== length) throw new IntegrityError('cid', `File ${node.cid} is shorter than its UnixFS size.`, { expected: String(length), actual: String(bytes) })
}

export async function statEntry(value: CidLike, getBlock: GetBlock, signal?: AbortSignal): Promise<StatResult> {
  const { cid, path } = parseCidPath(value)
  const node = await resolvePath(cid, path, getBlock, signal)
  if (node.kind === 'directory') return { cid: node.cid, type: 'directory', size: 0, entries: node.links }
  return { cid: node.cid, type: 'file', size: node.size }
}
