import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chacha20 } from '@noble/ciphers/chacha.js'
import { sha256 } from '@noble/hashes/sha2.js'

export const utf8 = (s: string) => new TextEncoder().encode(s)

/** The hint every IntegrityError over downloaded data carries, whichever check failed. */
export const integrityHint =
  'The data received is not what the seller published (damaged or altered in storage or on the way): do not use it. Retry later; if it happens again, tell the seller or open a dispute.'

/**
 * Kubo's deterministic test data (test/cli/testutils/random_deterministic.go): the ChaCha20
 * keystream under key sha256(seed) and a zero nonce, streamed in 1 MiB pieces.
 */
export async function* deterministicBytes(size: number, seed: string, piece = 1 << 20): AsyncGenerator<Uint8Array> {
  const key = sha256(utf8(seed))
  const nonce = new Uint8Array(12)
  for (let offset = 0; offset < size; offset += piece) {
    const n = Math.min(piece, size - offset)
    yield chacha20(key, nonce, new Uint8Array(n), undefined, offset / 64)
  }
}

export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)))
  return out
}

export async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const p of source) parts.push(p)
  return Buffer.concat(parts)
}

/** A fresh temporary folder, removed by the returned cleanup. */
export async function tempDir(prefix = 'amm-sdk-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

/** Splits bytes into pieces of `size` to feed sources chunk by chunk. */
export function* pieces(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
}

/** A copy of `bytes` with bit(s) `mask` of byte `index` flipped. */
export function flip(bytes: Uint8Array, index: number, mask = 1): Uint8Array {
  const out = new Uint8Array(bytes)
  out[index] = (out[index] as number) ^ mask
  return out
}

/** A writable blockstore that keeps blocks in a map, keyed by CID string. */
export function memoryBlocks() {
  const blocks = new Map<string, Uint8Array>()
  return {
    blocks,
    // generic in the key, so it satisfies the importer's WritableStorage (put returns the CID it was given)
    async put<K extends { toString(): string }>(cid: K, bytes: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<K> {
      blocks.set(cid.toString(), bytes as Uint8Array)
      return cid
    },
  }
}
