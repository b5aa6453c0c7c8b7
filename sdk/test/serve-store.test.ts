import { execFileSync } from 'node:child_process'
import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { connect } from 'node:http2'
import { connect as tlsConnect } from 'node:tls'
import { join } from 'node:path'
import type { Address } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { createSiweMessage } from 'viem/siwe'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serveStore } from '../src/node/serve-store/index.ts'
import { StoreFullError, StoreRefusedError } from '../src/errors/storage.ts'
import { kuboStore } from '../src/storage/kubo.ts'
import { embeddedStore } from '../src/storage/node/embedded.ts'
import { discardBlocks, importDirectory, importFile } from '../src/storage/unixfs.ts'
import { collect, randomBytes, tempDir, utf8 } from './helpers.ts'

const alice = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')
const bob = privateKeyToAccount('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a')
const DOMAIN = 'app.example'
const CHAIN_ID = 31337
const QUOTA = 300_000

let service: Awaited<ReturnType<typeof serveStore>>
let store: ReturnType<typeof embeddedStore>
let cleanup: () => Promise<void>

beforeAll(async () => {
  const temp = await tempDir('amm-serve-store-test-')
  cleanup = temp.cleanup
  store = embeddedStore({ dir: temp.dir })
  service = await serveStore(store, {
    // every test here signs in from the same loopback address
    auth: { domain: DOMAIN, chainId: CHAIN_ID, signInsPerMinute: 1000 },
    quota: { bytesPerAddress: QUOTA, requestsPerMinute: 20 },
  })
})
afterAll(async () => {
  await service.close()
  await store.close()
  await cleanup()
})

async function nonce(): Promise<string> {
  const response = await fetch(`${service.url}/siwe/nonce`)
  return ((await response.json()) as { nonce: string }).nonce
}

type Signer = typeof alice
async function signIn(
  signer: Signer,
  overrides: Partial<Parameters<typeof createSiweMessage>[0]> = {},
  signWith: Signer = signer,
): Promise<{ status: number; body: { token?: string; address?: Address; Message?: string } }> {
  const message = createSiweMessage({
    address: signer.address,
    chainId: CHAIN_ID,
    domain: DOMAIN,
    nonce: await nonce(),
    uri: `https://${DOMAIN}/`,
    version: '1',
    statement: 'Sign in to store model files.',
    ...overrides,
  })
  const signature = await signWith.signMessage({ message })
  return post('/siwe/verify', JSON.stringify({ message, signature }), { 'content-type': 'application/json' })
}

async function post(path: string, body?: BodyInit, headers: Record<string, string> = {}) {
  const response = await fetch(`${service.url}${path}`, { method: 'POST', body, headers })
  return { status: response.status, body: await response.json() }
}

async function token(signer: Signer): Promise<string> {
  const { status, body } = await signIn(signer)
  expect(status).toBe(200)
  return body.token as string
}

function upload(files: { name: string; bytes: Uint8Array }[], session?: string, query = 'cid-version=1') {
  const form = new FormData()
  for (const { name, bytes } of files) form.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>]), encodeURIComponent(name))
  return post(`/api/v0/add?${query}`, form, session ? { authorization: `Bearer ${session}` } : {})
}

async function pinned(): Promise<string[]> {
  const out: string[] = []
  for await (const cid of store.pins()) out.push(cid.toString())
  return out
}

async function expectNotStored(bytes: Uint8Array) {
  const { cid } = await importFile(bytes, discardBlocks)
  expect(await store.has(cid)).toBe(false)
  expect(await pinned()).not.toContain(cid.toString())
}

