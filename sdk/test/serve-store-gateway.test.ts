import { createVerifiedFetch } from '@helia/verified-fetch'
import { fallbackRouter } from '@helia/fallback-router'
import { withHTTP } from '@helia/http'
import { CarBlockIterator } from '@ipld/car'
import { createHeliaLight } from 'helia'
import type { CID } from 'multiformats/cid'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serveStore } from '../src/node/serve-store/index.ts'
import { IMMUTABLE } from '../src/node/serve-store/gateway.ts'
import { verifyBlock, walkDag } from '../src/storage/dag.ts'
import { gatewayReader } from '../src/storage/gateway.ts'
import { embeddedStore } from '../src/storage/node/embedded.ts'
import { discardBlocks, importFile } from '../src/storage/unixfs.ts'
import { collect, randomBytes, tempDir, utf8 } from './helpers.ts'

let service: Awaited<ReturnType<typeof serveStore>>
let store: ReturnType<typeof embeddedStore>
let cleanup: () => Promise<void>
const big = randomBytes(700_000) // three 256 KiB leaves under one dag-pb root
let fileCid: CID
let folderCid: CID

beforeAll(async () => {
  const temp = await tempDir('amm-serve-store-gateway-')
  cleanup = temp.cleanup
  store = embeddedStore({ dir: temp.dir })
  fileCid = (await store.add(big)).cid
  folderCid = (await store.addDirectory([
    { path: 'card.md', content: utf8('# model') },
    { path: 'weights/w.bin', content: big },
  ])).cid
  service = await serveStore(store, { auth: { domain: 'app.example', chainId: 31337 } })
})
afterAll(async () => {
  await service.close()
  await store.close()
  await cleanup()
})

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => fetch(`${service.url}${path}`, { headers, method })

