// The file side of the market on the real deployed proxies: list (encrypt + add) → buy → the
// seller agent delivers → download (unwrap, fetch, verify, decrypt) → confirm → review; later
// versions, free models, licenses, a store failing mid-upload and agent restarts.
import { mkdtemp, open, readFile, readdir, rm, mkdir, writeFile } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { downloadModelTo } from '../../src/actions/node/downloadModelTo.ts'
import type { SellerAgentEvent } from '../../src/actions/seller/startSellerAgent.ts'
import { evaluationsAbi, modelRegistryAbi } from '../../src/contracts/abis.ts'
import { deriveModelKey, modelKeyTypedData } from '../../src/crypto/keys.ts'
import { archiveInputsFromPath } from '../../src/crypto/node/archive.ts'
import { NotLicensedError } from '../../src/errors/chain.ts'
import { IntegrityError, StoreUnavailableError } from '../../src/errors/storage.ts'
import type { ContentStore } from '../../src/storage/types.ts'
import { startProtocol } from '../actions/harness.ts'
import { integrityHint } from '../helpers.ts'

let p: Awaited<ReturnType<typeof startProtocol>>
let work: string
let modelDir: string
// Several STREAM chunks and UnixFS blocks.
const weights = randomBytes(700_000)
const fields = { name: 'Sentiment classifier', summary: 'Reviews to 1-5 stars', tags: ['nlp', 'sentiment'], task: 'text-classification', license: 'Apache-2.0', commercialUse: true }

beforeAll(async () => {
  p = await startProtocol()
  work = await mkdtemp(join(tmpdir(), 'amm-sdk-e2e-'))
  modelDir = join(work, 'model')
  await mkdir(join(modelDir, 'weights'), { recursive: true })
  await writeFile(join(modelDir, 'weights', 'model.safetensors'), weights)
  await writeFile(join(modelDir, 'config.json'), '{"labels":5}')
}, 120_000)
afterAll(async () => {
  await p?.close()
  await rm(work, { recursive: true, force: true })
})

async function expectSameFiles(dir: string) {
  expect((await readdir(dir, { recursive: true })).sort()).toEqual(['config.json', 'weights', 'weights/model.safetensors'])
  // Buffer.equals: a deep toEqual over 700k elements takes seconds.
  expect((await readFile(join(dir, 'weights', 'model.safetensors'))).equals(weights)).toBe(true)
  expect(await readFile(join(dir, 'config.json'), 'utf8')).toBe('{"labels":5}')
}

describe('list → buy → deliver → download → confirm → review', () => {
  it('sells an encrypted model end to end', async () => {
    const progress: string[] = []
    const listed = await p.seller.listModel({
      ...fields,
      files: await archiveInputsFromPath(modelDir),
      card: { description: 'DistilBERT fine-tuned on 50k reviews.' },
      price: parseEther('10'),
      changelog: 'First release.',
      onProgress: (e) => progress.push(e.stage),
    })
    expect(listed).toMatchObject({ version: 1, size: expect.any(Number) })
    expect(listed.files.map((f) => f.path)).toEqual(['config.json', 'weights/model.safetensors'])
    expect(progress.at(-1)).toBe('registering')
    expect(progress).toContain('adding')
    // The stored archive is ciphertext: the file names do not appear in it.
    const stored: number[] = []
    for await (const chunk of p.store.cat(listed.contentCID, { length: 8192 })) stored.push(...chunk)
    expect(Buffer.from(stored).includes('model.safetensors')).toBe(false)

    const events: SellerAgentEvent[] = []
    const agent = p.seller.startSellerAgent({ pollingInterval: 50, onProgress: (e) => events.push(e) })
    const { orderId } = await p.buyer.buyModel({ modelId: listed.modelId, maxPrice: parseEther('10') })
    await agent.caughtUp()
    await agent.stop()
    expect(events).toContainEqual(expect.objectContaining({ type: 'delivered', orderId, modelId: listed.modelId }))

    const dir = join(work, 'bought')
    const downloaded = await downloadModelTo(p.buyer, { modelId: listed.modelId, dir })
    expect(downloaded).toMatchObject({ version: 1, keySource: 'logs', orderId, sha256: listed.sha256 })
    await expectSameFiles(dir)

    await p.buyer.confirmOrder({ orderId })
    await p.buyer.reviewOrder({ orderId, rating: 4, comment: 'Accurate on my data.' })

    // A version published after the purchase opens with the same delivery.
    await writeFile(join(modelDir, 'config.json'), '{"labels":5,"v":2}')
    const v2 = await p.seller.publishVersion({ modelId: listed.modelId, files: await archiveInputsFromPath(modelDir), semver: '1.1.0', changelog: 'Retrained.' })
    expect(v2.version).toBe(2)
    const dir2 = join(work, 'bought-v2')
    expect((await downloadModelTo(p.buyer, { modelId: listed.modelId, dir: dir2 })).version).toBe(2)
    expect(await readFile(join(dir2, 'config.json'), 'utf8')).toBe('{"labels":5,"v":2}')
    await writeFile(join(modelDir, 'config.json'), '{"labels":5}')
  })

  it('streams a free model’s public files to anyone, without a key', async () => {
    const { modelId } = await p.seller.listModel({ ...fields, name: 'Free tagger', files: await archiveInputsFromPath(modelDir), price: 0n })
    const { keySource, entries } = await p.stranger.downloadModel({ modelId })
    expect(keySource).toBe('public')
    expect(await readAll(entries)).toEqual(['config.json', 'weights/model.safetensors'])
  })
})

