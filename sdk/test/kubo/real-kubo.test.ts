// kuboStore against a real Kubo daemon (offline, loopback, throw-away repo). Run by
// `npm run test:kubo -w sdk` with KUBO_BIN pointing at an `ipfs` binary (.ci/run builds Kubo
// v0.43.1 with scripts/install-kubo.sh); never part of `npm test`, which needs Node alone.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { archiveInputsFromPath } from '../../src/crypto/node/archive.ts'
import { StoreUnavailableError } from '../../src/errors/storage.ts'
import { serveStore } from '../../src/node/serve-store/index.ts'
import { gatewayReader } from '../../src/storage/gateway.ts'
import { kuboStore } from '../../src/storage/kubo.ts'
import { embeddedStore } from '../../src/storage/node/embedded.ts'
import { startProtocol } from '../actions/harness.ts'
import { collect, tempDir } from '../helpers.ts'
import { describeStore } from '../store-suite.ts'
import { type KuboDaemon, kuboBin, startKubo } from './daemon.ts'

if (!kuboBin) throw new Error('Set KUBO_BIN to an ipfs binary (scripts/install-kubo.sh builds one).')

describeStore('kuboStore over a real Kubo', async () => {
  const kubo = await startKubo()
  return { store: kuboStore({ url: kubo.apiUrl }), cleanup: () => kubo.stop(), offlineMissing: false }
})

/** `ipfs add --cid-version=1 -Q`, the definition of our CIDs, run by Kubo's own command line. */
async function kuboCliAdd(kubo: KuboDaemon, path: string) {
  const child = spawn(kuboBin as string, ['add', '--cid-version=1', '-Q', path], { env: { ...process.env, IPFS_PATH: kubo.repo } })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  const code = await new Promise((resolve) => child.on('close', resolve))
  if (code !== 0) throw new Error(`ipfs add failed: ${out}`)
  return out.trim()
}

describe('real Kubo', () => {
  let kubo: KuboDaemon
  let work: string
  beforeAll(async () => {
    kubo = await startKubo()
    work = await mkdtemp(join(tmpdir(), 'amm-kubo-work-'))
  }, 90_000)
  afterAll(async () => {
    await kubo?.stop()
    await rm(work, { recursive: true, force: true })
  })

  it('gives the embedded store’s CIDs, and `ipfs add --cid-version=1`’s, for the same bytes', async () => {
    const { dir, cleanup } = await tempDir()
    const embedded = embeddedStore({ dir })
    const store = kuboStore({ url: kubo.apiUrl })
    try {
      const chunk = 262_144
      // empty, one byte, one chunk exactly and one past it, and past 174 links (a two-level DAG)
      for (const size of [0, 1, chunk, chunk + 1, 174 * chunk + 1]) {
        const bytes = randomBytes(size)
        const path = join(work, `bytes-${size}`)
        await writeFile(path, bytes)
        const [viaRpc, viaEmbedded, viaCli] = await Promise.all([
          store.add(bytes).then((r) => r.cid.toString()),
          embedded.add(bytes).then((r) => r.cid.toString()),
          kuboCliAdd(kubo, path),
        ])
        expect({ size, viaRpc, viaEmbedded }).toEqual({ size, viaRpc: viaCli, viaEmbedded: viaCli })
      }
    } finally {
      await embedded.close?.()
      await cleanup()
    }
  }, 120_000)

  it('sells a model listed through Kubo, downloaded through the storage service and through Kubo’s gateway', async () => {
    const p = await startProtocol()
    const service = await serveStore(kuboStore({ url: kubo.apiUrl }), { auth: { domain: 'localhost', chainId: 31337 }, stateDir: join(work, 'service-state') })
    try {
      const modelDir = join(work, 'model')
      await mkdir(modelDir, { recursive: true })
      const weights = randomBytes(900_000)
      await writeFile(join(modelDir, 'model.safetensors'), weights)
      await writeFile(join(modelDir, 'config.json'), '{"labels":3}')
      const seller = p.clientOf(p.accounts.seller, { store: kuboStore({ url: kubo.apiUrl }) })
      const listed = await seller.listModel({
        name: 'Listed through Kubo',
        task: 'text-classification',
        license: 'MIT',
        price: parseEther('3'),
        files: await archiveInputsFromPath(modelDir),
      })
      const agent = seller.startSellerAgent({ pollingInterval: 50 })
      await p.buyer.buyModel({ modelId: listed.modelId, maxPrice: parseEther('3') })
      await agent.caughtUp()
      await agent.stop()

      const readers = {
        // the service in front of Kubo, read with the Kubo RPC subset it serves
        service: kuboStore({ url: service.url }),
        // Kubo's own gateway; the reader checks every raw block against its CID
        gateway: gatewayReader({ url: kubo.gatewayUrl }),
      }
      for (const [via, store] of Object.entries(readers)) {
        const buyer = p.clientOf(p.accounts.buyer, { store })
        const { entries, sha256 } = await buyer.downloadModel({ modelId: listed.modelId })
        const files: Record<string, Buffer> = {}
        for await (const entry of entries) files[entry.path] = Buffer.from(await collect(entry.content))
        expect({ via, sha256 }).toEqual({ via, sha256: listed.sha256 })
        expect(Object.keys(files).sort()).toEqual(['config.json', 'model.safetensors'])
        expect(files['model.safetensors']?.equals(weights)).toBe(true)
      }
    } finally {
      await service.close()
      await p.close()
    }
  }, 180_000)

  it('a daemon killed mid-upload fails the listing with StoreUnavailableError and registers nothing', async () => {
    const doomed = await startKubo()
    const p = await startProtocol()
    try {
      const modelDir = join(work, 'big-model')
      await mkdir(modelDir, { recursive: true })
      await writeFile(join(modelDir, 'model.bin'), randomBytes(48 * 1024 * 1024))
      const seller = p.clientOf(p.accounts.seller, { store: kuboStore({ url: doomed.apiUrl }) })
      const before = await p.publicClient.getBlockNumber()
      let killing: Promise<void> | undefined
      const error = await seller
        .listModel({
          name: 'Never listed',
          task: 'text-classification',
          license: 'MIT',
          price: parseEther('1'),
          files: await archiveInputsFromPath(modelDir),
          onProgress: (progress) => {
            if (progress.stage === 'adding' && progress.bytes > 4 * 1024 * 1024) killing ??= doomed.kill()
          },
        })
        .catch((e) => e)
      await killing
      expect(killing).toBeDefined()
      expect(error).toBeInstanceOf(StoreUnavailableError)
      expect(error.hint).toMatch(/running|reachable/)
      // no transaction was sent: the registry saw nothing
      expect(await p.publicClient.getBlockNumber()).toBe(before)
    } finally {
      await doomed.stop()
      await p.close()
    }
  }, 180_000)
})
