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
})