/** Reads every file of a download to the end; returns their paths. */
async function readAll(entries: AsyncIterable<{ path: string; content: AsyncIterable<Uint8Array> }>) {
  const paths: string[] = []
  for await (const entry of entries) {
    paths.push(entry.path)
    for await (const _ of entry.content);
  }
  return paths
}

describe('free and paid versions', () => {
  it('tells a public version from an encrypted one by the price the model had when it was published', async () => {
    const files = await archiveInputsFromPath(modelDir)
    const { modelId } = await p.seller.listModel({ ...fields, name: 'Free, then paid, then free', files, price: 0n })
    await p.seller.setPrice({ modelId, price: parseEther('1') })
    await p.seller.publishVersion({ modelId, files: await archiveInputsFromPath(modelDir), semver: '2.0.0' })
    await p.seller.setPrice({ modelId, price: 0n })
    await p.seller.publishVersion({ modelId, files: await archiveInputsFromPath(modelDir), semver: '3.0.0' })
    // the current price (0) does not open version 2, encrypted while the model was paid
    const v1 = await p.stranger.downloadModel({ modelId, version: 1 })
    expect(v1.keySource).toBe('public')
    expect(await readAll(v1.entries)).toEqual(['config.json', 'weights/model.safetensors'])
    await expect(p.stranger.downloadModel({ modelId, version: 2 })).rejects.toMatchObject({ code: 'NOT_LICENSED', reason: 'no-order' })
    const v3 = await p.stranger.downloadModel({ modelId, version: 3 })
    expect(v3.keySource).toBe('public')
    expect(await readAll(v3.entries)).toEqual(['config.json', 'weights/model.safetensors'])
    await expect(p.seller.requestEvaluation({ modelId, version: 4, evaluator: p.accounts.evaluator.account.address })).rejects.toMatchObject({
      errorName: 'RegistryUnknownVersion',
    })
  })

  it('reports a free model whose archive is damaged at its start as damaged data, not as unlicensed', async () => {
    // a file name of its own: no other listing shares this archive's blocks
    const name = `head-${randomBytes(4).toString('hex')}.bin`
    const own = join(work, 'damaged-head')
    await mkdir(own)
    await writeFile(join(own, name), randomBytes(10_000))
    const { modelId } = await p.seller.listModel({ ...fields, name: 'Free, damaged on disk', files: await archiveInputsFromPath(own), price: 0n })
    expect((await p.buyer.buyModel({ modelId })).payment).toBe('free')

    // the store's disk flips the archive's first byte (the "A" of its magic), under a store that trusts its disk
    const packs = (await readdir(p.storeDir, { recursive: true })).filter((f) => f.endsWith('.pack'))
    let damaged = 0
    for (const pack of packs) {
      const bytes = await readFile(join(p.storeDir, pack))
      for (let at = bytes.indexOf('AMMARCH1'); at >= 0; at = bytes.indexOf('AMMARCH1', at + 1)) {
        if (!bytes.subarray(at, at + 4096).includes(name)) continue
        const file = await open(join(p.storeDir, pack), 'r+')
        await file.write(Buffer.from([bytes[at]! ^ 1]), 0, 1, at)
        await file.close()
        damaged++
      }
    }
    expect(damaged).toBe(1)

    const error = await downloadModelTo(p.buyer, { modelId, dir: join(work, 'damaged-out') }).catch((e) => e)
    expect(error).toBeInstanceOf(IntegrityError)
    expect(error).toMatchObject({ code: 'INTEGRITY', check: 'sha256', hint: integrityHint })
    expect(await readdir(join(work, 'damaged-out')).catch(() => [])).toEqual([])
  })
})

