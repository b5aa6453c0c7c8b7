import { InvalidInputError, IntegrityError } from '../errors/storage.ts'
import { toAsyncIterable } from '../storage/source.ts'
import type { ByteSource, OnProgress } from '../storage/types.ts'
import { type BytesLike, concatBytes, type Hex, toBytes, toHex, utf8 } from './bytes.ts'
import { createSha256Fast } from './primitives.ts'
import { decryptStream, type EncryptOptions, sealStream } from './stream.ts'

/*
 * A model archive: several files as one plaintext, so that once encrypted (STREAM) nobody but a
 * buyer learns file names, file sizes or the number of files (only the total size shows).
 *
 *   magic "AMMARCH1" (8) | manifest length u32 BE (4) | manifest JSON | zero padding
 *   | file 1 bytes | sha256(file 1) (32) | file 2 bytes | sha256(file 2) | ...
 *
 *   manifest = { "version": 1, "files": [{ "path": "weights/model.safetensors", "size": 123 }, ...] }
 *
 * The header (magic + length + manifest + padding) is padded to a multiple of 4 KiB so its length
 * does not reveal how many or how long the names are. Each file's digest follows its bytes, so the
 * archive is written in one pass in constant memory and each file is checked as it is read.
 */

const MAGIC = utf8('AMMARCH1')
const HEADER_ALIGN = 4096
const MAX_MANIFEST = 16 * 1024 * 1024

/** One file to put in an archive. `content` may be a function, called once when the file's turn comes. */
export type ArchiveInput = { path: string; size: number; content: ByteSource | (() => ByteSource) }

export type ArchiveFileSummary = { path: string; size: number; sha256: Hex }

export type ArchiveSummary = {
  /** sha256 of the whole archive plaintext: the version's on-chain `sha256`. */
  sha256: Hex
  /** Archive plaintext size in bytes: the version's on-chain `size`. */
  size: number
  files: ArchiveFileSummary[]
}

export type PackOptions = { onProgress?: OnProgress }

/**
 * Streams the plaintext archive of `files` (`size` bytes); `summary` resolves once the stream has
 * been read to the end. Use {@link encryptArchive} to get the encrypted form directly.
 */
export function packArchive(
  files: readonly ArchiveInput[],
  options: PackOptions = {},
): { stream: AsyncGenerator<Uint8Array>; summary: Promise<ArchiveSummary>; size: number } {
  const head = header(validateInputs(files))
  let resolve!: (summary: ArchiveSummary) => void
  let reject!: (error: unknown) => void
  const summary = new Promise<ArchiveSummary>((res, rej) => {
    resolve = res
    reject = rej
  })
  summary.catch(() => {}) // the same error reaches the stream's reader
  const totalBytes = files.reduce((n, f) => n + f.size, 0)
  async function* stream(): AsyncGenerator<Uint8Array> {
    try {
      const whole = await createSha256Fast()
      let size = 0
      const emit = (bytes: Uint8Array) => {
        whole.update(bytes)
        size += bytes.length
        return bytes
      }
      yield emit(head)
      const summaries: ArchiveFileSummary[] = []
      let done = 0
      for (const file of files) {
        const hash = await createSha256Fast()
        let length = 0
        const source = typeof file.content === 'function' ? file.content() : file.content
        for await (const chunk of toAsyncIterable(source)) {
          length += chunk.length
          if (length > file.size) throw sizeMismatch(file, length)
          hash.update(chunk)
          yield emit(chunk)
          options.onProgress?.({ bytes: done + length, totalBytes })
        }
        if (length !== file.size) throw sizeMismatch(file, length)
        done += length
        const digest = hash.digest()
        summaries.push({ path: file.path, size: file.size, sha256: toHex(digest) })
        yield emit(digest)
      }
      resolve({ sha256: toHex(whole.digest()), size, files: summaries })
    } catch (error) {
      reject(error)
      throw error
    }
  }
  return { stream: stream(), summary, size: head.length + files.reduce((n, f) => n + f.size + 32, 0) }
}

/**
 * Packs and encrypts `files` with a (version) key: the stream to add to a store, and the summary
 * (plaintext sha256 and size for the on-chain version record, per-file digests).
 *
 * @example
 * const { stream, summary } = encryptArchive(files, deriveVersionKey(modelKey, 1))
 * const { cid } = await store.add(stream)
 * const { sha256, size } = await summary
 */
