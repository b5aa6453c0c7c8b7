import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { readAhead } from '../src/storage/source.ts'

const chunk = (n: number, size = 1024) => new Uint8Array(size).fill(n)

describe('readAhead', () => {
  it('passes every chunk through in order', async () => {
    async function* source() {
      for (let i = 0; i < 50; i++) {
        if (i % 7 === 0) await sleep(1)
        yield chunk(i)
      }
    }
    const seen: number[] = []
    for await (const c of readAhead(source(), 4096)) seen.push(c[0] as number)
    expect(seen).toEqual([...Array(50).keys()])
  })

  it('reads ahead while the consumer is busy, but no further than its limit', async () => {
    let pulled = 0
    async function* endless() {
      for (;;) {
        pulled++
        yield chunk(0)
      }
    }
    const reader = readAhead(endless(), 8 * 1024)[Symbol.asyncIterator]()
    await reader.next()
    await sleep(50) // the consumer is busy: the source is read meanwhile
    expect(pulled).toBeGreaterThanOrEqual(8)
    expect(pulled).toBeLessThanOrEqual(10) // the limit, the chunk handed out and one in flight
    await reader.return(undefined)
  })

  it('hands out what came before a failure, then the failure', async () => {
    async function* failing() {
      yield chunk(1)
      yield chunk(2)
      throw new Error('connection reset')
    }
    const seen: number[] = []
    const read = (async () => {
      for await (const c of readAhead(failing(), 1 << 20)) seen.push(c[0] as number)
    })()
    await expect(read).rejects.toThrow('connection reset')
    expect(seen).toEqual([1, 2])
  })

  it('releases the source when the consumer stops early', async () => {
    let released = false
    async function* source() {
      try {
        for (let i = 0; ; i++) yield chunk(i)
      } finally {
        released = true
      }
    }
    for await (const _ of readAhead(source(), 4096)) break
    await sleep(10)
    expect(released).toBe(true)
  })
})