describe('serveStore sign-in', () => {
  it('opens a session for a correctly signed message and reports its quota', async () => {
    const { status, body } = await signIn(alice)
    expect(status).toBe(200)
    expect(body.address).toBe(alice.address)
    const session = await fetch(`${service.url}/session`, { headers: { authorization: `Bearer ${body.token}` } })
    expect(await session.json()).toMatchObject({ address: alice.address, quota: { used: 0, limit: QUOTA } })
  })

  it('refuses a replayed nonce', async () => {
    const message = createSiweMessage({ address: alice.address, chainId: CHAIN_ID, domain: DOMAIN, nonce: await nonce(), uri: `https://${DOMAIN}/`, version: '1' })
    const body = JSON.stringify({ message, signature: await alice.signMessage({ message }) })
    const headers = { 'content-type': 'application/json' }
    expect((await post('/siwe/verify', body, headers)).status).toBe(200)
    const replay = await post('/siwe/verify', body, headers)
    expect(replay).toEqual({ status: 401, body: expect.objectContaining({ Message: 'the nonce is unknown, expired or already used' }) })
  })

  it('refuses a nonce it never issued', async () => {
    const { status } = await signIn(alice, { nonce: 'abcdefgh12345678' })
    expect(status).toBe(401)
  })

  it('refuses an expired message', async () => {
    const { status, body } = await signIn(alice, { expirationTime: new Date(Date.now() - 1000) })
    expect(status).toBe(401)
    expect(body.Message).toBe('the message has expired')
  })

  it('refuses a message not valid yet', async () => {
    const { status, body } = await signIn(alice, { notBefore: new Date(Date.now() + 60_000) })
    expect(status).toBe(401)
    expect(body.Message).toBe('the message is not valid yet')
  })

  it('refuses another domain', async () => {
    const { status, body } = await signIn(alice, { domain: 'evil.example' })
    expect(status).toBe(401)
    expect(body.Message).toBe('the message is for evil.example, not app.example')
  })

  it('refuses another chain', async () => {
    const { status, body } = await signIn(alice, { chainId: 1 })
    expect(status).toBe(401)
    expect(body.Message).toBe('the message is for chain 1, not 31337')
  })

  it("refuses a message claiming Alice's address signed by Bob", async () => {
    const { status, body } = await signIn(alice, {}, bob)
    expect(status).toBe(401)
    expect(body.Message).toBe(`the signature is not ${alice.address}'s`)
  })

  it('ends a session on logout', async () => {
    const session = await token(alice)
    await post('/siwe/logout', undefined, { authorization: `Bearer ${session}` })
    const after = await fetch(`${service.url}/session`, { headers: { authorization: `Bearer ${session}` } })
    expect(after.status).toBe(401)
  })
})

