// A real Kubo pins to serveStore's Pinning Service API with `ipfs pin remote`, and serveStore runs
// in front of a real Kubo (kuboStore as its backend). Part of `npm run test:kubo -w sdk` (KUBO_BIN).
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { createSiweMessage } from 'viem/siwe'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serveStore } from '../../src/node/serve-store/index.ts'
import { gatewayReader } from '../../src/storage/gateway.ts'
import { kuboStore } from '../../src/storage/kubo.ts'
import { embeddedStore } from '../../src/storage/node/embedded.ts'
import { collect, randomBytes, tempDir } from '../helpers.ts'
import { type KuboDaemon, kuboBin, startKubo } from './daemon.ts'

if (!kuboBin) throw new Error('Set KUBO_BIN to an ipfs binary (scripts/install-kubo.sh builds one).')
const run = promisify(execFile)

describe('serveStore and a real Kubo', () => {
  let dir: string
  let cleanup: () => Promise<void>
  let kubo: KuboDaemon
  let api: string
  let store: ReturnType<typeof embeddedStore>
  let service: Awaited<ReturnType<typeof serveStore>>
  const ipfs = async (...args: string[]) => (await run(kuboBin as string, args, { env: { ...process.env, IPFS_PATH: kubo.repo } })).stdout.trim()

  beforeAll(async () => {
    ;({ dir, cleanup } = await tempDir('amm-kubo-pin-remote-'))
    kubo = await startKubo()
    api = kubo.apiUrl
    store = embeddedStore({ dir: join(dir, 'store') })
    // the service fetches what Kubo asks it to pin from Kubo's own trustless gateway
    service = await serveStore(store, { auth: { domain: 'app.example', chainId: 31337 }, pinning: { sources: [kubo.gatewayUrl] } })
  }, 120_000)
  afterAll(async () => {
    await service?.close()
    await store?.close()
    await kubo?.stop()
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
