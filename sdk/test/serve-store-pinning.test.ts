import { CID } from 'multiformats/cid'
import { privateKeyToAccount, generatePrivateKey } from 'viem/accounts'
import { createSiweMessage } from 'viem/siwe'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKuboRpcServer } from '../src/node/kuboRpcServer.ts'
import { serveStore } from '../src/node/serve-store/index.ts'
import { embeddedStore } from '../src/storage/node/embedded.ts'
import { discardBlocks, importFile } from '../src/storage/unixfs.ts'
import { collect, randomBytes, tempDir, utf8 } from './helpers.ts'

const DOMAIN = 'app.example'
const CHAIN_ID = 31337
const QUOTA = 2_000_000
let store: ReturnType<typeof embeddedStore>
let source: ReturnType<typeof embeddedStore>
let sourceServer: Awaited<ReturnType<typeof startKuboRpcServer>>
let service: Awaited<ReturnType<typeof serveStore>>
let cleanups: (() => Promise<void>)[] = []
const options = () => ({ auth: { domain: DOMAIN, chainId: CHAIN_ID }, quota: { bytesPerAddress: QUOTA, requestsPerMinute: 600 }, pinning: { sources: [sourceServer.gatewayUrl] } })

beforeAll(async () => {
  const a = await tempDir('amm-pinning-')
  const b = await tempDir('amm-pinning-source-')
  cleanups = [a.cleanup, b.cleanup]
  store = embeddedStore({ dir: a.dir })
  source = embeddedStore({ dir: b.dir })
  sourceServer = await startKuboRpcServer({ store: source })
  service = await serveStore(store, options())
})
afterAll(async () => {
  await service.close()
  await sourceServer.close()
  await store.close()
  await source.close()
  for (const cleanup of cleanups) await cleanup()
})

async function apiToken(url = service.url, signer = privateKeyToAccount(generatePrivateKey())): Promise<string> {
  const { nonce } = (await (await fetch(`${url}/siwe/nonce`)).json()) as { nonce: string }
  const message = createSiweMessage({ address: signer.address, chainId: CHAIN_ID, domain: DOMAIN, nonce, uri: `https://${DOMAIN}/`, version: '1' })
  const { token: session } = (await (await fetch(`${url}/siwe/verify`, { method: 'POST', body: JSON.stringify({ message, signature: await signer.signMessage({ message }) }) })).json()) as { token: string }
  const issued = await fetch(`${url}/api-tokens`, { method: 'POST', headers: { authorization: `Bearer ${session}` } })
  expect(issued.status).toBe(200)
  return ((await issued.json()) as { token: string }).token
}

type PinStatus = { requestid: string; status: string; created: string; pin: { cid: string; name?: string; meta?: Record<string, string> }; delegates: string[]; info: Record<string, string> }
async function call(method: string, path: string, token?: string, body?: unknown, url = service.url) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : undefined }
}
async function pinned(): Promise<string[]> {
  const out: string[] = []
  for await (const cid of store.pins()) out.push(cid.toString())
  return out
}
async function until(token: string, id: string, wanted: string[]): Promise<PinStatus> {
  for (let i = 0; i < 200; i++) {
    const { body } = await call('GET', `/pins/${id}`, token)
    if (wanted.includes(body.status)) return body
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`pin ${id} never reached ${wanted}`)
}

