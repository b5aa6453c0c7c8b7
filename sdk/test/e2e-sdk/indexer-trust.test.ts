// An indexer is a convenience, never a source of keys: a lying or compromised indexer that hands
// the buyer a forged delivery must not stop (nor steer) a download. The delivery is read from the
// chain's logs; the indexer may only point at orders.
import { randomBytes } from 'node:crypto'
import { parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Indexer } from '../../src/indexer/types.ts'
import { startProtocol } from '../actions/harness.ts'

let p: Awaited<ReturnType<typeof startProtocol>>
beforeAll(async () => {
  p = await startProtocol()
}, 120_000)
afterAll(() => p?.close())

/** A forged 32/33/80-byte value of the shape an indexer stores for a delivery. */
const forged = (bytes: number) => `0x${randomBytes(bytes).toString('hex')}`

/** An indexer that answers every order query with `orderId`, delivered, carrying forged delivery data. */
function lyingIndexer(orderId: bigint): Indexer & { queries: number } {
  const indexer = {
    url: 'http://lying-indexer.invalid/graphql',
    queries: 0,
    async query<T>(): Promise<T> {
      indexer.queries++
      const order = {
        id: orderId.toString(),
        orderId: orderId.toString(),
        status: 'Delivered',
        wrappedKey: forged(80),
        deliveryR: forged(33),
        deliveryC: forged(32),
        buyerDeliveryKey: forged(64),
        deliverySalt: forged(32),
      }
      return { orders: [order] } as T
    },
    async blockNumber() {
      return p.publicClient.getBlockNumber()
    },
  }
  return indexer
}

describe('an indexer that lies about a delivery', () => {
  it('cannot make the buyer use its key: the delivery comes from the chain’s logs', async () => {
    const files = [{ path: 'model.onnx', size: 40_000, content: randomBytes(40_000) }]
    const { modelId } = await p.seller.listModel({ name: 'Indexed', task: 'text-classification', license: 'MIT', price: parseEther('1'), files })
    const { orderId } = await p.buyer.buyModel({ modelId })
    await p.seller.deliverOrder({ orderId })
    const indexer = lyingIndexer(orderId)
    const buyer = p.clientOf(p.accounts.buyer, { indexer })
    const { entries, orderId: used } = await buyer.downloadModel({ modelId })
    let bytes = 0
    for await (const entry of entries) for await (const chunk of entry.content) bytes += chunk.length
    expect(bytes).toBe(40_000)
    expect(used).toBe(orderId)
    expect(indexer.queries).toBeGreaterThan(0) // it was asked, and ignored where it lied
  })
})
