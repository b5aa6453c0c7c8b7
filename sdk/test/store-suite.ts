import { CID } from 'multiformats/cid'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ContentNotFoundError, InvalidInputError } from '../src/errors/index.ts'
import type { ContentStore } from '../src/storage/types.ts'
import { collect, pieces, randomBytes, utf8 } from './helpers.ts'

export type StoreFixture = {
  store: ContentStore
  /** Re-creates the store over the same data, as after a process restart. */
  restart?: () => Promise<ContentStore>
  cleanup: () => Promise<void>
  /** Real Kubo would search the network for unknown content; skip those cases there. */
  offlineMissing?: boolean
}

/** The behaviour every ContentStore must show, run against each implementation. */
export function describeStore(name: string, create: () => Promise<StoreFixture>) {
  describe(`ContentStore: ${name}`, () => {
    let fx: StoreFixture
    const big = randomBytes(3 * 262_144 + 12_345)
    beforeAll(async () => {
      fx = await create()
    })
    afterAll(async () => {
      await fx?.cleanup()
    })

    it('adds bytes, iterables and web streams with Kubo CIDs', async () => {
      const expected = 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e'
      const a = await fx.store.add(utf8('hello world'))
      const b = await fx.store.add(
        (async function* () {
          yield utf8('hello ')
          yield utf8('world')
        })(),
      )
      const c = await fx.store.add(new Blob([utf8('hello world')]).stream())
      expect([a.cid.toString(), b.cid.toString(), c.cid.toString()]).toEqual([expected, expected, expected])
      expect(a.size).toBe(11)
    })

    it('streams a multi-block file back, whole and by byte range, reporting progress', async () => {
      const seen: number[] = []
      const { cid, size } = await fx.store.add(pieces(big, 100_000), {
        onProgress: (p) => seen.push(p.bytes),
        totalBytes: big.length,
      })
      expect(size).toBe(big.length)
      expect(seen.at(-1)).toBe(big.length)
      expect(Buffer.compare(await collect(fx.store.cat(cid)), big)).toBe(0)
      const offset = 262_144 - 10
      const part = await collect(fx.store.cat(cid, { offset, length: 300_000 }))
      expect(Buffer.compare(part, big.subarray(offset, offset + 300_000))).toBe(0)
      expect((await collect(fx.store.cat(cid, { offset: big.length + 5 }))).length).toBe(0)
      expect(await fx.store.stat(cid)).toMatchObject({ type: 'file', size: big.length })
    })

    it('adds a directory with the CID of `ipfs add -r --cid-version=1` and reads files by path', async () => {
      const { cid } = await fx.store.addDirectory([
        { path: 'mars.txt', content: utf8('Hello Mars!\n') },
        { path: 'venus.txt', content: utf8('Hello Venus!\n') },
      ])
      expect(cid.toString()).toBe('bafybeih7e5dmkyk25up5vxug4q3hrg2fxbzf23dfrac2fns5h7z4aa7ioi')
      expect(new TextDecoder().decode(await collect(fx.store.cat(`${cid}/venus.txt`)))).toBe('Hello Venus!\n')
      const stat = await fx.store.stat(cid)
      expect(stat.type).toBe('directory')
      expect(stat.entries?.map((e) => e.name)).toEqual(['mars.txt', 'venus.txt'])
      await expect(collect(fx.store.cat(cid))).rejects.toBeInstanceOf(InvalidInputError)
    })

    it('pins on add by default, and pins, unpins and lists on request', async () => {
      const pinned = await fx.store.add(utf8('pinned by default'))
      const loose = await fx.store.add(utf8('not pinned'), { pin: false })
      const list = async () => {
        const out: string[] = []
        for await (const cid of fx.store.pins()) out.push(cid.toString())
        return out
      }
      expect(await list()).toContain(pinned.cid.toString())
      expect(await list()).not.toContain(loose.cid.toString())
      await fx.store.pin(loose.cid)
      expect(await list()).toContain(loose.cid.toString())
      await fx.store.unpin(pinned.cid)
      expect(await list()).not.toContain(pinned.cid.toString())
      expect(await fx.store.has(loose.cid)).toBe(true)
    })

    it('rejects a source that yields something other than bytes, and an aborted add', async () => {
      const bad = (async function* () {
        yield utf8('fine')
        yield 'not bytes' as unknown as Uint8Array
      })()
      await expect(fx.store.add(bad)).rejects.toBeInstanceOf(InvalidInputError)
      const controller = new AbortController()
      const slow = (async function* () {
        yield utf8('first')
        controller.abort()
        yield utf8('second')
      })()
      await expect(fx.store.add(slow, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' })
    })

    it('rejects malformed CIDs before any request', async () => {
      await expect(collect(fx.store.cat('not-a-cid'))).rejects.toBeInstanceOf(InvalidInputError)
      await expect(fx.store.stat('bafy???')).rejects.toBeInstanceOf(InvalidInputError)
      await expect(collect(fx.store.cat(CID.parse('bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e'), { offset: -1 }))).rejects.toBeInstanceOf(InvalidInputError)
    })

    it('reports unknown content as missing', async (ctx) => {
      if (fx.offlineMissing === false) ctx.skip()
      const unknown = CID.parse('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')
      expect(await fx.store.has(unknown)).toBe(false)
      await expect(collect(fx.store.cat(unknown))).rejects.toBeInstanceOf(ContentNotFoundError)
      await expect(fx.store.pin(unknown)).rejects.toBeInstanceOf(ContentNotFoundError)
    })

    it('keeps data and pins across a restart', async (ctx) => {
      if (!fx.restart) ctx.skip()
      const { cid } = await fx.store.add(big)
      const again = await (fx.restart as () => Promise<ContentStore>)()
      fx.store = again
      expect(Buffer.compare(await collect(again.cat(cid)), big)).toBe(0)
      const pins: string[] = []
      for await (const p of again.pins()) pins.push(p.toString())
      expect(pins).toContain(cid.toString())
    })
  })
}
