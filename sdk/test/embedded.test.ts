import { describe, expect, it } from 'vitest'
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
})