describe('serveStore writes', () => {
  it('refuses an upload without a session (401) and stores nothing', async () => {
    const bytes = randomBytes(1000)
    expect((await upload([{ name: 'a.bin', bytes }])).status).toBe(401)
    expect((await upload([{ name: 'a.bin', bytes }], 'made-up-token')).status).toBe(401)
    await expectNotStored(bytes)
  })

  it('adds a file with a session, with the CID Kubo gives, and serves it publicly by CID', async () => {
    const session = await token(alice)
    const { status, body } = await upload([{ name: 'hello.txt', bytes: utf8('hello world') }], session)
    expect(status).toBe(200)
    expect(body).toEqual({ Name: 'hello.txt', Hash: 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e', Size: '11' })
    const cat = await fetch(`${service.url}/api/v0/cat?arg=${body.Hash}&offset=6`, { method: 'POST' })
    expect(await cat.text()).toBe('world')
  })

  it('adds a folder as the directory `ipfs add -r` makes', async () => {
    const session = await token(alice)
    const files = [
      { name: 'model/config.json', bytes: utf8('{"layers":2}') },
      { name: 'model/weights/w.bin', bytes: randomBytes(70_000) },
    ]
    const { status, body } = await upload(files, session)
    expect(status).toBe(200)
    const expected = await importDirectory(files.map((f) => ({ path: f.name.slice('model/'.length), content: f.bytes })), discardBlocks)
    expect(body).toMatchObject({ Name: 'model', Hash: expected.cid.toString() })
    const ls = await post(`/api/v0/ls?arg=${body.Hash}`)
    expect(ls.body.Objects[0].Links.map((l: { Name: string; Type: number }) => [l.Name, l.Type])).toEqual([
      ['config.json', 2],
      ['weights', 1],
    ])
    const cat = await fetch(`${service.url}/api/v0/cat?arg=${body.Hash}/weights/w.bin`, { method: 'POST' })
    expect(new Uint8Array(await cat.arrayBuffer())).toEqual(files[1]?.bytes)
  })

  it('refuses add settings that would give another CID than Kubo with --cid-version=1', async () => {
    const session = await token(alice)
    const { status, body } = await upload([{ name: 'x', bytes: utf8('x') }], session, 'cid-version=0')
    expect(status).toBe(400)
    expect(body.Message).toMatch(/cid-version must be 1/)
  })

  it("refuses to unpin another address's content (403) and keeps it", async () => {
    const aliceSession = await token(alice)
    const bobSession = await token(bob)
    const bytes = randomBytes(2000)
    const { body } = await upload([{ name: 'alice.bin', bytes }], aliceSession)
    const refused = await post(`/api/v0/pin/rm?arg=${body.Hash}`, undefined, { authorization: `Bearer ${bobSession}` })
    expect(refused.status).toBe(403)
    expect(await pinned()).toContain(body.Hash)
    const allowed = await post(`/api/v0/pin/rm?arg=${body.Hash}`, undefined, { authorization: `Bearer ${aliceSession}` })
    expect(allowed).toEqual({ status: 200, body: { Pins: [body.Hash] } })
    expect(await pinned()).not.toContain(body.Hash)
  })

  it('refuses an upload past the quota (413) and stores nothing; unpinning frees the space', async () => {
    const session = await token(bob)
    const first = randomBytes(200_000)
    const { body } = await upload([{ name: 'first.bin', bytes: first }], session)
    expect(body.Hash).toBeDefined()
    const second = randomBytes(QUOTA - 200_000 + 1)
    const refused = await upload([{ name: 'second.bin', bytes: second }], session)
    expect(refused.status).toBe(413)
    await expectNotStored(second)
    await post(`/api/v0/pin/rm?arg=${body.Hash}`, undefined, { authorization: `Bearer ${session}` })
    expect((await upload([{ name: 'second.bin', bytes: second }], session)).status).toBe(200)
  })

  it('answers CORS preflights and lets any origin read', async () => {
    const preflight = await fetch(`${service.url}/api/v0/add`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*')
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization')
  })

  it('limits writes per address per minute (429)', async () => {
    const limited = await serveStore(store, { auth: { domain: DOMAIN, chainId: CHAIN_ID }, quota: { requestsPerMinute: 2 } })
    try {
      const other = privateKeyToAccount('0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6')
      const message = createSiweMessage({ address: other.address, chainId: CHAIN_ID, domain: DOMAIN, nonce: ((await (await fetch(`${limited.url}/siwe/nonce`)).json()) as { nonce: string }).nonce, uri: `https://${DOMAIN}/`, version: '1' })
      const signed = await fetch(`${limited.url}/siwe/verify`, { method: 'POST', body: JSON.stringify({ message, signature: await other.signMessage({ message }) }) })
      const { token: session } = (await signed.json()) as { token: string }
      const statuses: number[] = []
      for (let i = 0; i < 3; i++) {
        const form = new FormData()
        form.append('file', new Blob([utf8(`r${i}`)]), 'r')
        statuses.push((await fetch(`${limited.url}/api/v0/add?cid-version=1`, { method: 'POST', body: form, headers: { authorization: `Bearer ${session}` } })).status)
      }
      // the bucket refills one write every 30 s, far slower than these three
      expect(statuses).toEqual([200, 200, 429])
    } finally {
      await limited.close()
    }
  })

  it("answers a CID it does not hold as Kubo does (500, 'not found')", async () => {
    const { cid } = await importFile(randomBytes(10), discardBlocks)
    const response = await fetch(`${service.url}/api/v0/cat?arg=${cid}`, { method: 'POST' })
    expect(response.status).toBe(500)
    expect(await response.json()).toEqual({ Message: `Content ${cid} was not found in the store.`, Code: 0, Type: 'error' })
  })
})

describe('serveStore through the SDK kuboStore', () => {
  it('adds and cats a file and a folder with the session header, and reads without one', async () => {
    const writer = kuboStore({ url: service.url, headers: { authorization: `Bearer ${await token(alice)}` } })
    const reader = kuboStore({ url: service.url })
    const bytes = Buffer.from(randomBytes(150_000))
    const file = await writer.add(bytes.subarray(0, 100_000))
    expect(await collect(reader.cat(file.cid))).toEqual(bytes.subarray(0, 100_000))
    expect(await reader.has(file.cid)).toBe(true)
    const folder = await writer.addDirectory([
      { path: 'card.md', content: utf8('# model') },
      { path: 'weights/w.bin', content: bytes.subarray(100_000, 150_000) },
    ])
    expect(await collect(reader.cat(`${folder.cid}/weights/w.bin`))).toEqual(bytes.subarray(100_000, 150_000))
    expect((await reader.stat(folder.cid)).entries?.map((e) => e.name)).toEqual(['card.md', 'weights'])
    const listed: string[] = []
    for await (const cid of reader.pins()) listed.push(cid.toString())
    expect(listed).toEqual(expect.arrayContaining([file.cid.toString(), folder.cid.toString()]))
  })

  it('maps refusals to StoreRefusedError with the status: 401 without a session, 403 on a pin of another address, 413 over quota', async () => {
    const anonymous = kuboStore({ url: service.url })
    const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error)
    const unauthenticated = await refusal(anonymous.add(utf8('no session')))
    expect(unauthenticated).toBeInstanceOf(StoreRefusedError)
    expect(unauthenticated).toMatchObject({ status: 401 })
    await expectNotStored(utf8('no session'))

    const carol = privateKeyToAccount('0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a')
    const carolStore = kuboStore({ url: service.url, headers: { authorization: `Bearer ${await token(carol)}` } })
    const aliceStore = kuboStore({ url: service.url, headers: { authorization: `Bearer ${await token(alice)}` } })
    const { cid } = await carolStore.add(utf8('carol owns this'))
    const forbidden = await refusal(aliceStore.unpin(cid))
    expect(forbidden).toMatchObject({ code: 'STORE_REFUSED', status: 403 })
    expect(await pinned()).toContain(cid.toString())

    const tooBig = randomBytes(QUOTA + 1)
    const overQuota = await refusal(carolStore.add(tooBig))
    expect(overQuota).toMatchObject({ code: 'STORE_REFUSED', status: 413 })
    await expectNotStored(tooBig)
  })
})

describe('serveStore over HTTPS with HTTP/2', () => {
  it('serves sessions, uploads and reads over HTTP/2, as browsers need to stream uploads', async () => {
    const { dir, cleanup: removeDir } = await tempDir('amm-serve-store-tls-')
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' })
    const secure = await serveStore(store, {
      auth: { domain: DOMAIN, chainId: CHAIN_ID },
      tls: { key: await readFile(join(dir, 'key.pem')), cert: await readFile(join(dir, 'cert.pem')) },
    })
    const session = connect(secure.url, { rejectUnauthorized: false })
    const h2 = (path: string, body?: Buffer, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
        const stream = session.request({ ':method': body === undefined && path.startsWith('/siwe/nonce') ? 'GET' : 'POST', ':path': path, ...headers })
        const chunks: Buffer[] = []
        let status = 0
        stream.on('response', (h) => (status = Number(h[':status'])))
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('end', () => resolve({ status, body: Buffer.concat(chunks) }))
        stream.on('error', reject)
        stream.end(body)
      })
    try {
      expect(secure.url).toMatch(/^https:/)
      const { nonce } = JSON.parse((await h2('/siwe/nonce')).body.toString())
      const message = createSiweMessage({ address: alice.address, chainId: CHAIN_ID, domain: DOMAIN, nonce, uri: `https://${DOMAIN}/`, version: '1' })
      const verify = await h2('/siwe/verify', Buffer.from(JSON.stringify({ message, signature: await alice.signMessage({ message }) })), { 'content-type': 'application/json' })
      const { token } = JSON.parse(verify.body.toString())
      const form = new FormData()
      form.append('file', new Blob([utf8('over h2')]), 'h2.txt')
      const request = new Request('https://x/', { method: 'POST', body: form })
      const added = await h2('/api/v0/add?cid-version=1', Buffer.from(await request.arrayBuffer()), {
        'content-type': request.headers.get('content-type') as string,
        authorization: `Bearer ${token}`,
      })
      expect(added.status).toBe(200)
      const { Hash } = JSON.parse(added.body.toString())
      expect((await h2(`/api/v0/cat?arg=${Hash}`)).body.toString()).toBe('over h2')
    } finally {
      session.close()
      await secure.close()
      await removeDir()
    }
  })
})

describe('serveStore pin ownership', () => {
  const rm = (url: string, cid: string, session: string) => fetch(`${url}/api/v0/pin/rm?arg=${cid}`, { method: 'POST', headers: { authorization: `Bearer ${session}` } })
  const add = (url: string, cid: string, session: string) => fetch(`${url}/api/v0/pin/add?arg=${cid}`, { method: 'POST', headers: { authorization: `Bearer ${session}` } })

  it('never removes a pin the service did not make: pin/add then pin/rm of an operator pin keeps it and gc keeps the data', async () => {
    const bytes = randomBytes(3000)
    const { cid } = await store.add(bytes) // the operator's own pin
    const session = await token(bob)
    expect((await add(service.url, cid.toString(), session)).status).toBe(200)
    expect((await rm(service.url, cid.toString(), session)).status).toBe(200)
    expect(await pinned()).toContain(cid.toString())
    await store.gc()
    expect(await collect(store.cat(cid))).toEqual(Buffer.from(bytes))
  })

  it('never removes a pin uploaded by the operator first, even when a user uploads the same bytes', async () => {
    const bytes = randomBytes(2500)
    const { cid } = await store.add(bytes)
    const session = await token(bob)
    const { body } = await upload([{ name: 'same.bin', bytes }], session)
    expect(body.Hash).toBe(cid.toString())
    expect((await rm(service.url, cid.toString(), session)).status).toBe(200)
    expect(await pinned()).toContain(cid.toString())
  })

  it('a restart loses no pin owner, quota charge or session', async () => {
    const { dir, cleanup: removeDir } = await tempDir('amm-serve-store-restart-')
    const own = embeddedStore({ dir })
    const options = { auth: { domain: DOMAIN, chainId: CHAIN_ID }, quota: { bytesPerAddress: QUOTA } }
    let running = await serveStore(own, options)
    try {
      const signInTo = async (url: string, signer: Signer) => {
        const n = ((await (await fetch(`${url}/siwe/nonce`)).json()) as { nonce: string }).nonce
        const message = createSiweMessage({ address: signer.address, chainId: CHAIN_ID, domain: DOMAIN, nonce: n, uri: `https://${DOMAIN}/`, version: '1' })
        const response = await fetch(`${url}/siwe/verify`, { method: 'POST', body: JSON.stringify({ message, signature: await signer.signMessage({ message }) }) })
        return ((await response.json()) as { token: string }).token
      }
      const aliceSession = await signInTo(running.url, alice)
      const form = new FormData()
      form.append('file', new Blob([randomBytes(5000) as Uint8Array<ArrayBuffer>]), 'a.bin')
      const added = await fetch(`${running.url}/api/v0/add?cid-version=1`, { method: 'POST', body: form, headers: { authorization: `Bearer ${aliceSession}` } })
      const { Hash } = (await added.json()) as { Hash: string }

      await running.close()
      running = await serveStore(own, options)

      // the session survives, and so does Alice's charge
      const session = await fetch(`${running.url}/session`, { headers: { authorization: `Bearer ${aliceSession}` } })
      expect(session.status).toBe(200)
      expect(await session.json()).toMatchObject({ address: alice.address, quota: { used: 5000, limit: QUOTA } })
      // Bob cannot take Alice's pin over after the restart
      const bobSession = await signInTo(running.url, bob)
      expect((await add(running.url, Hash, bobSession)).status).toBe(200)
      expect((await rm(running.url, Hash, bobSession)).status).toBe(200)
      const pins: string[] = []
      for await (const cid of own.pins()) pins.push(cid.toString())
      expect(pins).toContain(Hash)
      // Alice still can
      expect((await rm(running.url, Hash, aliceSession)).status).toBe(200)
      const after: string[] = []
      for await (const cid of own.pins()) after.push(cid.toString())
      expect(after).not.toContain(Hash)
    } finally {
      await running.close()
      await own.close()
      await removeDir()
    }
  })
})

const fresh = () => privateKeyToAccount(generatePrivateKey())
async function usage(session: string) {
  const response = await fetch(`${service.url}/session`, { headers: { authorization: `Bearer ${session}` } })
  return ((await response.json()) as { quota: { used: number; reserved: number } }).quota
}

describe('serveStore quotas', () => {
  it('reserves quota while uploads run, so parallel uploads cannot pass it together', async () => {
    const session = await token(fresh())
    const results = await Promise.all([0, 1, 2, 3].map((i) => upload([{ name: `p${i}.bin`, bytes: randomBytes(100_000) }], session)))
    const statuses = results.map((r) => r.status).sort()
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(2) // 3 × (100,000 + name) > 300,000
    expect(statuses.filter((s) => s !== 200)).toEqual(statuses.filter((s) => s !== 200).map(() => 413))
    const { used, reserved } = await usage(session)
    expect(used).toBeLessThanOrEqual(QUOTA)
    expect(reserved).toBe(0)
  })

  it('charges the names of a folder upload, not only the file contents', async () => {
    const session = await token(fresh())
    const names = Array.from({ length: 20 }, (_, i) => `${'n'.repeat(200)}${i}`)
    const { status } = await upload(names.map((name) => ({ name: `dir/${name}`, bytes: utf8('x') })), session)
    expect(status).toBe(200)
    const expected = names.reduce((n, name) => n + Buffer.byteLength(name) + 64 + 1, 0)
    expect((await usage(session)).used).toBe(expected)
  })

  it('refuses an upload of more than 10,000 entries or with a name over 255 bytes (400), storing nothing', async () => {
    // a quota that 10,001 empty files fit in, so the entry bound is what refuses them
    const roomy = await serveStore(store, { auth: { domain: DOMAIN, chainId: CHAIN_ID }, stateDir: join(store.dir, 'roomy') })
    try {
      const signer = fresh()
      const message = createSiweMessage({ address: signer.address, chainId: CHAIN_ID, domain: DOMAIN, nonce: ((await (await fetch(`${roomy.url}/siwe/nonce`)).json()) as { nonce: string }).nonce, uri: `https://${DOMAIN}/`, version: '1' })
      const { token: session } = (await (await fetch(`${roomy.url}/siwe/verify`, { method: 'POST', body: JSON.stringify({ message, signature: await signer.signMessage({ message }) }) })).json()) as { token: string }
      const send = async (files: { name: string; bytes: Uint8Array }[]) => {
        const form = new FormData()
        for (const { name, bytes } of files) form.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>]), encodeURIComponent(name))
        const response = await fetch(`${roomy.url}/api/v0/add?cid-version=1`, { method: 'POST', body: form, headers: { authorization: `Bearer ${session}` } })
        return { status: response.status, body: (await response.json()) as { Message?: string } }
      }
      const tooMany = await send(Array.from({ length: 10_001 }, (_, i) => ({ name: `d/${i}`, bytes: new Uint8Array(0) })))
      expect(tooMany.status).toBe(400)
      expect(tooMany.body.Message).toMatch(/at most 10000 files and folders/)
      const longName = await send([{ name: `d/${'a'.repeat(256)}`, bytes: utf8('x') }])
      expect(longName.status).toBe(400)
      expect(longName.body.Message).toMatch(/longer than 255 bytes/)
      const quota = ((await (await fetch(`${roomy.url}/session`, { headers: { authorization: `Bearer ${session}` } })).json()) as { quota: unknown }).quota
      expect(quota).toMatchObject({ used: 0, reserved: 0 })
    } finally {
      await roomy.close()
    }
  })
})

