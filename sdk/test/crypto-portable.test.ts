import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { decryptStream, encryptStream } from '../src/crypto/stream.ts'
import { sha256 as nodeSha256 } from '../src/crypto/primitives.ts'
import { collect, flip, randomBytes } from './helpers.ts'

// The browser path (WebCrypto + @noble) must read and write exactly what the node:crypto path does.
describe('portable crypto path (no node:crypto, as in browsers)', () => {
  let portable: typeof import('../src/crypto/stream.ts')
  let portablePrimitives: typeof import('../src/crypto/primitives.ts')
  const original = process.getBuiltinModule
  beforeAll(async () => {
    vi.resetModules()
    ;(process as { getBuiltinModule?: unknown }).getBuiltinModule = undefined
    portable = await import('../src/crypto/stream.ts')
    portablePrimitives = await import('../src/crypto/primitives.ts')
  })
  afterAll(() => {
    process.getBuiltinModule = original
  })

  it('decrypts what node:crypto encrypted and the other way round', async () => {
    const key = randomBytes(32)
    const plain = randomBytes(200_000)
    const a = await collect(encryptStream(plain, key))
    expect(Buffer.compare(await collect(portable.decryptStream(a, key)), plain)).toBe(0)
    const b = await collect(portable.encryptStream(plain, key))
    expect(Buffer.compare(await collect(decryptStream(b, key)), plain)).toBe(0)
    const tampered = flip(b, 100)
    await expect(collect(portable.decryptStream(tampered, key))).rejects.toMatchObject({ check: 'tag' })
  })

  it('hashes like node:crypto', () => {
    const data = randomBytes(100_000)
    expect(portablePrimitives.createSha256().update(data.subarray(0, 5)).update(data.subarray(5)).digest()).toEqual(nodeSha256(data))
  })

  it('hashes like node:crypto with WebAssembly too, piece by piece and with fresh hashers', async () => {
    const data = randomBytes(1_000_003)
    const first = await portablePrimitives.createSha256Fast()
    first.update(data.subarray(0, 7)).update(data.subarray(7, 500_000)).update(data.subarray(500_000))
    const second = await portablePrimitives.createSha256Fast()
    expect(first.digest()).toEqual(nodeSha256(data))
    expect(second.update(new Uint8Array(0)).digest()).toEqual(nodeSha256(new Uint8Array(0)))
  })

  it('decrypts several chunks ahead yet fails at the tampered one, releasing only what came before it', async () => {
    const key = randomBytes(32)
    const plain = randomBytes(20 * 65_536 + 123)
    const sealed = await collect(encryptStream(plain, key))
    // byte 10 of chunk 12: every chunk before it is released, nothing after it
    const tampered = flip(sealed, 48 + 12 * (65_536 + 16) + 10)
    const released: Uint8Array[] = []
    const read = (async () => {
      for await (const chunk of portable.decryptStream(tampered, key)) released.push(chunk)
    })()
    await expect(read).rejects.toMatchObject({ check: 'tag' })
    expect(Buffer.compare(Buffer.concat(released), plain.subarray(0, 12 * 65_536))).toBe(0)
    // a reader that stops early leaves no failing decryption behind (vitest fails on unhandled rejections)
    for await (const _ of portable.decryptStream(tampered, key)) break
    await expect(collect(portable.decryptStream(sealed.subarray(0, sealed.length - 1), key))).rejects.toMatchObject({ check: 'tag' })
  })
})
