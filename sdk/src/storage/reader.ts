import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import type { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { ContentNotFoundError, IntegrityError, InvalidInputError } from '../errors/storage.ts'

/*
 * A small UnixFS reader (files and plain directories; dag-pb and raw blocks) in place of
 * ipfs-unixfs-exporter, whose dag-cbor/dag-json support adds about 8 KiB gzipped to the browser bundle.
 */

/** Fetches one block by CID (verified or trusted, as the caller decides). */
export type GetBlock = (cid: CID, options?: { signal?: AbortSignal }) => Promise<Uint8Array>

export type UnixFSNode =
  | { kind: 'file'; cid: CID; size: number; block: Uint8Array }
  | { kind: 'directory'; cid: CID; links: { name: string; cid: CID }[] }

/** How many sibling blocks to fetch ahead while streaming a file. */
const READ_AHEAD = 8

export async function resolvePath(root: CID, path: string, getBlock: GetBlock, signal?: AbortSignal): Promise<UnixFSNode> {
  let node = await load(root, getBlock, signal)
  for (const segment of path.split('/').filter(Boolean)) {
    if (node.kind !== 'directory') throw new ContentNotFoundError(`${root}${path}`, { details: `${node.cid} is a file, it has no "${segment}"` })
    const link = node.links.find((l) => l.name === segment)
    if (!link) throw new ContentNotFoundError(`${root}${path}`, { details: `no entry "${segment}" in ${node.cid}` })
    node = await load(link.cid, getBlock, signal)
  }
  return node
}

async function load(cid: CID, getBlock: GetBlock, signal?: AbortSignal): Promise<UnixFSNode> {
  const block = await getBlock(cid, { signal })
  if (cid.code === raw.code) return { kind: 'file', cid, size: block.length, block }
  if (cid.code !== dagPb.code) throw new InvalidInputError('cid', `${cid} is neither dag-pb nor raw`)
  const { node, unixfs } = decode(cid, block)
  if (unixfs.type === 'directory')
    return { kind: 'directory', cid, links: node.Links.map((l) => ({ name: l.Name ?? '', cid: l.Hash })) }
  if (unixfs.type === 'file' || unixfs.type === 'raw') return { kind: 'file', cid, size: Number(unixfs.fileSize()), block }
  throw new InvalidInputError('cid', `${cid} is a UnixFS ${unixfs.type}, which this reader does not support`)
}

function decode(cid: CID, block: Uint8Array): { node: dagPb.PBNode; unixfs: UnixFS } {
  try {
    const node = dagPb.decode(block)
    if (!node.Data) throw new Error('no UnixFS data')
    return { node, unixfs: UnixFS.unmarshal(node.Data) }
  } catch (cause) {
    throw new IntegrityError('cid', `Block ${cid} is not a valid UnixFS node.`, { cause })
  }
}

/** Streams bytes [start, end) of a file node, fetching only the blocks that cover the range. */
export async function* readFile(
  cid: CID,
  block: Uint8Array,
  start: number,
  end: number,
  getBlock: GetBlock,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  if (cid.code === raw.code) {
    yield block.subarray(start, end)
    return
  }
  const { node, unixfs } = decode(cid, block)
  const data = unixfs.data ?? new Uint8Array(0)
  if (start < data.length) yield data.subarray(start, Math.min(end, data.length))
  // children covering the range, with their offsets inside this node
  const wanted: { cid: CID; offset: number; size: number }[] = []
  let offset = data.length
  for (const [i, link] of node.Links.entries()) {
    const size = Number(unixfs.blockSizes[i] ?? 0n)
    if (offset + size > start && offset < end) wanted.push({ cid: link.Hash, offset, size })
    offset += size
  }
  const fetches: Promise<Uint8Array>[] = []
  const fetchAt = (i: number) => {
    const child = wanted[i]
    if (child && !fetches[i]) {
      fetches[i] = getBlock(child.cid, { signal })
      fetches[i].catch(() => {}) // awaited below; avoid an unhandled rejection meanwhile
    }
  }
  for (let i = 0; i < wanted.length; i++) {
    for (let j = i; j < Math.min(wanted.length, i + READ_AHEAD); j++) fetchAt(j)
    const child = wanted[i] as { cid: CID; offset: number; size: number }
    const childBlock = await (fetches[i] as Promise<Uint8Array>)
    delete fetches[i]
    yield* readFile(child.cid, childBlock, Math.max(0, start - child.offset), Math.min(child.size, end - child.offset), getBlock, signal)
  }
}