describe('serveStore sign-in hardening', () => {
  it('keeps signing users in after anyone asked for 10,001 nonces', async () => {
    for (let i = 0; i < 10_001; i += 500) await Promise.all(Array.from({ length: 500 }, () => fetch(`${service.url}/siwe/nonce`).then((r) => r.arrayBuffer())))
    const { status } = await signIn(fresh())
    expect(status).toBe(200)
  }, 180_000)

  it('refuses a message whose URI is not on its domain, and a SIWE version other than 1', async () => {
    const elsewhere = await signIn(alice, { uri: 'https://evil.example/login' })
    expect(elsewhere.status).toBe(401)
    expect(elsewhere.body.Message).toBe("the message's URI https://evil.example/login is not on app.example")
    const message = createSiweMessage({ address: alice.address, chainId: CHAIN_ID, domain: DOMAIN, nonce: await nonce(), uri: `https://${DOMAIN}/`, version: '1' }).replace('\nVersion: 1\n', '\nVersion: 2\n')
    const version2 = await post('/siwe/verify', JSON.stringify({ message, signature: await alice.signMessage({ message }) }))
    expect(version2.status).toBe(401)
    expect(version2.body.Message).toBe('the message is SIWE version 2, not 1')
  })

  it('limits sign-in attempts per client (429)', async () => {
    const limited = await serveStore(store, { auth: { domain: DOMAIN, chainId: CHAIN_ID, signInsPerMinute: 3 }, stateDir: join(store.dir, 'limited') })
    try {
      const statuses: number[] = []
      for (let i = 0; i < 4; i++) statuses.push((await fetch(`${limited.url}/siwe/verify`, { method: 'POST', body: '{}' })).status)
      expect(statuses).toEqual([400, 400, 400, 429])
    } finally {
      await limited.close()
    }
  })
})

