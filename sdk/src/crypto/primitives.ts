/// <reference path="./hash-wasm.d.cts" />
import { hkdf as nobleHkdf } from '@noble/hashes/hkdf.js'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { IntegrityError } from '../errors/storage.ts'

/** The subset of node:crypto used for speed; reached at run time so bundlers see no Node import. */
type NodeCrypto = {
  createHash(algorithm: 'sha256'): { update(data: Uint8Array): unknown; digest(): Uint8Array }
  createSecretKey(key: Uint8Array): NodeKey
  createCipheriv(algorithm: 'aes-256-gcm', key: NodeKey, iv: Uint8Array): NodeCipher & { getAuthTag(): Uint8Array }
  createDecipheriv(algorithm: 'aes-256-gcm', key: NodeKey, iv: Uint8Array): NodeCipher & { setAuthTag(tag: Uint8Array): void }
}
type NodeKey = { readonly type: 'secret' }
type NodeCipher = { setAAD(aad: Uint8Array): unknown; update(data: Uint8Array): Uint8Array; final(): Uint8Array }

// node:crypto hashes and seals 3-8x faster than the portable code; browsers take the portable path
const nodeCrypto = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined

export const AES_GCM_TAG_LENGTH = 16

/** Cryptographically secure random bytes (WebCrypto, available in browsers and Node). */
export function randomBytes(length: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(length))
}

export type Sha256Hasher = { update(data: Uint8Array): Sha256Hasher; digest(): Uint8Array }

/** An incremental SHA-256. */
export function createSha256(): Sha256Hasher {
  if (nodeCrypto) {
    const h = nodeCrypto.createHash('sha256')
    const hasher: Sha256Hasher = {
      update(data) {
        h.update(data)
        return hasher
      },
      digest: () => new Uint8Array(h.digest()),
    }
    return hasher
  }
  const h = nobleSha256.create()
  const hasher: Sha256Hasher = {
    update(data) {
      h.update(data)
      return hasher
    },
    digest: () => h.digest(),
  }
  return hasher
}

export const sha256 = (data: Uint8Array): Uint8Array => createSha256().update(data).digest()

// loaded on first use, so pages that never hash a model do not download it
let wasmSha256: Promise<(() => Promise<WasmHasher>) | undefined> | undefined
type WasmHasher = { update(data: Uint8Array): unknown; digest(format: 'binary'): Uint8Array }

async function loadWasmSha256(): Promise<(() => Promise<WasmHasher>) | undefined> {
  try {
    // the package's build of SHA-256 alone (20 KB): bundlers do not trim its index of every
    // algorithm when it is loaded with import()
    const { createSHA256 } = (await import('hash-wasm/dist/sha256.umd.min.js')).default
    await createSHA256() // compiles the module once: a refusal shows here
    return createSHA256
  } catch {
    return undefined
  }
}

/**
 * The fastest incremental SHA-256 at hand, for hashing whole models: node:crypto in Node,
 * WebAssembly in browsers (about twice the portable code's speed), the portable code where
 * WebAssembly is refused (a Content-Security-Policy without `wasm-unsafe-eval`).
 */
export async function createSha256Fast(): Promise<Sha256Hasher> {
  if (nodeCrypto) return createSha256()
  wasmSha256 ??= loadWasmSha256()
  const create = await wasmSha256
  if (!create) return createSha256()
  const h = await create()
  const hasher: Sha256Hasher = {
    update(data) {
      h.update(data)
      return hasher
    },
    digest: () => h.digest('binary'),
  }
  return hasher
}

/** HKDF-SHA256 (RFC 5869). */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return nobleHkdf(nobleSha256, ikm, salt, info, length)
}

/** AES-256-GCM with a 12-byte nonce and a 16-byte tag appended to the ciphertext. */
export type AesGcm = {
  /** The ciphertext and its tag, kept apart so large chunks are not copied once more to join them. */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Promise<[ciphertext: Uint8Array, tag: Uint8Array]>
  /** Throws IntegrityError (check `tag`) when authentication fails. */
  open(nonce: Uint8Array, ciphertext: Uint8Array, aad?: Uint8Array): Promise<Uint8Array>
}

const tagFailure = (cause?: unknown) =>
  new IntegrityError('tag', 'Decryption failed: the data was modified, truncated or reordered, or the key is wrong.', {
    cause,
    details: 'AES-256-GCM authentication tag mismatch',
  })

export function aesGcm(key: Uint8Array): AesGcm {
  if (nodeCrypto) {
    const node = nodeCrypto
    // one KeyObject per key: importing raw key bytes on every chunk costs more than the AES itself
    const secret = node.createSecretKey(key)
    return {
      async seal(nonce, plaintext, aad) {
        const c = node.createCipheriv('aes-256-gcm', secret, nonce)
        if (aad) c.setAAD(aad)
        const ciphertext = c.update(plaintext)
        c.final() // GCM is a stream mode: nothing is held back
        return [ciphertext, c.getAuthTag()]
      },
      async open(nonce, ciphertext, aad) {
        if (ciphertext.length < AES_GCM_TAG_LENGTH) throw tagFailure()
        const d = node.createDecipheriv('aes-256-gcm', secret, nonce)
        if (aad) d.setAAD(aad)
        d.setAuthTag(ciphertext.subarray(ciphertext.length - AES_GCM_TAG_LENGTH))
        const head = d.update(ciphertext.subarray(0, ciphertext.length - AES_GCM_TAG_LENGTH))
        let tail: Uint8Array
        try {
          tail = d.final()
        } catch (cause) {
          throw tagFailure(cause)
        }
        if (!tail.length) return new Uint8Array(head.buffer, head.byteOffset, head.byteLength)
        const out = new Uint8Array(head.length + tail.length)
        out.set(head)
        out.set(tail, head.length)
        return out
      },
    }
  }
  const subtle = globalThis.crypto.subtle
  const imported = subtle.importKey('raw', key as BufferSource, 'AES-GCM', false, ['encrypt', 'decrypt'])
  const params = (iv: Uint8Array, aad?: Uint8Array): AesGcmParams =>
    aad ? { name: 'AES-GCM', iv: iv as BufferSource, additionalData: aad as BufferSource } : { name: 'AES-GCM', iv: iv as BufferSource }
  return {
    async seal(nonce, plaintext, aad) {
      const sealed = new Uint8Array(await subtle.encrypt(params(nonce, aad), await imported, plaintext as BufferSource))
      return [sealed.subarray(0, sealed.length - AES_GCM_TAG_LENGTH), sealed.subarray(sealed.length - AES_GCM_TAG_LENGTH)]
    },
    async open(nonce, ciphertext, aad) {
      try {
        return new Uint8Array(await subtle.decrypt(params(nonce, aad), await imported, ciphertext as BufferSource))
      } catch (cause) {
        throw tagFailure(cause)
      }
    },
  }
}
