import { IntegrityError, InvalidInputError } from '../errors/storage.ts'
import { toAsyncIterable } from '../storage/source.ts'
import type { ByteSource, CidLike, ContentReader, OnProgress } from '../storage/types.ts'
import { concatBytes, utf8 } from './bytes.ts'
import { AES_GCM_TAG_LENGTH, aesGcm, hkdfSha256, randomBytes } from './primitives.ts'

/*
 * STREAM (Hoang, Reyhanitabar, Rogaway, Vizár 2015; as in age and Tink) over AES-256-GCM.
 *
 *   header (48 bytes) = magic "AMMSTRM\0" (8) | version 1 (1) | algorithm 1 = AES-256-GCM (1)
 *                       | reserved 0 (2) | chunk size u32 BE (4) | salt (32)
 *   file key          = HKDF-SHA256(ikm = content key, salt = header.salt,
 *                                   info = "ai-model-marketplace/stream/v1" | header[0..16])
 *   chunk i           = AES-256-GCM(file key, nonce_i, plaintext_i) = ciphertext_i | tag_i
 *   nonce_i           = i as an 11-byte big-endian counter | 1 if i is the last chunk else 0
 *
 * Every plaintext chunk is `chunkSize` bytes except the last (which may be empty). The header is
 * bound through the key, the position through the counter and the end through the last flag, so
 * bit flips, swapped or dropped chunks, truncation, a changed header and a wrong key all fail
 * authentication. Decrypted chunks are only released after their tag checks, but a consumer must
 * treat the output as incomplete until the stream ends without error.
 */

export const STREAM_HEADER_LENGTH = 48
export const STREAM_DEFAULT_CHUNK_SIZE = 65_536
const MAGIC = utf8('AMMSTRM\0')
const FORMAT_VERSION = 1
const ALGORITHM_AES_256_GCM = 1
const KEY_INFO = utf8('ai-model-marketplace/stream/v1')
const MAX_CHUNK_SIZE = 16 * 1024 * 1024

export type EncryptOptions = {
  /** Plaintext bytes per chunk (default 64 KiB). */
  chunkSize?: number
  /** Called as plaintext is consumed. */
  onProgress?: OnProgress
  /** Plaintext size if known, passed to `onProgress` as `totalBytes`. */
  totalBytes?: number
}

/** Size of the ciphertext for a plaintext of `plaintextSize` bytes. */
export function encryptedSize(plaintextSize: number, chunkSize = STREAM_DEFAULT_CHUNK_SIZE): number {
  const chunks = Math.max(1, Math.ceil(plaintextSize / chunkSize))
  return STREAM_HEADER_LENGTH + plaintextSize + chunks * AES_GCM_TAG_LENGTH
}

/** Size of the plaintext inside a ciphertext of `ciphertextSize` bytes. */
export function decryptedSize(ciphertextSize: number, chunkSize = STREAM_DEFAULT_CHUNK_SIZE): number {
  const body = ciphertextSize - STREAM_HEADER_LENGTH
  const chunks = Math.max(1, Math.ceil(body / (chunkSize + AES_GCM_TAG_LENGTH)))
  const size = body - chunks * AES_GCM_TAG_LENGTH
  if (size < 0) throw new IntegrityError('tag', 'The ciphertext is too short to be an encrypted stream.')
  return size
}

/**
 * Encrypts a byte source with a 32-byte content key, yielding the header then one sealed chunk at
 * a time (constant memory).
 *
 * @example
 * const key = generateModelKey()
 * const { cid } = await store.add(encryptStream(file.stream(), deriveVersionKey(key, 1)))
 */
export function encryptStream(source: ByteSource, key: Uint8Array, options: EncryptOptions = {}): AsyncGenerator<Uint8Array> {
  return sealStream(source, key, options)
}

/**
 * {@link encryptStream}, given the exact plaintext length when the caller knows it (an archive
 * does): each chunk is then sealed as soon as it is complete, in place in the source's buffer,
 * instead of copied and held back until the next one shows whether it was the last.
 */