describe('serveStore faults', () => {
  it('a client disconnecting mid-upload leaves nothing registered and no charge', async () => {
    const session = await token(fresh())
    const before = await pinned()
    const { port } = new URL(service.url)
    const body = `--b\r\nContent-Disposition: form-data; name="file"; filename="cut.bin"\r\nContent-Type: application/octet-stream\r\n\r\n${'x'.repeat(50_000)}`
    const request = httpRequest({ port, path: '/api/v0/add?cid-version=1', method: 'POST', headers: { authorization: `Bearer ${session}`, 'content-type': 'multipart/form-data; boundary=b', 'content-length': '200000' } })
    request.on('error', () => {})
    request.write(body)
    await new Promise((resolve) => setTimeout(resolve, 300))
    request.destroy()
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await usage(session)).toMatchObject({ used: 0, reserved: 0 })
    expect(await pinned()).toEqual(before)
  })
  it('a full disk refuses writes with a typed error (507, StoreFullError) and keeps serving reads', async () => {
    const { cid } = await store.add(utf8('readable while full'))
    const diskFull = () => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }))
    const full = await serveStore({ ...store, add: diskFull, addDirectory: diskFull }, { auth: { domain: DOMAIN, chainId: CHAIN_ID }, stateDir: join(store.dir, 'full') })
    try {
      const n = ((await (await fetch(`${full.url}/siwe/nonce`)).json()) as { nonce: string }).nonce
      const message = createSiweMessage({ address: bob.address, chainId: CHAIN_ID, domain: DOMAIN, nonce: n, uri: `https://${DOMAIN}/`, version: '1' })
      const { token: session } = (await (await fetch(`${full.url}/siwe/verify`, { method: 'POST', body: JSON.stringify({ message, signature: await bob.signMessage({ message }) }) })).json()) as { token: string }
      const writer = kuboStore({ url: full.url, headers: { authorization: `Bearer ${session}` } })
      const refused = await writer.add(utf8('no room')).then(() => undefined, (error: unknown) => error)
      expect(refused).toBeInstanceOf(StoreFullError)
      expect(refused).toMatchObject({ code: 'STORE_FULL', details: 'the storage service has no space left: nothing was stored; reads keep working' })
      expect(Buffer.from(await collect(kuboStore({ url: full.url }).cat(cid))).toString()).toBe('readable while full')
      const quota = ((await (await fetch(`${full.url}/session`, { headers: { authorization: `Bearer ${session}` } })).json()) as { quota: unknown }).quota
      expect(quota).toMatchObject({ used: 0, reserved: 0 })
    } finally {
      await full.close()
    }
  })

  it('cuts a reader that stopped reading after the idle timeout, and keeps serving others', async () => {
    const big = (await store.add(randomBytes(32 * 1024 * 1024))).cid
    const idle = await serveStore(store, { auth: { domain: DOMAIN, chainId: CHAIN_ID }, stateDir: join(store.dir, 'idle'), limits: { idleTimeout: 300 } })
    try {
      const { port } = new URL(idle.url)
      const { received, aborted } = await new Promise<{ received: number; aborted: boolean }>((resolve, reject) => {
        const request = httpRequest({ port, method: 'POST', path: `/api/v0/cat?arg=${big}` }, (response) => {
          let received = 0
          let aborted = false
          response.on('data', (chunk: Buffer) => (received += chunk.length))
          response.on('aborted', () => (aborted = true))
          response.on('error', () => {})
          response.pause()
          setTimeout(() => response.resume(), 2000)
          response.once('close', () => resolve({ received, aborted }))
        })
        request.on('error', reject)
        request.end()
      })
      expect(aborted).toBe(true)
      expect(received).toBeLessThan(32 * 1024 * 1024)
      const again = await fetch(`${idle.url}/api/v0/cat?arg=${big}&length=10`, { method: 'POST' })
      expect((await again.arrayBuffer()).byteLength).toBe(10)
    } finally {
      await idle.close()
    }
  })
})