export function encryptArchive(
  files: readonly ArchiveInput[],
  key: Uint8Array,
  options: PackOptions & Pick<EncryptOptions, 'chunkSize'> = {},
): { stream: AsyncGenerator<Uint8Array>; summary: Promise<ArchiveSummary> } {
  const { stream, summary, size } = packArchive(files, options)
  return { stream: sealStream(stream, key, { chunkSize: options.chunkSize }, size), summary }
}

/** A file read out of an archive. Read `content` to the end before moving to the next entry. */
export type ArchiveEntry = {
  path: string
  size: number
  /** Position in the archive, from 0. */
  index: number
  /** Number of files in the archive. */
  count: number
  /** The file's bytes; the last read throws IntegrityError (check `sha256`) if they do not match. */
  content: AsyncIterable<Uint8Array>
  /** The file's sha256, set once `content` has been read to the end and matched it. */
  sha256?: Hex
}

export type ReadArchiveOptions = {
  /**
   * The version's on-chain sha256: the whole plaintext is hashed and checked against it at the end
   * (a second SHA-256 pass; without it each file is still checked against its own digest).
   */
  expectedSha256?: BytesLike
  onProgress?: OnProgress
}

/**
 * Reads a plaintext archive entry by entry (files the caller skips are still read and checked).
 * Throws IntegrityError (check `sha256`) when a file or the whole archive does not match its digest.
 */
export async function* readArchive(source: ByteSource, options: ReadArchiveOptions = {}): AsyncGenerator<ArchiveEntry> {
  const expected = options.expectedSha256 === undefined ? undefined : toBytes(options.expectedSha256, 'expectedSha256', 32)
  // the whole-plaintext pass only when asked for: each file is checked against its own digest anyway
  const whole = expected ? await createSha256Fast() : undefined
  const reader = new ByteReader(toAsyncIterable(source), whole ? (bytes) => whole.update(bytes) : () => {})
  const start = await reader.exactly(12)
  if (!MAGIC.every((b, i) => start[i] === b)) throw new IntegrityError('sha256', 'Not a model archive (wrong magic bytes).')
  const manifestLength = new DataView(start.buffer, start.byteOffset).getUint32(8)
  if (manifestLength > MAX_MANIFEST) throw new IntegrityError('sha256', 'The archive manifest is too large.')
  const manifest = parseManifest(await reader.exactly(manifestLength))
  await reader.exactly(paddedLength(manifestLength) - 12 - manifestLength)
  const totalBytes = manifest.reduce((n, f) => n + f.size, 0)
  let done = 0
  for (const [index, file] of manifest.entries()) {
    let left = file.size
    let digestRead = false
    async function* content(): AsyncGenerator<Uint8Array> {
      const hash = await createSha256Fast()
      for await (const chunk of reader.take(left)) {
        left -= chunk.length
        hash.update(chunk)
        done += chunk.length
        options.onProgress?.({ bytes: done, totalBytes })
        yield chunk
      }
      const digest = await reader.exactly(32)
      digestRead = true
      const actual = toHex(hash.digest())
      if (actual !== toHex(digest)) throw new IntegrityError('sha256', `File ${file.path} does not match its sha256.`, { expected: toHex(digest), actual })
      entry.sha256 = actual
    }
    const entry: ArchiveEntry = { path: file.path, size: file.size, index, count: manifest.length, content: content() }
    yield entry
    // skip what the caller did not read (still covered by the whole-archive digest)
    for await (const _ of reader.take(left));
    if (!digestRead) await reader.exactly(32)
  }
  if (!(await reader.atEnd())) throw new IntegrityError('sha256', 'The archive has bytes after its last file.')
  if (expected && whole) {
    const actual = whole.digest()
    if (toHex(actual) !== toHex(expected))
      throw new IntegrityError('sha256', 'The archive does not match its recorded sha256.', { expected: toHex(expected), actual: toHex(actual) })
  }
}

/** Decrypts and reads an encrypted archive in one pass: {@link decryptStream} then {@link readArchive}. */
export function decryptArchive(ciphertext: ByteSource, key: Uint8Array, options: ReadArchiveOptions = {}): AsyncGenerator<ArchiveEntry> {
  return readArchive(decryptStream(ciphertext, key), options)
}

