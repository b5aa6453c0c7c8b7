import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ContentNotFoundError } from '../src/errors/index.ts'
import { embeddedStore } from '../src/storage/node/embedded.ts'
import { CarBlockIterator } from '@ipld/car/iterator'
import { collect, randomBytes, tempDir, utf8 } from './helpers.ts'
import { describeStore } from './store-suite.ts'

describeStore('embeddedStore', async () => {
  const { dir, cleanup } = await tempDir()
  let store = embeddedStore({ dir })
  return {
    store,
    // a new instance over the same folder stands for a new process
    restart: async () => {
      await store.close()
      store = embeddedStore({ dir })
      return store
    },
    cleanup: async () => {
      await store.close()
      await cleanup()
    },
  }
})

describe('embeddedStore extras', () => {
  it('exports a CAR file holding every block of the DAG, and gc keeps only pinned blocks', async () => {
    const { dir, cleanup } = await tempDir()
    const store = embeddedStore({ dir })
    try {
      const data = randomBytes(600_000)
      const { cid } = await store.add(data)
      const loose = await store.add(utf8('garbage'), { pin: false })
      const car = await collect(store.exportCar(cid))
      const reader = await CarBlockIterator.fromBytes(car)
      expect((await reader.getRoots()).map(String)).toEqual([cid.toString()])
      let n = 0
      for await (const _ of reader) n++
      expect(n).toBe(4) // root + 3 raw leaves of 256 KiB
      expect(await store.gc()).toBe(1)
      expect(await store.has(loose.cid)).toBe(false)
      expect(Buffer.compare(await collect(store.cat(cid)), data)).toBe(0)
    } finally {
      await store.close()
      await cleanup()
    }
  })

  it('gc keeps the pinned part of a partly pinned add, rewriting its pack', async () => {
    const { dir, cleanup } = await tempDir()
    const store = embeddedStore({ dir })
    try {
      const a = randomBytes(300_000)
      const { cid: root } = await store.addDirectory(
        [
          { path: 'a.bin', content: a },
          { path: 'b.txt', content: utf8('dropped') },
        ],
        { pin: false },
      )
      const entries = (await store.stat(root)).entries ?? []
      const aCid = entries.find((e) => e.name === 'a.bin')?.cid
      const bCid = entries.find((e) => e.name === 'b.txt')?.cid
      if (!aCid || !bCid) throw new Error('directory entries missing')
      await store.pin(aCid)
      expect(await store.gc()).toBe(2) // the directory node and b.txt
      expect(await store.has(root)).toBe(false)
      expect(await store.has(bCid)).toBe(false)
      expect(Buffer.compare(await collect(store.cat(aCid)), a)).toBe(0)
      await store.close()
      const reopened = embeddedStore({ dir })
      expect(Buffer.compare(await collect(reopened.cat(aCid)), a)).toBe(0)
      await reopened.close()
    } finally {
      await store.close()
      await cleanup()
    }
  })

  it('a failed add leaves no blocks behind, and another instance sees new adds without a restart', async () => {
    const { dir, cleanup } = await tempDir()
    const writer = embeddedStore({ dir })
    const reader = embeddedStore({ dir })
    try {
      expect(await reader.has('bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e')).toBe(false)
      const failing = (async function* () {
        yield randomBytes(600_000)
        throw new Error('source died')
      })()
      await expect(writer.add(failing)).rejects.toThrow('source died')
      expect(await readdir(join(dir, 'packs'))).toEqual([])
      const { cid } = await writer.add(utf8('hello world'))
      expect(new TextDecoder().decode(await collect(reader.cat(cid)))).toBe('hello world')
      await writer.unpin(cid)
      expect(await writer.gc()).toBe(1)
      const fresh = embeddedStore({ dir })
      await expect(collect(fresh.cat(cid))).rejects.toBeInstanceOf(ContentNotFoundError)
      await fresh.close()
    } finally {
      await writer.close()
      await reader.close()
      await cleanup()
    }
  })
})