describe('serveStore Pinning Service API', () => {
  it('refuses a request without a valid bearer token (401, the spec error shape)', async () => {
    expect(await call('GET', '/pins')).toEqual({ status: 401, body: { error: { reason: 'UNAUTHORIZED', details: expect.any(String) } } })
    expect((await call('GET', '/pins', 'made-up')).status).toBe(401)
  })

  it('pins content the store holds at once, lists, gets, filters, and deletes it (letting go of the store pin it made)', async () => {
    const token = await apiToken()
    const { cid } = await store.add(randomBytes(4000), { pin: false })
    const added = await call('POST', '/pins', token, { cid: cid.toString(), name: 'Model Weights', meta: { model: '7' } })
    expect(added.status).toBe(202)
    expect(added.body).toEqual({ requestid: expect.any(String), status: 'pinned', created: expect.any(String), pin: { cid: cid.toString(), name: 'Model Weights', meta: { model: '7' } }, delegates: [], info: {} })
    expect(await pinned()).toContain(cid.toString())
    const id = added.body.requestid
    expect((await call('GET', `/pins/${id}`, token)).body.status).toBe('pinned')
    expect((await call('GET', '/pins', token)).body).toEqual({ count: 1, results: [added.body] })
    expect((await call('GET', '/pins?status=queued,failed', token)).body.count).toBe(0)
    expect((await call('GET', `/pins?cid=${cid}`, token)).body.count).toBe(1)
    expect((await call('GET', '/pins?name=weights&match=ipartial', token)).body.count).toBe(1)
    expect((await call('GET', '/pins?name=weights&match=exact', token)).body.count).toBe(0)
    expect((await call('GET', `/pins?meta=${encodeURIComponent('{"model":"7"}')}`, token)).body.count).toBe(1)
    expect((await call('GET', '/pins?limit=0', token)).status).toBe(400)
    // another address sees nothing of it
    const other = await apiToken()
    expect((await call('GET', `/pins/${id}`, other)).status).toBe(404)
    expect((await call('DELETE', `/pins/${id}`, other)).status).toBe(404)
    expect(await call('DELETE', `/pins/${id}`, token)).toEqual({ status: 202, body: undefined })
    expect((await call('GET', `/pins/${id}`, token)).status).toBe(404)
    expect(await pinned()).not.toContain(cid.toString())
  })

  it('replaces a pin with a new request id, holding the new one before letting the old go', async () => {
    const token = await apiToken()
    const first = await store.add(randomBytes(3000), { pin: false })
    const second = await store.add(randomBytes(3000), { pin: false })
    const { body: old } = await call('POST', '/pins', token, { cid: first.cid.toString() })
    const replaced = await call('POST', `/pins/${old.requestid}`, token, { cid: second.cid.toString(), name: 'v2' })
    expect(replaced.status).toBe(202)
    expect(replaced.body).toMatchObject({ status: 'pinned', pin: { cid: second.cid.toString(), name: 'v2' } })
    expect(replaced.body.requestid).not.toBe(old.requestid)
    expect((await call('GET', `/pins/${old.requestid}`, token)).status).toBe(404)
    const pins = await pinned()
    expect(pins).toContain(second.cid.toString())
    expect(pins).not.toContain(first.cid.toString())
  })

  it('fetches content the store lacks from a source gateway, checking every block (queued → pinned)', async () => {
    const token = await apiToken()
    const bytes = randomBytes(600_000)
    const { cid } = await source.add(bytes)
    const added = await call('POST', '/pins', token, { cid: cid.toString() })
    expect(added.status).toBe(202)
    expect(['queued', 'pinning', 'pinned']).toContain(added.body.status)
    expect((await until(token, added.body.requestid, ['pinned', 'failed'])).status).toBe('pinned')
    expect(Buffer.from(await collect(store.cat(cid)))).toEqual(Buffer.from(bytes))
    expect(await pinned()).toContain(cid.toString())
  })

  it('fails a pin no source has, saying why', async () => {
    const token = await apiToken()
    const { cid } = await importFile(randomBytes(100), discardBlocks)
    const { body } = await call('POST', '/pins', token, { cid: cid.toString() })
    const done = await until(token, body.requestid, ['pinned', 'failed'])
    expect(done.status).toBe('failed')
    expect(done.info.reason).toMatch(/not found/)
    expect((await call('GET', '/pins?status=failed', token)).body.count).toBe(1)
  })

  it('charges pins to the quota: past it the answer is 409 INSUFFICIENT_FUNDS', async () => {
    const token = await apiToken()
    const { cid } = await store.add(randomBytes(QUOTA + 1), { pin: false })
    const refused = await call('POST', '/pins', token, { cid: cid.toString() })
    expect(refused).toEqual({ status: 409, body: { error: { reason: 'INSUFFICIENT_FUNDS', details: expect.stringMatching(/exceeds/) } } })
    expect((await call('GET', '/pins?status=queued,pinning,pinned,failed', token)).body.count).toBe(0)
  })

  it('reserves what a fetch brings against the quota: a DAG larger than the quota left fails, charging nothing', async () => {
    const { dir, cleanup } = await tempDir('amm-pinning-small-')
    const small = await serveStore(store, { ...options(), quota: { bytesPerAddress: 100_000 }, stateDir: dir })
    try {
      const token = await apiToken(small.url)
      const { cid } = await source.add(randomBytes(600_000))
      const { body } = await call('POST', '/pins', token, { cid: cid.toString() }, small.url)
      let done: PinStatus | undefined
      for (let i = 0; i < 200 && !['pinned', 'failed'].includes(done?.status ?? ''); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50))
        done = (await call('GET', `/pins/${body.requestid}`, token, undefined, small.url)).body
      }
      expect(done).toMatchObject({ status: 'failed', info: { reason: expect.stringMatching(/exceeds/) } })
      const session = await fetch(`${small.url}/session`, { headers: { authorization: `Bearer ${token}` } })
      expect(((await session.json()) as { quota: unknown }).quota).toMatchObject({ used: 0, reserved: 0 })
      expect(await pinned()).not.toContain(cid.toString())
    } finally {
      await small.close()
      await cleanup()
    }
  })

  it('refuses malformed pins (400 BAD_REQUEST)', async () => {
    const token = await apiToken()
    expect((await call('POST', '/pins', token, { cid: 'nope' })).body.error.reason).toBe('BAD_REQUEST')
    expect((await call('POST', '/pins', token, { cid: CID.parse('bafkqaaa').toString(), meta: { n: 1 } })).status).toBe(400)
    expect((await call('POST', '/pins', token, { cid: CID.parse('bafkqaaa').toString(), name: 'x'.repeat(256) })).status).toBe(400)
  })

  it('keeps pin requests and API tokens across a restart', async () => {
    const token = await apiToken()
    const { cid } = await store.add(utf8('kept across restarts'), { pin: false })
    const { body } = await call('POST', '/pins', token, { cid: cid.toString() })
    await service.close()
    service = await serveStore(store, options())
    expect((await call('GET', `/pins/${body.requestid}`, token)).body).toMatchObject({ status: 'pinned', pin: { cid: cid.toString() } })
  })
})