export async function* sealStream(source: ByteSource, key: Uint8Array, options: EncryptOptions, exactSize?: number): AsyncGenerator<Uint8Array> {
  const chunkSize = options.chunkSize ?? STREAM_DEFAULT_CHUNK_SIZE
  if (!Number.isInteger(chunkSize) || chunkSize < 16 || chunkSize > MAX_CHUNK_SIZE)
    throw new InvalidInputError('chunkSize', `must be an integer from 16 to ${MAX_CHUNK_SIZE}`)
  checkKey(key)
  const header = new Uint8Array(STREAM_HEADER_LENGTH)
  header.set(MAGIC)
  header[8] = FORMAT_VERSION
  header[9] = ALGORITHM_AES_256_GCM
  new DataView(header.buffer).setUint32(12, chunkSize)
  header.set(randomBytes(32), 16)
  yield header
  const cipher = aesGcm(fileKey(key, header))
  let index = 0
  let bytes = 0
  const input = toAsyncIterable(source)
  const chunks = exactSize === undefined ? rechunk(input, chunkSize, true) : rechunkSized(input, chunkSize, exactSize)
  for await (const { chunk, last } of chunks) {
    const [ciphertext, tag] = await cipher.seal(nonce(index++, last), chunk)
    if (ciphertext.length) yield ciphertext
    yield tag
    bytes += chunk.length
    options.onProgress?.(options.totalBytes === undefined ? { bytes } : { bytes, totalBytes: options.totalBytes })
  }
}

/**
 * Decrypts what {@link encryptStream} produced, yielding verified plaintext chunks. Throws
 * IntegrityError (check `tag`) on any modification, truncation, reordering or a wrong key.
 */
export async function* decryptStream(
  source: ByteSource,
  key: Uint8Array,
  options: { onProgress?: OnProgress; totalBytes?: number } = {},
): AsyncGenerator<Uint8Array> {
  checkKey(key)
  const input = toAsyncIterable(source)
  const { header, rest } = await readHeader(input)
  const { chunkSize } = parseHeader(header)
  const cipher = aesGcm(fileKey(key, header))
  let index = 0
  let bytes = 0
  // WebCrypto runs each operation off the main thread and answers a task later: with several
  // chunks in flight the cipher stays busy while the page waits (in order, so nothing changes).
  const inFlight: Promise<Uint8Array>[] = []
  const release = async function* (plaintext: Uint8Array) {
    bytes += plaintext.length
    options.onProgress?.(options.totalBytes === undefined ? { bytes } : { bytes, totalBytes: options.totalBytes })
    if (plaintext.length) yield plaintext
  }
  for await (const { chunk, last } of rechunk(rest, chunkSize + AES_GCM_TAG_LENGTH, false)) {
    const opened = cipher.open(nonce(index++, last), chunk)
    // a failure is thrown where its chunk is awaited; chunks after it are never awaited
    opened.catch(() => {})
    inFlight.push(opened)
    if (inFlight.length === DECRYPT_AHEAD) yield* release(await (inFlight.shift() as Promise<Uint8Array>))
  }
  for (const opened of inFlight) yield* release(await opened)
}

/** Chunks decrypted ahead of the one being read (16 × 64 KiB): WebCrypto gets through several at once. */
const DECRYPT_AHEAD = 16

/** Random access to ciphertext bytes, e.g. `(o, n) => store.cat(cid, { offset: o, length: n })`. */
export type RangeReader = {
  /** Total ciphertext size in bytes. */
  size: number
  read(offset: number, length: number): AsyncIterable<Uint8Array>
}

/**
 * A {@link RangeReader} over a file in a store or gateway, for {@link decryptRange}.
 *
 * @example
 * const part = decryptRange(await storeRangeReader(store, cid), versionKey, { offset: 1_000_000, length: 4096 })
 */
