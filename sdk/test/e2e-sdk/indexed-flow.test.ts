// The SDK's reads through the real subgraph WASM run by the local indexer (devnode) over the same
// in-process chain: search, models, orders, accounts, stats, evaluations, and a lagging indexer.
import { randomBytes } from 'node:crypto'
import { parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { IndexerBehindError, IndexerUnavailableError } from '../../src/errors/indexer.ts'
import { subgraphIndexer } from '../../src/indexer/subgraph.ts'
import { startProtocol } from '../actions/harness.ts'
import { startIndexer } from './indexer.ts'

let p: Awaited<ReturnType<typeof startProtocol>>
let indexer: Awaited<ReturnType<typeof startIndexer>>
// Catches up once at start, then polls hourly: it lags every block the tests add.
let lagging: Awaited<ReturnType<typeof startIndexer>>
const files = () => [{ path: 'model.onnx', size: 50_000, content: randomBytes(50_000) }]
const base = { summary: 'A model', task: 'text-classification', license: 'MIT', commercialUse: false }
const wait = { waitForIndexer: 20_000 }

beforeAll(async () => {
  p = await startProtocol()
  ;[indexer, lagging] = await Promise.all([startIndexer(p.provider, p.deployment), startIndexer(p.provider, p.deployment, { pollIntervalMs: 3_600_000 })])
  await lagging.node.waitForBlock(Number(await p.publicClient.getBlockNumber()), { timeoutMs: 120_000 })
  p = { ...p, ...withIndexer(subgraphIndexer({ url: indexer.url })) }
}, 600_000)
afterAll(async () => {
  await Promise.all([indexer?.stop(), lagging?.stop()])
  await p?.close()
})

function withIndexer(idx: ReturnType<typeof subgraphIndexer>) {
  const { accounts, clientOf } = p
  return {
    seller: clientOf(accounts.seller, { indexer: idx }),
    buyer: clientOf(accounts.buyer, { indexer: idx }),
    stranger: clientOf(accounts.stranger, { indexer: idx }),
    evaluator: clientOf(accounts.evaluator, { indexer: idx }),
    reader: clientOf(undefined, { indexer: idx }),
  }
}

describe('indexed market', () => {
  let sentiment: bigint
  let orderId: bigint

  it('lists, sells and finds the order and the key through the indexer', async () => {
    const listed = await p.seller.listModel({ ...base, name: 'Sentiment analyzer', tags: ['nlp', 'sentiment'], files: files(), price: parseEther('10') })
    sentiment = listed.modelId
    await p.seller.listModel({ ...base, name: 'Image tagger', tags: ['vision'], task: 'image-classification', files: files(), price: parseEther('3') })
    await p.seller.listModel({ ...base, name: 'Free sentiment baseline', tags: ['nlp'], files: files(), price: 0n })
    const bought = await p.buyer.buyModel({ modelId: sentiment })
    orderId = bought.orderId
    const delivered = await p.seller.deliverOrder({ orderId })

    const { orders } = await p.buyer.getOrders({ buyer: p.accounts.buyer.account.address, minBlock: delivered.blockNumber, ...wait })
    expect(orders).toHaveLength(1)
    expect(orders[0]).toMatchObject({ orderId, modelId: sentiment, modelName: 'Sentiment analyzer', status: 'Delivered', amount: parseEther('10'), delivered: true, version: 1, keyCommitment: listed.keyCommitment, badDeliveryProven: false })
    const { keySource, entries } = await p.buyer.downloadModel({ modelId: sentiment })
    expect(keySource).toBe('indexer')
    for await (const entry of entries) for await (const _ of entry.content);

    const confirmed = await p.buyer.confirmOrder({ orderId })
    const reviewed = await p.buyer.reviewOrder({ orderId, rating: 4 })
    const model = await p.reader.getModel({ modelId: sentiment, minBlock: reviewed.blockNumber, ...wait })
    expect(model).toMatchObject({ name: 'Sentiment analyzer', salesCount: 1, ratingCount: 1, ratingAverage: 4, versionCount: 1 })
    expect(model?.versions[0]).toMatchObject({ version: 1, semver: '1.0.0' })
    void confirmed
  })

  it('searches by text, tags, task, price and rating, sorted and paged', async () => {
    const names = async (parameters: Parameters<typeof p.reader.searchModels>[0]) => (await p.reader.searchModels(parameters)).models.map((m) => m.name)
    expect(await names({ text: 'sentiment' })).toEqual(expect.arrayContaining(['Sentiment analyzer', 'Free sentiment baseline']))
    expect(await names({ text: 'senti' })).toHaveLength(2)
    // by relevance, most relevant first: "sentiment" in the name and a tag outranks it in the name alone
    expect(await names({ text: 'sentiment' })).toEqual(['Sentiment analyzer', 'Free sentiment baseline'])
    expect(await names({ text: 'sentiment', orderDirection: 'asc' })).toEqual(['Free sentiment baseline', 'Sentiment analyzer'])
    const best = await p.reader.searchModels({ text: 'sentiment', first: 1 })
    expect(best.models.map((m) => m.name)).toEqual(['Sentiment analyzer'])
    expect(await p.reader.searchModels({ text: 'sentiment', first: 1, after: best.nextCursor })).toMatchObject({ models: [{ name: 'Free sentiment baseline' }], nextCursor: undefined })
    // text with a sort (graph-node's fulltext fields take no orderBy: the SDK sorts the matches by id)
    expect(await names({ text: 'sentiment', orderBy: 'price' })).toEqual(['Free sentiment baseline', 'Sentiment analyzer'])
    expect(await names({ text: 'sentiment', orderBy: 'price', orderDirection: 'desc', tags: ['nlp'] })).toEqual(['Sentiment analyzer', 'Free sentiment baseline'])
    expect(await names({ text: 'tagger', orderBy: 'newest' })).toEqual(['Image tagger'])
    expect(await names({ tags: ['vision'] })).toEqual(['Image tagger'])
    expect(await names({ task: 'text-classification', orderBy: 'price', orderDirection: 'asc' })).toEqual(['Free sentiment baseline', 'Sentiment analyzer'])
    expect(await names({ minPrice: 1n, maxPrice: parseEther('5') })).toEqual(['Image tagger'])
    expect(await names({ minRating: 3.5 })).toEqual(['Sentiment analyzer'])
    expect(await names({ orderBy: 'sales' })).toHaveLength(3)
    const first = await p.reader.searchModels({ orderBy: 'newest', first: 2 })
    expect(first.models.map((m) => m.name)).toEqual(['Free sentiment baseline', 'Image tagger'])
    const second = await p.reader.searchModels({ orderBy: 'newest', first: 2, after: first.nextCursor })
    expect(second).toMatchObject({ models: [{ name: 'Sentiment analyzer' }], nextCursor: undefined })
  })

  it('filters by evaluation verdict and lists evaluations', async () => {
    await p.evaluator.attestEvaluation({ modelId: sentiment, version: 1, suite: 'amm-checks/v1', verdict: 'pass', score: 900_000, report: { format: 'onnx', verdict: 'pass', findings: [], metrics: { accuracy: 0.9 } } })
    const failed = await p.evaluator.attestEvaluation({ modelId: sentiment + 1n, version: 1, suite: 'amm-checks/v1', verdict: 'fail', score: 0, report: 'ipfs://bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e' })
    const passed = await p.reader.searchModels({ verdict: { suite: 'amm-checks/v1', verdict: 'Pass' }, minBlock: failed.blockNumber, ...wait })
    expect(passed.models.map((m) => m.name)).toEqual(['Sentiment analyzer'])
    expect(passed.models[0]?.verdicts).toEqual([{ suite: 'amm-checks/v1', verdict: 'Pass', score: 900_000, version: 1 }])
    const [evaluation] = await p.reader.getEvaluations({ modelId: sentiment, withReports: true })
    expect(evaluation).toMatchObject({ version: 1, suite: 'amm-checks/v1', verdict: 'Pass', score: 900_000, revoked: false, report: { metrics: { accuracy: 0.9 } } })
  })

  it('reads accounts and market stats', async () => {
    const profile = await p.seller.setProfile({ handle: 'acme_ai', profile: { name: 'Acme AI' } })
    const seller = await p.reader.getAccount({ address: p.accounts.seller.account.address, minBlock: profile.blockNumber, ...wait })
    expect(seller).toMatchObject({ handle: 'acme_ai', modelCount: 3, salesCount: 1, sellerRatingAverage: 4 })
    expect(seller?.pendingPayouts).toEqual([{ token: p.deployment.contracts.PlatformToken.address.toLowerCase(), amount: parseEther('9.75') }])
    const stats = await p.reader.marketStats({ days: 7 })
    expect(stats).toMatchObject({ modelCount: 3, orderCount: 1, licensedOrderCount: 1, reviewCount: 1, feeBps: 250 })
    expect(stats.days[0]).toMatchObject({ newModelCount: 3, orderCount: 1 })
  })
})

describe('indexer faults', () => {
  it('downloads from the logs when the indexer lags, and says it is behind', async () => {
    const clients = withIndexer(subgraphIndexer({ url: lagging.url }))
    const { modelId } = await clients.seller.listModel({ ...base, name: 'Late model', files: files(), price: parseEther('1') })
    const { orderId } = await clients.stranger.buyModel({ modelId })
    const { blockNumber } = await clients.seller.deliverOrder({ orderId })
    const download = await clients.stranger.downloadModel({ modelId })
    expect(download).toMatchObject({ keySource: 'logs', orderId })
    for await (const entry of download.entries) for await (const _ of entry.content);
    const behind = await clients.stranger.getOrders({ minBlock: blockNumber }).catch((e) => e)
    expect(behind).toBeInstanceOf(IndexerBehindError)
    expect(behind.requiredBlock).toBe(blockNumber)
  })

  it('reports an unreachable indexer as IndexerUnavailableError', async () => {
    const gone = p.clientOf(undefined, { indexer: subgraphIndexer({ url: 'http://127.0.0.1:9/subgraphs/name/x', timeout: 2000 }) })
    await expect(gone.searchModels({ text: 'x' })).rejects.toBeInstanceOf(IndexerUnavailableError)
  })
})