describe('serveStore trustless gateway', () => {
  it('serves a raw block by ?format=raw and by Accept, immutable, with an ETag, and HEAD without a body', async () => {
    for (const response of [await get(`/ipfs/${fileCid}?format=raw`), await get(`/ipfs/${fileCid}`, { accept: 'application/vnd.ipld.raw' })]) {
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('application/vnd.ipld.raw')
      expect(response.headers.get('cache-control')).toBe(IMMUTABLE)
      expect(response.headers.get('etag')).toBe(`"${fileCid}.raw"`)
      const bytes = new Uint8Array(await response.arrayBuffer())
      await verifyBlock(fileCid, bytes)
    }
    const head = await get(`/ipfs/${fileCid}?format=raw`, {}, 'HEAD')
    expect(head.status).toBe(200)
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0)
    expect((await head.arrayBuffer()).byteLength).toBe(0)
    const cached = await get(`/ipfs/${fileCid}?format=raw`, { 'if-none-match': `"${fileCid}.raw"` })
    expect(cached.status).toBe(304)
  })

  it('answers byte ranges of a block (206) and refuses an unsatisfiable one (416)', async () => {
    const leaf = (await import('../src/storage/dag.ts')).blockLinks(fileCid, await store.getBlock(fileCid))[0] as CID
    const part = await get(`/ipfs/${leaf}?format=raw`, { range: 'bytes=10-19' })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe('bytes 10-19/262144')
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(big.subarray(10, 20))
    const suffix = await get(`/ipfs/${leaf}?format=raw`, { range: 'bytes=-4' })
    expect(new Uint8Array(await suffix.arrayBuffer())).toEqual(big.subarray(262_140, 262_144))
    const outside = await get(`/ipfs/${leaf}?format=raw`, { range: 'bytes=262144-' })
    expect(outside.status).toBe(416)
    expect(outside.headers.get('content-range')).toBe('bytes */262144')
  })

  it('streams a CAR of the whole DAG (depth first, no duplicates), of a path, and of one block', async () => {
    const response = await get(`/ipfs/${folderCid}`, { accept: 'application/vnd.ipld.car; version=1' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/vnd.ipld.car; version=1; order=dfs; dups=n')
    expect(response.headers.get('cache-control')).toBe(IMMUTABLE)
    expect(response.headers.get('etag')).toBeTruthy()
    const car = await CarBlockIterator.fromBytes(new Uint8Array(await response.arrayBuffer()))
    expect((await car.getRoots()).map(String)).toEqual([folderCid.toString()])
    const got: string[] = []
    for await (const block of car) {
      await verifyBlock(block.cid, block.bytes)
      got.push(block.cid.toString())
    }
    const expected: string[] = []
    for await (const { cid } of walkDag(folderCid, (c) => store.getBlock(c))) expected.push(cid.toString())
    expect(got).toEqual(expected)

    const path = await CarBlockIterator.fromBytes(new Uint8Array(await (await get(`/ipfs/${folderCid}/weights/w.bin?format=car`)).arrayBuffer()))
    const pathBlocks: string[] = []
    for await (const block of path) pathBlocks.push(block.cid.toString())
    const weights = (await store.stat(folderCid)).entries?.find((e) => e.name === 'weights')?.cid as CID
    expect(pathBlocks.slice(0, 3)).toEqual([folderCid.toString(), weights.toString(), fileCid.toString()])
    expect(pathBlocks).toHaveLength(2 + 4) // the path, then the file's root and three leaves

    const one = await CarBlockIterator.fromBytes(new Uint8Array(await (await get(`/ipfs/${fileCid}?format=car&dag-scope=block`)).arrayBuffer()))
    const only: string[] = []
    for await (const block of one) only.push(block.cid.toString())
    expect(only).toEqual([fileCid.toString()])
  })

  it('answers errors as the specs say: 400 bad CID or format, 404 absent, 406 no verifiable type asked, 405 other methods', async () => {
    expect((await get('/ipfs/not-a-cid?format=raw')).status).toBe(400)
    expect((await get(`/ipfs/${fileCid}?format=tar`)).status).toBe(400)
    const { cid: absent } = await importFile(randomBytes(100), discardBlocks)
    expect((await get(`/ipfs/${absent}?format=raw`)).status).toBe(404)
    expect((await get(`/ipfs/${absent}?format=car`)).status).toBe(404)
    expect((await get(`/ipfs/${fileCid}`)).status).toBe(406)
    expect((await get(`/ipfs/${fileCid}`, { accept: 'text/html' })).status).toBe(406)
    expect((await fetch(`${service.url}/ipfs/${fileCid}`, { method: 'POST' })).status).toBe(405)
  })

  it("is read by the SDK's gatewayReader, ranges included", async () => {
    const reader = gatewayReader({ url: service.url })
    expect(Buffer.from(await collect(reader.cat(`${folderCid}/weights/w.bin`)))).toEqual(Buffer.from(big))
    expect(Buffer.from(await collect(reader.cat(fileCid, { offset: 300_000, length: 1000 })))).toEqual(Buffer.from(big.subarray(300_000, 301_000)))
    expect(await reader.has(folderCid)).toBe(true)
  })

  it('is read by @helia/verified-fetch with this gateway as its only source (no routers, nothing else on the network)', async () => {
    // helia, @helia/http and @helia/fallback-router come with @helia/verified-fetch. No delegated routers
    // and no public gateways: blocks can come from this gateway only. It is added as an ordinary
    // router (helia waits forever for providers when only fallback routers are configured).
    const helia = withHTTP(createHeliaLight(), { delegatedRouters: [], recursiveGateways: [], allowInsecure: true, allowLocal: true })
    const only = fallbackRouter({ gateways: [service.url], shuffle: false })
    helia.addRouter({ name: 'serve-store', findProviders: (cid, options) => (only.findProviders as NonNullable<typeof only.findProviders>)(cid, options) })
    await helia.start()
    const verifiedFetch = await createVerifiedFetch(helia)
    try {
      const file = await verifiedFetch(`ipfs://${folderCid}/weights/w.bin`)
      expect(file.status).toBe(200)
      expect(Buffer.from(await file.arrayBuffer())).toEqual(Buffer.from(big))
      const card = await verifiedFetch(`ipfs://${folderCid}/card.md`)
      expect(await card.text()).toBe('# model')
    } finally {
      await verifiedFetch.stop()
      await helia.stop()
    }
  }, 60_000)
})