export async function storeRangeReader(reader: ContentReader, cid: CidLike): Promise<RangeReader> {
  const { size, type } = await reader.stat(cid)
  if (type !== 'file') throw new InvalidInputError('cid', `${cid} is a directory, not an encrypted file`)
  return { size, read: (offset, length) => reader.cat(cid, { offset, length }) }
}

/**
 * Decrypts `length` plaintext bytes from `offset` without reading the rest of the file: only the
 * header and the chunks covering the range are fetched and authenticated.
 */
export async function* decryptRange(
  reader: RangeReader,
  key: Uint8Array,
  range: { offset: number; length?: number },
): AsyncGenerator<Uint8Array> {
  checkKey(key)
  const header = await readExactly(reader.read(0, STREAM_HEADER_LENGTH), STREAM_HEADER_LENGTH)
  const { chunkSize } = parseHeader(header)
  const total = decryptedSize(reader.size, chunkSize)
  const offset = Math.min(range.offset, total)
  const end = Math.min(total, range.length === undefined ? total : offset + range.length)
  if (!Number.isSafeInteger(offset) || offset < 0 || end < offset) throw new InvalidInputError('range', `invalid range ${range.offset}+${range.length}`)
  if (end === offset) return
  const sealed = chunkSize + AES_GCM_TAG_LENGTH
  const chunkCount = Math.max(1, Math.ceil((reader.size - STREAM_HEADER_LENGTH) / sealed))
  const first = Math.floor(offset / chunkSize)
  const lastNeeded = Math.floor((end - 1) / chunkSize)
  const start = STREAM_HEADER_LENGTH + first * sealed
  const stop = Math.min(reader.size, STREAM_HEADER_LENGTH + (lastNeeded + 1) * sealed)
  const cipher = aesGcm(fileKey(key, header))
  let index = first
  for await (const { chunk } of rechunk(toAsyncIterable(reader.read(start, stop - start)), sealed, false)) {
    const plaintext = await cipher.open(nonce(index, index === chunkCount - 1), chunk)
    const base = index * chunkSize
    index++
    const from = Math.max(0, offset - base)
    const to = Math.min(plaintext.length, end - base)
    if (to > from) yield plaintext.subarray(from, to)
  }
  if (index !== lastNeeded + 1) throw new IntegrityError('tag', 'The encrypted stream is shorter than its size says (truncated).')
}

function checkKey(key: Uint8Array) {
  if (!(key instanceof Uint8Array) || key.length !== 32) throw new InvalidInputError('key', 'must be 32 bytes')
}

function fileKey(key: Uint8Array, header: Uint8Array): Uint8Array {
  return hkdfSha256(key, header.subarray(16, 48), concatBytes(KEY_INFO, header.subarray(0, 16)), 32)
}

function nonce(index: number, last: boolean): Uint8Array {
  const n = new Uint8Array(12)
  new DataView(n.buffer).setBigUint64(3, BigInt(index))
  n[11] = last ? 1 : 0
  return n
}

function parseHeader(header: Uint8Array): { chunkSize: number } {
  const bad = (why: string) => new IntegrityError('tag', `Not a valid encrypted stream: ${why}.`)
  for (let i = 0; i < MAGIC.length; i++) if (header[i] !== MAGIC[i]) throw bad('wrong magic bytes')
  if (header[8] !== FORMAT_VERSION) throw bad(`unsupported format version ${header[8]}`)
  if (header[9] !== ALGORITHM_AES_256_GCM) throw bad(`unsupported algorithm ${header[9]}`)
  const chunkSize = new DataView(header.buffer, header.byteOffset).getUint32(12)
  if (chunkSize < 16 || chunkSize > MAX_CHUNK_SIZE) throw bad(`chunk size ${chunkSize} out of range`)
  return { chunkSize }
}

