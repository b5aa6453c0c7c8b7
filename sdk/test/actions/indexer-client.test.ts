// subgraphIndexer over a real HTTP server answering the way graph-node does in each case.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeRuling } from '../../src/actions/arbiter/ruleDispute.ts'
import { fulltextQuery } from '../../src/actions/public/searchModels.ts'
import { IndexerQueryError, IndexerUnavailableError } from '../../src/errors/indexer.ts'
import { subgraphIndexer } from '../../src/indexer/subgraph.ts'

let url: string
const server = createServer((req, res) => {
  let body = ''
  req.on('data', (c) => (body += c))
  req.on('end', () => {
    const { query, variables } = JSON.parse(body)
    if (req.url === '/down') return res.writeHead(502).end('bad gateway')
    res.writeHead(200, { 'content-type': 'application/json' })
    if (query.includes('_meta')) return res.end(JSON.stringify({ data: { _meta: { block: { number: 42 } } } }))
    if (query.includes('nope')) return res.end(JSON.stringify({ errors: [{ message: 'Type `Query` has no field `nope`' }] }))
    res.end(JSON.stringify({ data: { echo: variables } }))
  })
})
beforeAll(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve())).then(() => (url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`)))
afterAll(() => new Promise((resolve) => server.close(resolve)))

describe('subgraphIndexer', () => {
  it('posts the query with bigint variables as strings and reads _meta', async () => {
    const indexer = subgraphIndexer({ url })
    expect(await indexer.query('{ echo }', { price: 10n ** 18n })).toEqual({ echo: { price: '1000000000000000000' } })
    expect(await indexer.blockNumber()).toBe(42n)
  })

  it('raises IndexerQueryError with graph-node’s messages', async () => {
    const error = (await subgraphIndexer({ url }).query('{ nope }').catch((e) => e)) as IndexerQueryError
    expect(error).toBeInstanceOf(IndexerQueryError)
    expect(error.details).toBe('Type `Query` has no field `nope`')
  })

  it('raises IndexerUnavailableError for a failing or absent server', async () => {
    await expect(subgraphIndexer({ url: `${url}/down` }).query('{ x }')).rejects.toMatchObject({ code: 'INDEXER_UNAVAILABLE', status: 502 })
    await expect(subgraphIndexer({ url: 'http://127.0.0.1:9/x', timeout: 1000 }).query('{ x }')).rejects.toBeInstanceOf(IndexerUnavailableError)
  })
})

describe('encodings', () => {
  it('turns free text into a prefix tsquery', () => {
    expect(fulltextQuery('Sentiment  analy')).toBe('sentiment & analy:*')
    expect(fulltextQuery("bert's & | !")).toBe('bert & s:*')
    expect(fulltextQuery('  ')).toBeUndefined()
  })

  it('encodes rulings as the marketplace’s ERC-792 choices', () => {
    expect([encodeRuling('buyer'), encodeRuling('seller'), encodeRuling({ buyerShareBps: 0 }), encodeRuling({ buyerShareBps: 10_000 })]).toEqual([1n, 2n, 3n, 10_003n])
  })
})
