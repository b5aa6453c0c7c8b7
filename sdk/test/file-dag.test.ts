import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import type { CID } from 'multiformats/cid'
import { describe, expect, it } from 'vitest'
import { buildFileDag } from '../src/storage/fileDag.ts'
import { pieces, randomBytes } from './helpers.ts'

/** Blocks kept in memory by CID; `withPieces` also takes a block as consecutive pieces, as packs do. */
function memoryStore(withPieces = false) {
  const blocks = new Map<string, Uint8Array>()
  const store = {
    blocks,
    async put(cid: CID, bytes: Uint8Array) {
      blocks.set(cid.toString(), bytes)
      return cid
    },
  }
  return withPieces ? { ...store, putPieces: async (cid: CID, parts: Uint8Array[]) => store.put(cid, Buffer.concat(parts)) } : store
}

async function* from(chunks: Iterable<Uint8Array>) {
  yield* chunks
}

describe('buildFileDag', () => {
  // tiny chunks and fan-out give three- and four-level DAGs from a few KiB
  const chunkSize = 16
  const maxChildren = 3
  const sizes = [0, 1, 15, 16, 17, 48, 49, 143, 144, 145, 432, 433, 1000, 1296, 1297, 5000]

  it('makes the blocks and CID of ipfs-unixfs-importer with Kubo settings, for every DAG shape', async () => {
    for (const size of sizes) {
      const data = randomBytes(size)
      const theirs = memoryStore()
      let expected = ''
      const options = { cidVersion: 1 as const, rawLeaves: true, reduceSingleLeafToSelf: true, chunker: fixedSize({ chunkSize }), layout: balanced({ maxChildrenPerNode: maxChildren }) }
      for await (const entry of importer([{ content: pieces(data, 5) }], theirs, options)) expected = entry.cid.toString()
      for (const withPieces of [false, true]) {
        const ours = memoryStore(withPieces)
        const cid = await buildFileDag(from(pieces(data, 7)), ours, { chunkSize, maxChildren })
        expect(cid.toString(), `size ${size}`).toBe(expected)
        expect([...ours.blocks.keys()].sort(), `size ${size}`).toEqual([...theirs.blocks.keys()].sort())
        for (const [key, block] of theirs.blocks) expect(Buffer.compare(ours.blocks.get(key) as Uint8Array, block), key).toBe(0)
      }
    }
  })

  it('reports a failing store', async () => {
    const failing = { put: async () => Promise.reject(new Error('disk full')) }
    await expect(buildFileDag(from(pieces(randomBytes(100), 10)), failing, { chunkSize, maxChildren })).rejects.toThrow('disk full')
  })
})
