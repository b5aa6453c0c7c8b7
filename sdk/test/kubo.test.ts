import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { IntegrityError, StoreRefusedError, StoreUnavailableError } from '../src/errors/index.ts'
import { startKuboRpcServer } from '../src/node/kuboRpcServer.ts'
import { gatewayReader } from '../src/storage/gateway.ts'
import { kuboStore } from '../src/storage/kubo.ts'
import { embeddedStore } from '../src/storage/node/embedded.ts'
import { collect, flip, integrityHint, randomBytes, tempDir, utf8 } from './helpers.ts'
import { describeStore } from './store-suite.ts'

describeStore('kuboStore over the Kubo-RPC test server', async () => {
  const { dir, cleanup } = await tempDir()
  let backing = embeddedStore({ dir })
  let server = await startKuboRpcServer({ store: backing, token: 'secret' })
  const connect = () => kuboStore({ url: server.url, headers: { Authorization: 'Bearer secret' } })
  return {
    store: connect(),
    restart: async () => {
      await server.close()
      await backing.close()
      backing = embeddedStore({ dir })
      server = await startKuboRpcServer({ store: backing, token: 'secret' })
      return connect()
    },
    cleanup: async () => {
      await server.close()
      await backing.close()
      await cleanup()
    },
  }
})

/** A one-off HTTP server answering every request with `handler`. */
async function withServer(handler: Parameters<typeof createServer>[1], run: (url: string) => Promise<void>) {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
}

describe('kuboStore failures', () => {
  it('maps 401, 403 and 413 to StoreRefusedError with the status', async () => {
    for (const status of [401, 403, 413]) {
      await withServer(
        (req, res) => {
          req.resume()
          res.writeHead(status, { 'content-type': 'application/json' })
          res.end(JSON.stringify({ Message: 'no', Code: 0, Type: 'error' }))
        },
        async (url) => {
          const error = await kuboStore({ url }).add(utf8('x')).catch((e) => e)
          expect(error).toBeInstanceOf(StoreRefusedError)
          expect(error.status).toBe(status)
        },
      )
    }
  })

  it('refuses the test server without its token, and over its upload limit', async () => {
    const { dir, cleanup } = await tempDir()
    const backing = embeddedStore({ dir })
    const server = await startKuboRpcServer({ store: backing, token: 't', maxUploadBytes: 1000 })
    try {
      await expect(kuboStore({ url: server.url }).add(utf8('x'))).rejects.toMatchObject({ status: 401 })
      const store = kuboStore({ url: server.url, headers: { Authorization: 'Bearer t' } })
      // a Blob body has a known length, so the limit applies before reading
      const error = await store.add(randomBytes(5000)).catch((e) => e)
      expect(error).toBeInstanceOf(StoreRefusedError)
    } finally {
      await server.close()
      await backing.close()
      await cleanup()
    }
  })

  it('raises StoreUnavailableError when the store dies mid-upload, and when nothing listens', async () => {
    await withServer(
      (req) => {
        let received = 0
        req.on('data', (chunk: Buffer) => {
          received += chunk.length
          if (received > 1_000_000) req.socket.destroy()
        })
      },
      async (url) => {
        const source = (async function* () {
          for (let i = 0; i < 64; i++) yield randomBytes(262_144)
        })()
        const error = await kuboStore({ url }).add(source).catch((e) => e)
        expect(error).toBeInstanceOf(StoreUnavailableError)
      },
    )
    await expect(kuboStore({ url: 'http://127.0.0.1:9' }).add(utf8('x'))).rejects.toBeInstanceOf(StoreUnavailableError)
  })

  it('raises StoreUnavailableError when the node ends a cat early (Kubo reports that only in a trailer)', async () => {
    await withServer(
      (req, res) => {
        req.resume()
        if (req.url?.startsWith('/api/v0/files/stat')) {
          res.writeHead(200, { 'content-type': 'application/json' })
          return res.end(JSON.stringify({ Hash: 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e', Size: 11, Type: 'file' }))
        }
        res.writeHead(200, { 'content-type': 'text/plain', trailer: 'X-Stream-Error' })
        res.write('hello')
        res.addTrailers({ 'X-Stream-Error': 'merkledag: not found' })
        res.end()
      },
      async (url) => {
        const error = await collect(kuboStore({ url }).cat('bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e')).catch((e) => e)
        expect(error).toBeInstanceOf(StoreUnavailableError)
        expect(error.details).toMatch(/after 5 of 11 bytes/)
      },
    )
  })

  it('refuses a node that answers with another CID than the bytes have', async () => {
    await withServer(
      (req, res) => {
        req.resume()
        req.on('end', () => {
          res.writeHead(200, { 'content-type': 'application/x-ndjson' })
          res.end(`${JSON.stringify({ Name: 'f', Hash: 'bafkreibmlvvgdyihetgocpof6xk64kjjzdeq2e4c7hqs3krdheosk4tgj4', Size: '12' })}\n`)
        })
      },
      async (url) => {
        const error = await kuboStore({ url }).add(utf8('hello world')).catch((e) => e)
        expect(error).toBeInstanceOf(IntegrityError)
        // an upload, not a download: the hint is about the node's settings
        expect(error).toMatchObject({ check: 'cid', expected: 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e', hint: expect.stringMatching(/^Check the node's Import settings/) })
      },
    )
  })
})

describe('gatewayReader', () => {
  it('reads verified blocks from a trustless gateway and rejects a tampered block', async () => {
    const { dir, cleanup } = await tempDir()
    const backing = embeddedStore({ dir })
    const data = randomBytes(700_000)
    const { cid } = await backing.add(data)
    const server = await startKuboRpcServer({ store: backing })
    try {
      const reader = gatewayReader({ url: server.gatewayUrl })
      expect(Buffer.compare(await collect(reader.cat(cid)), data)).toBe(0)
      expect(Buffer.compare(await collect(reader.cat(cid, { offset: 300_000, length: 10 })), data.subarray(300_000, 300_010))).toBe(0)
      expect(await reader.stat(cid)).toMatchObject({ type: 'file', size: 700_000 })
      expect(await reader.has(cid)).toBe(true)
    } finally {
      await server.close()
    }
    // a gateway that flips one bit of every block it serves
    await withServer(
      async (req, res) => {
        const { CID } = await import('multiformats/cid')
        const original = await backing.getBlock(CID.parse((req.url ?? '').split('/')[2]?.split('?')[0] ?? ''))
        const block = flip(original, original.length - 1)
        res.writeHead(200, { 'content-type': 'application/vnd.ipld.raw' })
        res.end(block)
      },
      async (url) => {
        const error = await collect(gatewayReader({ url }).cat(cid)).catch((e) => e)
        expect(error).toBeInstanceOf(IntegrityError)
        expect(error).toMatchObject({ check: 'cid', hint: integrityHint, expected: expect.stringMatching(/^baf/), actual: expect.stringMatching(/^sha2-256 /) })
      },
    )
    await backing.close()
    await cleanup()
  })
})