function validateInputs(files: readonly ArchiveInput[]): { path: string; size: number }[] {
  if (!files.length) throw new InvalidInputError('files', 'an archive needs at least one file')
  const seen = new Set<string>()
  return files.map((file) => {
    const path = checkPath(file.path, InvalidInputError)
    if (seen.has(path)) throw new InvalidInputError('files', `duplicate path ${path}`)
    seen.add(path)
    if (!Number.isSafeInteger(file.size) || file.size < 0) throw new InvalidInputError('size', `${file.path}: ${file.size} is not a byte count`)
    return { path, size: file.size }
  })
}

/** A relative path with no `..`, empty or absolute parts: archive entries never escape their folder. */
function checkPath(path: unknown, Err: typeof InvalidInputError): string {
  const ok =
    typeof path === 'string' &&
    path.length > 0 &&
    path.length <= 4096 &&
    !path.startsWith('/') &&
    !path.includes('\\') &&
    !path.includes('\0') &&
    path.split('/').every((part) => part !== '' && part !== '.' && part !== '..')
  if (!ok) throw new Err('path', `"${String(path)}" must be a relative path without "..", "." or empty parts`)
  return path
}

function header(manifest: { path: string; size: number }[]): Uint8Array {
  const json = utf8(JSON.stringify({ version: 1, files: manifest }))
  const out = new Uint8Array(paddedLength(json.length))
  out.set(MAGIC)
  new DataView(out.buffer).setUint32(8, json.length)
  out.set(json, 12)
  return out
}

const paddedLength = (manifestLength: number) => Math.ceil((12 + manifestLength) / HEADER_ALIGN) * HEADER_ALIGN

function parseManifest(bytes: Uint8Array): { path: string; size: number }[] {
  let parsed: { version?: unknown; files?: unknown }
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch (cause) {
    throw new IntegrityError('sha256', 'The archive manifest is not valid JSON.', { cause })
  }
  if (parsed.version !== 1 || !Array.isArray(parsed.files)) throw new IntegrityError('sha256', 'Unsupported archive manifest.')
  const seen = new Set<string>()
  return parsed.files.map((f: { path?: unknown; size?: unknown }) => {
    const path = checkPath(f?.path, InvalidInputError)
    if (seen.has(path) || !Number.isSafeInteger(f.size) || (f.size as number) < 0)
      throw new IntegrityError('sha256', `Invalid archive entry ${path}.`)
    seen.add(path)
    return { path, size: f.size as number }
  })
}

/** Reads exact byte counts from a chunk stream, keeping what is left over for the next read. */
class ByteReader {
  private buffered: Uint8Array = new Uint8Array(0)
  private readonly source: AsyncIterator<Uint8Array>
  private readonly observe: (bytes: Uint8Array) => void
  constructor(source: AsyncIterable<Uint8Array>, observe: (bytes: Uint8Array) => void) {
    this.source = source[Symbol.asyncIterator]()
    this.observe = observe
  }

  private async fill(): Promise<boolean> {
    const { done, value } = await this.source.next()
    if (done) return false
    this.observe(value)
    this.buffered = this.buffered.length ? concatBytes(this.buffered, value) : value
    return true
  }

  async exactly(length: number): Promise<Uint8Array> {
    while (this.buffered.length < length)
      if (!(await this.fill())) throw new IntegrityError('sha256', 'The archive ends too early (truncated).')
    const out = this.buffered.subarray(0, length)
    this.buffered = this.buffered.subarray(length)
    return out
  }

  async *take(length: number): AsyncGenerator<Uint8Array> {
    let left = length
    while (left > 0) {
      if (!this.buffered.length && !(await this.fill())) throw new IntegrityError('sha256', 'The archive ends too early (truncated).')
      const n = Math.min(left, this.buffered.length)
      const out = this.buffered.subarray(0, n)
      this.buffered = this.buffered.subarray(n)
      left -= n
      yield out
    }
  }

  async atEnd(): Promise<boolean> {
    return this.buffered.length === 0 && !(await this.fill())
  }
}

function sizeMismatch(file: ArchiveInput, actual: number) {
  return new InvalidInputError('size', `${file.path} was declared as ${file.size} bytes but its content has ${actual > file.size ? 'more' : actual}`)
}