async function readHeader(input: AsyncGenerator<Uint8Array>): Promise<{ header: Uint8Array; rest: AsyncGenerator<Uint8Array> }> {
  const parts: Uint8Array[] = []
  let have = 0
  let leftover: Uint8Array | undefined
  while (have < STREAM_HEADER_LENGTH) {
    const { done, value } = await input.next()
    if (done) throw new IntegrityError('tag', 'The encrypted stream is shorter than its header (truncated).')
    const need = STREAM_HEADER_LENGTH - have
    parts.push(value.subarray(0, need))
    have += Math.min(need, value.length)
    if (value.length > need) leftover = value.subarray(need)
  }
  async function* rest() {
    if (leftover) yield leftover
    yield* input
  }
  return { header: concatBytes(...parts), rest: rest() }
}

async function readExactly(source: AsyncIterable<Uint8Array>, length: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  let have = 0
  for await (const part of source) {
    parts.push(part)
    have += part.length
    if (have >= length) break
  }
  if (have < length) throw new IntegrityError('tag', 'The encrypted stream is shorter than its header (truncated).')
  return concatBytes(...parts).subarray(0, length)
}

/**
 * Re-cuts a byte stream into pieces of exactly `size` bytes (the last may be shorter or empty),
 * holding one piece back so the final one can be flagged.
 */
async function* rechunk(source: AsyncIterable<Uint8Array>, size: number, copy: boolean): AsyncGenerator<{ chunk: Uint8Array; last: boolean }> {
  let buffer = new Uint8Array(size)
  let fill = 0
  let pending: Uint8Array | undefined
  for await (const data of source) {
    let offset = 0
    while (offset < data.length) {
      // a whole aligned piece goes in one step: copied when encrypting (a source reusing its buffer
      // would otherwise change what gets sealed), a view when decrypting (the tag catches any change)
      if (fill === 0 && data.length - offset >= size) {
        if (pending) yield { chunk: pending, last: false }
        pending = copy ? data.slice(offset, offset + size) : data.subarray(offset, offset + size)
        offset += size
        continue
      }
      const n = Math.min(size - fill, data.length - offset)
      buffer.set(data.subarray(offset, offset + n), fill)
      fill += n
      offset += n
      if (fill === size) {
        if (pending) yield { chunk: pending, last: false }
        pending = buffer
        buffer = new Uint8Array(size)
        fill = 0
      }
    }
  }
  if (fill > 0) {
    if (pending) yield { chunk: pending, last: false }
    yield { chunk: buffer.subarray(0, fill), last: true }
  } else yield { chunk: pending ?? new Uint8Array(0), last: true }
}

/**
 * Cuts a stream of exactly `total` bytes into pieces of `size` (the last may be shorter, or empty
 * when `total` is 0), flagging the last by position. Each piece must be used before the next is
 * asked for: whole pieces are views of the source's chunks and partial ones share one buffer.
 */
async function* rechunkSized(source: AsyncIterable<Uint8Array>, size: number, total: number): AsyncGenerator<{ chunk: Uint8Array; last: boolean }> {
  const buffer = new Uint8Array(size)
  let fill = 0
  let done = 0
  const wrongLength = (actual: string) => new InvalidInputError('source', `expected ${total} bytes, got ${actual}`)
  for await (const data of source) {
    if (done + fill + data.length > total) throw wrongLength('more')
    let offset = 0
    while (offset < data.length) {
      if (fill === 0 && data.length - offset >= size) {
        done += size
        yield { chunk: data.subarray(offset, offset + size), last: done === total }
        offset += size
        continue
      }
      const n = Math.min(size - fill, data.length - offset)
      buffer.set(data.subarray(offset, offset + n), fill)
      fill += n
      offset += n
      if (fill === size || done + fill === total) {
        done += fill
        yield { chunk: buffer.subarray(0, fill), last: done === total }
        fill = 0
      }
    }
  }
  if (done !== total) throw wrongLength(String(done))
  if (total === 0) yield { chunk: buffer.subarray(0, 0), last: true }
}
