import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import type { WritableStorage } from 'ipfs-unixfs-importer'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { create as createDigest } from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'
import { concatBytes } from '../crypto/bytes.ts'
import { createSha256 } from '../crypto/primitives.ts'

/*
 * One file's UnixFS DAG as ipfs-unixfs-importer's balanced layout builds it with raw leaves and
 * reduceSingleLeafToSelf (Kubo's `ipfs add --cid-version=1`), in one streaming pass: same blocks,
 * same CIDs, without the importer's generic batching, progress events and buffer lists, which cost
 * about as much CPU as hashing the blocks.
 *
 *   leaves  = the content cut into `chunkSize` pieces (one empty leaf for empty content)
 *   level 1 = a dag-pb file node per run of `maxChildren` leaves, level 2 per run of level-1 nodes, …
 *   root    = the first level holding one node (the leaf itself for a one-leaf file)
 */

/** A blockstore that also writes a block given as consecutive pieces (the embedded store's packs). */
export type PieceStorage = WritableStorage & { putPieces(cid: CID, pieces: Uint8Array[], length: number): Promise<CID> }

type Node = { cid: CID; /** content bytes under it */ fileSize: number; /** bytes of its DAG (link Tsize) */ dagSize: number }

/** Blocks written at once, so the store's writes overlap the hashing of the next leaves. */
const WRITE_WINDOW = 8

export async function buildFileDag(
  source: AsyncIterable<Uint8Array>,
  blocks: WritableStorage,
  { chunkSize, maxChildren }: { chunkSize: number; maxChildren: number },
): Promise<CID> {
  const writes: Promise<unknown>[] = []
  const track = async (write: Promise<unknown>) => {
    write.catch(() => {}) // awaited below, in order
    writes.push(write)
    if (writes.length >= WRITE_WINDOW) await writes.shift()
  }
  const put = (cid: CID, bytes: Uint8Array) => track(Promise.resolve(blocks.put(cid, bytes)))
  // levels[k] holds the nodes of level k not yet under a parent; counts[k] every node made there
  const levels: Node[][] = [[]]
  const counts: number[] = [0]
  const addNode = async (level: number, node: Node) => {
    levels[level] ??= []
    counts[level] = (counts[level] ?? 0) + 1
    const pending = levels[level] as Node[]
    pending.push(node)
    if (pending.length === maxChildren) await addNode(level + 1, await parent(levels.splice(level, 1, [])[0] as Node[]))
  }
  const parent = async (children: Node[]): Promise<Node> => {
    const unixfs = new UnixFS({ type: 'file' })
    for (const child of children) unixfs.addBlockSize(BigInt(child.fileSize))
    const block = dagPb.encode(
      dagPb.prepare({ Data: unixfs.marshal(), Links: children.map((c) => ({ Name: '', Tsize: c.dagSize, Hash: c.cid })) }),
    )
    const cid = CID.createV1(dagPb.code, await sha256.digest(block))
    await put(cid, block)
    const fileSize = children.reduce((n, c) => n + c.fileSize, 0)
    return { cid, fileSize, dagSize: children.reduce((n, c) => n + c.dagSize, block.length) }
  }
  // a leaf spanning several source chunks is hashed piece by piece and, where the store takes
  // pieces, written without first being copied into one buffer
  const piecewise = 'putPieces' in blocks ? (blocks as PieceStorage) : undefined
  const leaf = async (parts: Uint8Array[], length: number) => {
    let cid: CID
    if (parts.length === 1 || !piecewise) {
      const bytes = parts.length === 1 ? (parts[0] as Uint8Array) : concatBytes(...parts)
      cid = CID.createV1(raw.code, await sha256.digest(bytes))
      await put(cid, bytes)
    } else {
      const hash = createSha256()
      for (const part of parts) hash.update(part)
      cid = CID.createV1(raw.code, createDigest(sha256.code, hash.digest()))
      await track(piecewise.putPieces(cid, parts, length))
    }
    await addNode(0, { cid, fileSize: length, dagSize: length })
  }

  const parts: Uint8Array[] = []
  let fill = 0
  for await (const data of source) {
    for (let offset = 0; offset < data.length; ) {
      const n = Math.min(chunkSize - fill, data.length - offset)
      parts.push(n === data.length ? data : data.subarray(offset, offset + n))
      fill += n
      offset += n
      if (fill === chunkSize) {
        await leaf(parts.splice(0), fill)
        fill = 0
      }
    }
  }
  if (fill > 0 || counts[0] === 0) await leaf(parts.splice(0), fill)

  let root: Node | undefined
  for (let level = 0; !root; level++) {
    const pending = levels[level] ?? []
    if (counts[level] === 1) root = pending[0]
    else if (pending.length) await addNode(level + 1, await parent(pending.splice(0)))
  }
  for (const write of writes) await write
  return (root as Node).cid
}