describe('licenses', () => {
  it('tells a non-buyer and an undelivered buyer apart', async () => {
    const { modelId } = await p.seller.listModel({ ...fields, files: await archiveInputsFromPath(modelDir), price: parseEther('1') })
    const stranger = await p.stranger.downloadModel({ modelId }).catch((e) => e)
    expect(stranger).toBeInstanceOf(NotLicensedError)
    expect(stranger.reason).toBe('no-order')
    await p.buyer.buyModel({ modelId })
    await expect(p.buyer.downloadModel({ modelId })).rejects.toMatchObject({ code: 'NOT_LICENSED', reason: 'not-delivered' })
  })
})

describe('faults', () => {
  it('registers nothing when the store dies mid-upload', async () => {
    // A real store that drops the connection after 300 kB, as a node going down would.
    const dying: ContentStore = {
      ...p.store,
      async add(source) {
        let seen = 0
        await p.store.add(
          (async function* () {
            for await (const chunk of source as AsyncIterable<Uint8Array>) {
              seen += chunk.length
              if (seen > 300_000) throw new StoreUnavailableError('http://127.0.0.1:5001', { details: 'socket hang up' })
              yield chunk
            }
          })(),
        )
        throw new Error('unreachable: the upload above fails')
      },
    }
    const seller = p.clientOf(p.accounts.seller, { store: dying })
    const count = await p.publicClient.readContract({ address: p.deployment.contracts.ModelRegistry.address, abi: (await import('../../src/contracts/abis.ts')).modelRegistryAbi, functionName: 'modelCount' })
    const nonce = await p.publicClient.getTransactionCount({ address: p.accounts.seller.account.address })
    const error = await seller.listModel({ ...fields, files: await archiveInputsFromPath(modelDir), price: parseEther('1') }).catch((e) => e)
    expect(error).toBeInstanceOf(StoreUnavailableError)
    expect(await p.publicClient.getTransactionCount({ address: p.accounts.seller.account.address })).toBe(nonce)
    expect(await p.publicClient.readContract({ address: p.deployment.contracts.ModelRegistry.address, abi: (await import('../../src/contracts/abis.ts')).modelRegistryAbi, functionName: 'modelCount' })).toBe(count)
  })

  it('rejects bad files before uploading anything', async () => {
    const before = await Array.fromAsync(p.store.pins())
    const cases = [
      [{ files: [] }, 'files'],
      [{ files: [{ path: 'a.bin', size: -1, content: new Uint8Array() }] }, 'files[0].size'],
      [{ files: await archiveInputsFromPath(modelDir), semver: 'v1' }, 'semver'],
      [{ files: await archiveInputsFromPath(modelDir), name: 'x'.repeat(101) }, 'name'],
      [{ files: await archiveInputsFromPath(modelDir), license: '' }, 'license'],
      [{ files: await archiveInputsFromPath(modelDir), price: 2n ** 88n }, 'price'],
    ] as const
    for (const [override, parameter] of cases) {
      const error = await p.seller.listModel({ ...fields, price: 1n, ...(override as object) } as never).catch((e) => e)
      expect(error, parameter).toMatchObject({ code: 'INVALID_INPUT', parameter })
    }
    expect(await Array.fromAsync(p.store.pins())).toEqual(before)
  })

  it('restarts the seller agent without delivering twice', async () => {
    const { modelId } = await p.seller.listModel({ ...fields, files: await archiveInputsFromPath(modelDir), price: parseEther('1') })
    const first = await p.buyer.buyModel({ modelId })
    const events: SellerAgentEvent[] = []
    const agent = p.seller.startSellerAgent({ pollingInterval: 50, onProgress: (e) => events.push(e) })
    await agent.caughtUp()
    await agent.stop()
    const second = await p.stranger.buyModel({ modelId })
    const restarted: SellerAgentEvent[] = []
    const again = p.seller.startSellerAgent({ pollingInterval: 50, onProgress: (e) => restarted.push(e) })
    await again.caughtUp()
    await again.stop()
    const ofOrder = (list: SellerAgentEvent[], orderId: bigint) => list.filter((e) => 'orderId' in e && e.orderId === orderId).map((e) => e.type)
    expect(ofOrder(events, first.orderId)).toEqual(['delivered'])
    expect(ofOrder(restarted, first.orderId)).toEqual(['skipped'])
    expect(ofOrder(restarted, second.orderId)).toEqual(['delivered'])
    expect(restarted.filter((e) => e.type === 'failed')).toEqual([])
  })

  it('retries a delivery that failed for a transient reason', async () => {
    const { modelId } = await p.seller.listModel({ ...fields, files: await archiveInputsFromPath(modelDir), price: parseEther('1') })
    const { orderId } = await p.buyer.buyModel({ modelId })
    // The seller's wallet refuses the first signature (locked, busy), then works.
    let refusals = 1
    const signTypedData: typeof p.accounts.seller.signTypedData = async (args) => {
      if (refusals-- > 0) throw new Error('wallet is locked')
      return p.accounts.seller.signTypedData(args)
    }
    const flaky = { ...p.accounts.seller, signTypedData }
    const events: SellerAgentEvent[] = []
    const agent = p.clientOf(flaky).startSellerAgent({ fromBlock: (await p.publicClient.getBlockNumber()) - 1n, pollingInterval: 50, onProgress: (e) => events.push(e) })
    await agent.caughtUp()
    await new Promise((resolve) => setTimeout(resolve, 300)) // a few more rounds
    await agent.stop()
    const ofOrder = events.filter((e) => 'orderId' in e && e.orderId === orderId)
    expect(ofOrder.map((e) => e.type)).toEqual(['failed', 'delivered'])
    expect((ofOrder[0] as { error: Error }).error).toMatchObject({ code: 'CHAIN_REQUEST_FAILED' })
  })
  it('delivers the open orders of a model transferred to the wallet after they were placed; the former owner does not', async () => {
    const { modelId } = await p.seller.listModel({ ...fields, files: await archiveInputsFromPath(modelDir), price: parseEther('1') })
    const { orderId } = await p.buyer.buyModel({ modelId })
    // The former owner hands the model key over with the token (its key is derived from its wallet).
    const registry = p.deployment.contracts.ModelRegistry.address
    const typedData = modelKeyTypedData({ chainId: p.deployment.chainId, registry, modelId })
    const modelKey = deriveModelKey(await p.accounts.seller.signTypedData({ account: p.accounts.seller.account, ...typedData }))
    const newOwner = p.stranger
    const events: SellerAgentEvent[] = []
    // Started after the order's block: only the transfer can bring that order to this agent.
    const agent = newOwner.startSellerAgent({ fromBlock: (await p.publicClient.getBlockNumber()) + 1n, pollingInterval: 50, modelKeys: new Map([[modelId, modelKey]]), onProgress: (e) => events.push(e) })
    await agent.caughtUp()
    expect(events.filter((e) => e.type !== 'scanned')).toEqual([])
    const hash = await p.accounts.seller.writeContract({
      address: registry,
      abi: modelRegistryAbi,
      functionName: 'transferFrom',
      args: [p.accounts.seller.account.address, p.accounts.stranger.account.address, modelId],
    })
    await p.publicClient.waitForTransactionReceipt({ hash })

    const former: SellerAgentEvent[] = []
    const formerAgent = p.seller.startSellerAgent({ pollingInterval: 50, onProgress: (e) => former.push(e) })
    await formerAgent.caughtUp()
    await formerAgent.stop()
    expect(former.filter((e) => 'orderId' in e && e.orderId === orderId)).toEqual([])

    await agent.caughtUp()
    await agent.stop()
    expect(events.filter((e) => e.type !== 'scanned')).toEqual([expect.objectContaining({ type: 'delivered', orderId, modelId })])
    const dir = join(work, 'transferred')
    expect(await downloadModelTo(p.buyer, { modelId, dir })).toMatchObject({ orderId, keySource: 'logs' })
    await expectSameFiles(dir)

    // A restart from the deployment block finds the order delivered.
    const restarted: SellerAgentEvent[] = []
    const again = newOwner.startSellerAgent({ pollingInterval: 50, modelKeys: new Map([[modelId, modelKey]]), onProgress: (e) => restarted.push(e) })
    await again.caughtUp()
    await again.stop()
    expect(restarted.filter((e) => 'orderId' in e && e.orderId === orderId).map((e) => e.type)).toEqual(['skipped'])
    expect(restarted.filter((e) => e.type === 'failed')).toEqual([])
  })
})