describe('serveStore HTTPS/HTTP2 limits', () => {
  let secure: Awaited<ReturnType<typeof serveStore>>
  let removeDir: () => Promise<void>
  beforeAll(async () => {
    const temp = await tempDir('amm-serve-store-limits-')
    removeDir = temp.cleanup
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', join(temp.dir, 'key.pem'), '-out', join(temp.dir, 'cert.pem')], { stdio: 'ignore' })
    secure = await serveStore(store, {
      auth: { domain: DOMAIN, chainId: CHAIN_ID },
      stateDir: join(temp.dir, 'state'),
      tls: { key: await readFile(join(temp.dir, 'key.pem')), cert: await readFile(join(temp.dir, 'cert.pem')) },
      limits: { maxConnections: 3, headersTimeout: 400, idleTimeout: 400, requestTimeout: 1500 },
    })
  })
  afterAll(async () => {
    await secure.close()
    await removeDir()
  })
  const port = () => Number(new URL(secure.url).port)
  /** Milliseconds until the server closes the connection, or 'open' after `wait`. */
  const closedAfter = (socket: { once(event: 'close', listener: () => void): unknown }, wait: number) =>
    new Promise<number | 'open'>((resolve) => {
      const started = Date.now()
      const timer = setTimeout(() => resolve('open'), wait)
      socket.once('close', () => {
        clearTimeout(timer)
        resolve(Date.now() - started)
      })
    })

  it('closes an HTTP/1.1 connection whose request headers stop halfway', async () => {
    const socket = tlsConnect({ port: port(), host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] })
    socket.on('error', () => {})
    await once(socket, 'secureConnect')
    socket.write('POST /siwe/verify HTTP/1.1\r\nHost: x\r\nContent-')
    expect(await closedAfter(socket, 4000)).not.toBe('open')
    socket.destroy()
  })

  it('closes a silent HTTP/2 session, and resets a stream whose body stalls', async () => {
    const silent = connect(secure.url, { rejectUnauthorized: false })
    silent.on('error', () => {})
    expect(await closedAfter(silent, 4000)).not.toBe('open')
    const session = connect(secure.url, { rejectUnauthorized: false })
    session.on('error', () => {})
    const stream = session.request({ ':method': 'POST', ':path': '/siwe/verify', 'content-type': 'application/json' })
    stream.on('error', () => {})
    stream.write('{"message":')
    // another stream keeps the session busy, so only the stalled stream's own timeout can end it
    const busy = setInterval(() => session.request({ ':path': '/siwe/nonce' }).on('error', () => {}).resume(), 100)
    try {
      expect(await closedAfter(stream, 4000)).not.toBe('open')
    } finally {
      clearInterval(busy)
      session.destroy()
    }
  })

  it('refuses connections past the cap', async () => {
    // a refused connection is closed before its TLS handshake; the others are closed later, idle
    const sockets = Array.from({ length: 4 }, () => tlsConnect({ port: port(), host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }))
    const secured = sockets.map((socket) => {
      socket.on('error', () => {})
      const state = { secured: false }
      socket.once('secureConnect', () => (state.secured = true))
      return state
    })
    await Promise.all(sockets.map((socket) => closedAfter(socket, 8000)))
    expect(secured.filter((s) => !s.secured).length).toBeGreaterThanOrEqual(1)
    for (const socket of sockets) socket.destroy()
  })

})
