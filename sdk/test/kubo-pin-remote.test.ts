// Opt-in: a real Kubo pins to serveStore's Pinning Service API with `ipfs pin remote`, and serveStore
// runs in front of a real Kubo (kuboStore as its backend). Runs only
// when IPFS_BIN names a Kubo binary (e.g. IPFS_BIN=$(go env GOPATH)/bin/ipfs), so `npm test` needs no Go.
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { createSiweMessage } from 'viem/siwe'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serveStore } from '../src/node/serve-store/index.ts'
import { gatewayReader } from '../src/storage/gateway.ts'
import { kuboStore } from '../src/storage/kubo.ts'
import { embeddedStore } from '../src/storage/node/embedded.ts'
import { collect, randomBytes, tempDir } from './helpers.ts'

const bin = process.env.IPFS_BIN
const run = promisify(execFile)

describe.skipIf(!bin)('serveStore and a real Kubo', () => {
  let dir: string
  let cleanup: () => Promise<void>
  let daemon: ChildProcess
  let gateway: string
  let api: string
  let store: ReturnType<typeof embeddedStore>
  let service: Awaited<ReturnType<typeof serveStore>>
  const ipfs = async (...args: string[]) => (await run(bin as string, args, { env: { ...process.env, IPFS_PATH: join(dir, 'kubo') } })).stdout.trim()

  beforeAll(async () => {
    ;({ dir, cleanup } = await tempDir('amm-kubo-pin-remote-'))
    await ipfs('init', '--profile=test')
    await ipfs('config', 'Addresses.API', '/ip4/127.0.0.1/tcp/0')
    await ipfs('config', 'Addresses.Gateway', '/ip4/127.0.0.1/tcp/0')
    await ipfs('config', '--json', 'Addresses.Swarm', '[]')
    daemon = spawn(bin as string, ['daemon', '--offline'], { env: { ...process.env, IPFS_PATH: join(dir, 'kubo') } })
    let log = ''
    daemon.stdout?.on('data', (chunk) => (log += chunk))
    for (let i = 0; i < 600 && !log.includes('Daemon is ready'); i++) await new Promise((resolve) => setTimeout(resolve, 100))
    const port = /Gateway server listening on \/ip4\/127\.0\.0\.1\/tcp\/(\d+)/.exec(log)?.[1]
    if (!port) throw new Error(`Kubo did not start:\n${log}`)
    gateway = `http://127.0.0.1:${port}`
    api = `http://127.0.0.1:${/RPC API server listening on \/ip4\/127\.0\.0\.1\/tcp\/(\d+)/.exec(log)?.[1]}`
    store = embeddedStore({ dir: join(dir, 'store') })
    // the service fetches what Kubo asks it to pin from Kubo's own trustless gateway
    service = await serveStore(store, { auth: { domain: 'app.example', chainId: 31337 }, pinning: { sources: [gateway] } })
  }, 120_000)
  afterAll(async () => {
    await service?.close()
    await store?.close()
    if (daemon && daemon.exitCode === null) {
      daemon.kill('SIGTERM')
      await once(daemon, 'exit')
    }
    await cleanup?.()
  })

  const signIn = async (url: string) => {
    const signer = privateKeyToAccount(generatePrivateKey())
    const { nonce } = (await (await fetch(`${url}/siwe/nonce`)).json()) as { nonce: string }
    const message = createSiweMessage({ address: signer.address, chainId: 31337, domain: 'app.example', nonce, uri: 'https://app.example/', version: '1' })
    const signedIn = await fetch(`${url}/siwe/verify`, { method: 'POST', body: JSON.stringify({ message, signature: await signer.signMessage({ message }) }) })
    return ((await signedIn.json()) as { token: string }).token
  }

  it('pin remote service add / pin remote add / ls / rm against /pins, with an API token of a signed-in address', async () => {
    const session = await signIn(service.url)
    const { token } = (await (await fetch(`${service.url}/api-tokens`, { method: 'POST', headers: { authorization: `Bearer ${session}` } })).json()) as { token: string }

    const bytes = randomBytes(1_000_000)
    await writeFile(join(dir, 'model.bin'), bytes)
    const cid = await ipfs('add', '-Q', '--cid-version=1', join(dir, 'model.bin'))
    await ipfs('pin', 'remote', 'service', 'add', 'amm', service.url, token)
    const added = await ipfs('pin', 'remote', 'add', '--service=amm', '--name=model', cid)
    expect(added).toMatch(/Status:\s+pinned/)
    expect(Buffer.from(await collect(store.cat(cid)))).toEqual(Buffer.from(bytes))
    const pins: string[] = []
    for await (const pin of store.pins()) pins.push(pin.toString())
    expect(pins).toContain(cid)
    expect(await ipfs('pin', 'remote', 'ls', '--service=amm')).toBe(`${cid}\tpinned\tmodel`)
    await ipfs('pin', 'remote', 'rm', '--service=amm', `--cid=${cid}`)
    expect(await ipfs('pin', 'remote', 'ls', '--service=amm')).toBe('')
    const after: string[] = []
    for await (const pin of store.pins()) after.push(pin.toString())
    expect(after).not.toContain(cid)
  }, 120_000)

  it('runs in front of Kubo: uploads keep their CIDs, the gateway serves its blocks, a pin Kubo had is never removed by a user', async () => {
    const front = await serveStore(kuboStore({ url: api }), { auth: { domain: 'app.example', chainId: 31337 }, stateDir: join(dir, 'front-state') })
    try {
      const writer = kuboStore({ url: front.url, headers: { authorization: `Bearer ${await signIn(front.url)}` } })
      const bytes = randomBytes(700_000)
      const { cid } = await writer.add(bytes)
      expect(await ipfs('pin', 'ls', '--type=recursive', '--quiet', cid.toString())).toBe(cid.toString())
      expect(Buffer.from(await collect(gatewayReader({ url: front.url }).cat(cid)))).toEqual(Buffer.from(bytes))

      await writeFile(join(dir, 'operator.bin'), randomBytes(5000))
      const operators = await ipfs('add', '-Q', '--cid-version=1', join(dir, 'operator.bin'))
      await writer.pin(operators)
      await writer.unpin(operators)
      expect(await ipfs('pin', 'ls', '--type=recursive', '--quiet', operators)).toBe(operators)

      await writer.unpin(cid)
      await expect(ipfs('pin', 'ls', '--type=recursive', '--quiet', cid.toString())).rejects.toThrow(/not pinned/)
    } finally {
      await front.close()
    }
  }, 120_000)
})
