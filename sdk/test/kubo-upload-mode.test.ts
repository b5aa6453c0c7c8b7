import { describe, expect, it } from 'vitest'
import { startKuboRpcServer } from '../src/node/kuboRpcServer.ts'
import { kuboStore, streamsUpload } from '../src/storage/kubo.ts'
import { embeddedStore } from '../src/storage/node/embedded.ts'
import { collect, randomBytes, tempDir } from './helpers.ts'

const browser = { requestStreams: true, browser: true }
const node = { requestStreams: true, browser: false }

describe('kuboStore uploadMode: when an upload streams its body', () => {
  it('auto streams in browsers over https only, since Chromium streams request bodies over HTTP/2 only', () => {
    expect(streamsUpload('auto', 'https://store.example/api/v0', browser)).toBe(true)
    expect(streamsUpload('auto', 'http://127.0.0.1:5001/api/v0', browser)).toBe(false)
    expect(streamsUpload('auto', 'http://localhost:8787/api/v0', browser)).toBe(false)
  })

  it('auto always streams in Node (undici streams over HTTP/1.1 with duplex: half)', () => {
    expect(streamsUpload('auto', 'http://127.0.0.1:5001/api/v0', node)).toBe(true)
    expect(streamsUpload('auto', 'https://store.example/api/v0', node)).toBe(true)
  })

  it('stream and buffer force the choice, and a runtime without request streams always buffers', () => {
    expect(streamsUpload('stream', 'http://127.0.0.1:5001/api/v0', browser)).toBe(true)
    expect(streamsUpload('buffer', 'https://store.example/api/v0', node)).toBe(false)
    expect(streamsUpload('stream', 'https://store.example/api/v0', { requestStreams: false, browser: true })).toBe(false)
    expect(streamsUpload('auto', 'https://store.example/api/v0', { requestStreams: false, browser: true })).toBe(false)
  })

  it('uploads buffered and streamed to the same CID', async () => {
    const { dir, cleanup } = await tempDir()
    const backing = embeddedStore({ dir })
    const server = await startKuboRpcServer({ store: backing })
    try {
      const bytes = randomBytes(600_000)
      const buffered = await kuboStore({ url: server.url, uploadMode: 'buffer' }).add(bytes)
      const streamed = await kuboStore({ url: server.url, uploadMode: 'stream' }).add([bytes.subarray(0, 1000), bytes.subarray(1000)])
      expect(buffered.cid.toString()).toBe(streamed.cid.toString())
      expect(Buffer.from(await collect(backing.cat(buffered.cid))).equals(Buffer.from(bytes))).toBe(true)
    } finally {
      await server.close()
      await backing.close()
      await cleanup()
    }
  })
})
