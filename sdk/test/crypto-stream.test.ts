import { describe, expect, it } from 'vitest'
import { decryptRange, decryptStream, encryptStream, encryptedSize, decryptedSize, sealStream } from '../src/crypto/stream.ts'
import { IntegrityError, InvalidInputError } from '../src/errors/index.ts'
import { collect, flip, integrityHint, pieces, randomBytes } from './helpers.ts'

const key = randomBytes(32)
const encrypt = async (plain: Uint8Array, chunkSize?: number) => collect(encryptStream(pieces(plain, 10_000), key, { chunkSize }))
const decrypt = (cipher: Uint8Array, k = key) => collect(decryptStream(pieces(cipher, 7_777), k))
const expectTagFailure = async (p: Promise<unknown>) => {
  const error = await p.then(() => undefined, (e) => e)
  expect(error).toBeInstanceOf(IntegrityError)
  expect(error).toMatchObject({ check: 'tag', hint: integrityHint })
}

describe('STREAM encryption', () => {
  it('round-trips any size, including empty and exact multiples of the chunk size', async () => {
    for (const size of [0, 1, 65_535, 65_536, 65_537, 3 * 65_536, 200_001]) {
      const plain = randomBytes(size)
      const cipher = await encrypt(plain)
      expect(cipher.length).toBe(encryptedSize(size))
      expect(decryptedSize(cipher.length)).toBe(size)
      expect(Buffer.compare(await decrypt(cipher), plain)).toBe(0)
    }
  })

  it('seals the same format when told the exact size, from a source that reuses its buffer', async () => {
    for (const size of [0, 1, 1_000, 65_536, 65_537, 3 * 65_536, 200_001]) {
      const plain = randomBytes(size)
      // one buffer refilled for every piece: sealing must be done before the next piece is read
      const reused = (async function* () {
        const piece = new Uint8Array(9_999)
        for (let at = 0; at < size; at += piece.length) {
          const n = Math.min(piece.length, size - at)
          piece.set(plain.subarray(at, at + n))
          yield piece.subarray(0, n)
        }
      })()
      const cipher = await collect(sealStream(reused, key, { chunkSize: 65_536 }, size))
      expect(cipher.length).toBe(encryptedSize(size))
      expect(Buffer.compare(await decrypt(cipher), plain)).toBe(0)
    }
    await expect(collect(sealStream(randomBytes(100), key, {}, 99))).rejects.toBeInstanceOf(InvalidInputError)
    await expect(collect(sealStream(randomBytes(100), key, {}, 101))).rejects.toBeInstanceOf(InvalidInputError)
  })

  it('uses a fresh salt, so the same plaintext never encrypts the same way twice', async () => {
    const plain = randomBytes(1000)
    expect(Buffer.compare(await encrypt(plain), await encrypt(plain))).not.toBe(0)
  })

  it('reports progress over the plaintext', async () => {
    const seen: number[] = []
    await collect(encryptStream(randomBytes(150_000), key, { onProgress: (p) => seen.push(p.bytes), totalBytes: 150_000 }))
    expect(seen).toEqual([65_536, 131_072, 150_000])
  })

  describe('rejects tampering with IntegrityError', () => {
    const plain = randomBytes(4 * 65_536 + 100)
    const cipherP = encrypt(plain)
    const sealed = 65_536 + 16
    it('a flipped ciphertext bit', async () => {
      await expectTagFailure(decrypt(flip(await cipherP, 48 + sealed + 5)))
    })
    it('a flipped tag bit in the last chunk', async () => {
      const c = await cipherP
      await expectTagFailure(decrypt(flip(c, c.length - 1, 0x80)))
    })
    it('two swapped chunks', async () => {
      const c = new Uint8Array(await cipherP)
      const a = c.slice(48, 48 + sealed)
      c.copyWithin(48, 48 + sealed, 48 + 2 * sealed)
      c.set(a, 48 + sealed)
      await expectTagFailure(decrypt(c))
    })
    it('a truncated file, at a chunk boundary and inside a chunk', async () => {
      const c = await cipherP
      await expectTagFailure(decrypt(c.subarray(0, 48 + 2 * sealed)))
      await expectTagFailure(decrypt(c.subarray(0, c.length - 10)))
      await expectTagFailure(decrypt(c.subarray(0, 48)))
      await expectTagFailure(decrypt(c.subarray(0, 20)))
    })
    it('an appended chunk', async () => {
      const c = await cipherP
      await expectTagFailure(decrypt(Buffer.concat([c, c.subarray(48, 48 + sealed)])))
    })
    it('a wrong key', async () => {
      await expectTagFailure(decrypt(await cipherP, randomBytes(32)))
    })
    it('a changed header (salt, chunk size, magic)', async () => {
      for (const at of [20, 14, 0]) {
        await expectTagFailure(decrypt(flip(await cipherP, at)))
      }
    })
  })

  it('decrypts a byte range reading only the chunks it needs', async () => {
    const plain = randomBytes(5 * 65_536 + 123)
    const cipher = await encrypt(plain)
    const reads: [number, number][] = []
    const reader = {
      size: cipher.length,
      async *read(offset: number, length: number) {
        reads.push([offset, length])
        yield* pieces(cipher.subarray(offset, offset + length), 50_000)
      },
    }
    const out = await collect(decryptRange(reader, key, { offset: 65_530, length: 70_000 }))
    expect(Buffer.compare(out, plain.subarray(65_530, 135_530))).toBe(0)
    expect(reads).toEqual([[0, 48], [48, 3 * 65_552]]) // the header, then chunks 0-2 only
    const tail = await collect(decryptRange(reader, key, { offset: plain.length - 50 }))
    expect(Buffer.compare(tail, plain.subarray(plain.length - 50))).toBe(0)
    const tampered = flip(cipher, 48 + 65_552 + 3)
    await expectTagFailure(collect(decryptRange({ ...reader, read: async function* (o, n) { yield tampered.subarray(o, o + n) } }, key, { offset: 70_000, length: 10 })))
  })

  it('validates its inputs', async () => {
    await expect(collect(encryptStream(new Uint8Array(1), new Uint8Array(16)))).rejects.toBeInstanceOf(InvalidInputError)
    await expect(collect(encryptStream(new Uint8Array(1), key, { chunkSize: 3 }))).rejects.toBeInstanceOf(InvalidInputError)
  })
})
