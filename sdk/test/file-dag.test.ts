import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { describe, expect, it } from 'vitest'
import { buildFileDag } from '../src/storage/fileDag.ts'
import { memoryBlocks, pieces, randomBytes } from './helpers.ts'

describe('buildFileDag', () => {
  // tiny chunks and fan-out give three- and four-level DAGs from a few KiB
  const chunkSize = 16
  const maxChildren = 3
  const sizes = [0, 1, 15, 16, 17, 48, 49, 143, 144, 145, 432, 433, 1000, 1296, 1297, 5000]

  it('makes the blocks and CID of ipfs-unixfs-importer with Kubo settings, for every DAG shape', async () => {
    for (const size of sizes) {
      const data = randomBytes(size)
      const ours = memoryBlocks()
      const theirs = memoryBlocks()
      const cid = await buildFileDag(
        (async function* () {
          yield* pieces(data, 7)
        })(),
        ours,
        { chunkSize, maxChildren },
      )
      let expected = ''
      const options = { cidVersion: 1 as const, rawLeaves: true, reduceSingleLeafToSelf: true, chunker: fixedSize({ chunkSize }), layout: balanced({ maxChildrenPerNode: maxChildren }) }
      for await (const entry of importer([{ content: pieces(data, 5) }], theirs, options)) expected = entry.cid.toString()
      expect(cid.toString(), `size ${size}`).toBe(expected)
      expect([...ours.blocks.keys()].sort(), `size ${size}`).toEqual([...theirs.blocks.keys()].sort())
    }
  })

  it('reports a failing store', async () => {
    const failing = { put: async () => Promise.reject(new Error('disk full')) }
    await expect(buildFileDag(pieces(randomBytes(100), 10), failing, { chunkSize, maxChildren })).rejects.toThrow('disk full')
  })
})
