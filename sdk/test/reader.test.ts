import type { CID } from 'multiformats/cid'
import { describe, expect, it } from 'vitest'
import { ContentNotFoundError, IntegrityError } from '../src/errors/index.ts'
import { catFile, importFile, statEntry } from '../src/storage/unixfs.ts'
import { collect, deterministicBytes, memoryBlocks } from './helpers.ts'

describe('UnixFS reader', () => {
  it('reads ranges of a two-level file (175 leaves) and the whole of it', async () => {
    const size = 175 * 262_144 + 1000
    const data = await collect(deterministicBytes(size, 'reader'))
    const { blocks, put } = memoryBlocks()
    const { cid } = await importFile(data, { put })
    const fetched: string[] = []
    const getBlock = async (c: CID) => {
      fetched.push(c.toString())
      const b = blocks.get(c.toString())
      if (!b) throw new ContentNotFoundError(c.toString())
      return b
    }
    expect(await statEntry(cid, getBlock)).toMatchObject({ type: 'file', size })
    const edge = 174 * 262_144 - 7 // crosses from the first subtree into the second
    fetched.length = 0
    const part = await collect(catFile(cid, getBlock, { offset: edge, length: 20 }))
    expect(Buffer.compare(part, data.subarray(edge, edge + 20))).toBe(0)
    expect(fetched.length).toBeLessThanOrEqual(5) // root, two inner nodes, two leaves
    expect(Buffer.compare(await collect(catFile(cid, getBlock)), data)).toBe(0)
    // a missing leaf is reported, not silently skipped
    blocks.delete([...blocks.keys()].find((k) => k.startsWith('bafkrei')) as string)
    await expect(collect(catFile(cid, getBlock))).rejects.toBeInstanceOf(ContentNotFoundError)
    // a root that is not UnixFS is an integrity failure
    blocks.set(cid.toString(), new Uint8Array([1, 2, 3]))
    await expect(statEntry(cid, getBlock)).rejects.toBeInstanceOf(IntegrityError)
  })
})