describe('evaluations', () => {
  it('wraps the model key to an evaluator, who checks it against the commitment, downloads and attests that it opens the version', async () => {
    const { modelId } = await p.seller.listModel({ ...fields, files: await archiveInputsFromPath(modelDir), price: parseEther('1') })
    await p.evaluator.setEvaluatorKey()
    const { requestId, wrappedKey } = await p.seller.requestEvaluation({ modelId, version: 1, evaluator: p.accounts.evaluator.account.address })
    expect(wrappedKey).toHaveLength(2 + 160)
    const opened = await p.evaluator.openEvaluationRequest({ requestId })
    expect(opened).toMatchObject({ modelId, version: 1, status: 'Open', key: { matchesCommitment: true } })
    const dir = join(work, 'evaluated')
    const { keySource, sha256Checked } = await downloadModelTo(p.evaluator, { modelId, version: 1, versionKey: opened.versionKey, dir })
    // a given key is not checked against a commitment: the whole archive is checked against the chain
    expect({ keySource, sha256Checked }).toEqual({ keySource: 'given', sha256Checked: true })
    await expectSameFiles(dir)
    const { attestationId, reportURI } = await p.evaluator.attestEvaluation({
      modelId,
      version: 1,
      requestId,
      suite: 'amm-checks/v1',
      verdict: 'pass',
      score: 1_000_000,
      report: { format: 'safetensors', verdict: 'pass', findings: [], metrics: {} },
      keyCheck: { keyCommitment: opened.key?.keyCommitment ?? '0x', opens: true },
    })
    expect(attestationId).toBeGreaterThan(0n)
    const [attested] = await p.publicClient.getContractEvents({
      address: p.deployment.contracts.Evaluations.address,
      abi: evaluationsAbi,
      eventName: 'EvaluationAttested',
      args: { attestationId },
      fromBlock: 0n,
    })
    expect(attested?.args).toMatchObject({ keyCommitment: opened.key?.keyCommitment, keyCheck: 1 })
    expect(reportURI).toMatch(/^ipfs:\/\//)
    expect((await p.evaluator.openEvaluationRequest({ requestId })).status).toBe('Fulfilled')
    await expect(p.stranger.attestEvaluation({ modelId, version: 1, suite: 's', verdict: 'fail', score: 0, report: 'ipfs://x' })).rejects.toMatchObject({
      errorName: 'AccessManagedUnauthorized',
    })
  })
})
