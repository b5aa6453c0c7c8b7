import { CID } from 'multiformats/cid'
import { IntegrityError, InvalidInputError, StoreUnavailableError } from '../errors/storage.ts'
import { verifyBlock } from './dag.ts'
import { ndjson, request, responseChunks } from './http.ts'
import { toAsyncIterable } from './source.ts'
import type { AddOptions, AddResult, ByteSource, CidLike, ContentStore, DirectoryEntry, StatResult } from './types.ts'
import { parseCidPath, UNIXFS_CHUNK_SIZE, validateRange } from './common.ts'

export type KuboStoreParameters = {
  /** The node's RPC address, e.g. `http://127.0.0.1:5001` (the `/api/v0` suffix is optional). */
  url: string
  /** Sent with every request, e.g. `{ Authorization: 'Bearer …' }` for a hosted node. */
  headers?: Record<string, string>
  /**
   * How upload bodies are sent: `'stream'` (constant memory), `'buffer'` (a `Blob`, whole upload in
   * memory) or `'auto'` (default): stream, except in browsers over plain `http:`, since Chromium
   * streams request bodies over HTTP/2 only (and browsers speak HTTP/2 over TLS only).
   */
  uploadMode?: UploadMode
}

export type UploadMode = 'stream' | 'buffer' | 'auto'

export type KuboStore = ContentStore & {
  /** One raw block the node holds (never fetched from the network), checked against its CID. */
  getBlock(cid: CID, options?: { signal?: AbortSignal }): Promise<Uint8Array>
}

type KuboAddLine = { Name?: string; Hash?: string; Size?: string }

/**
 * A {@link ContentStore} over Kubo's RPC API (a local `ipfs daemon` or any provider exposing it),
 * using plain `fetch` so it stays small in browsers. Uploads stream; the CID is recomputed locally
 * while uploading and a node answering with another CID is refused (IntegrityError, check `cid`).
 * `cat` trusts the node: the SDK's download path authenticates content by its AEAD tags and sha256.
 *
 * @example
 * const store = kuboStore({ url: 'http://127.0.0.1:5001' })
 * const { cid } = await store.add(new TextEncoder().encode('hello world'))
 */
export function kuboStore({ url, headers = {}, uploadMode = 'auto' }: KuboStoreParameters): KuboStore {
  const base = `${url.replace(/\/+$/, '').replace(/\/api\/v0$/, '')}/api/v0`
  const name = url
  const call = (path: string, params: [string, string][], init: RequestInit & { duplex?: 'half' } = {}, cid?: string) =>
    request(
      name,
      `${base}/${path}?${new URLSearchParams(params)}`,
      { method: 'POST', ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } },
      cid ? { cid, when: (status, message) => status === 500 && /not found|no link named|could not find/i.test(message) } : undefined,
    )

  async function upload(
    parts: AsyncIterable<MultipartPart>,
    wrap: boolean,
    options: AddOptions,
    local: Promise<AddResult>,
    abortLocal: (e: unknown) => void,
    sourceError: { value?: unknown },
  ): Promise<AddResult> {
    const boundary = `amm-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`
    const params: [string, string][] = [
      ['cid-version', '1'],
      ['raw-leaves', 'true'],
      ['chunker', `size-${UNIXFS_CHUNK_SIZE}`],
      ['trickle', 'false'],
      ['hash', 'sha2-256'],
      ['pin', String(options.pin !== false)],
      ['wrap-with-directory', String(wrap)],
      ['progress', 'false'],
    ]
    let lines: KuboAddLine[]
    try {
      const source = multipart(parts, boundary)
      const init = { duplex: 'half' as const, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, signal: options.signal }
      let response: Response
      if (streamsUpload(uploadMode, base, RUNTIME)) {
        const body = streamingBody(source)
        try {
          response = await call('add', params, { ...init, body: body.stream })
        } catch (error) {
          // Chromium refuses a streamed body over HTTP/1.1 (ERR_ALPN_NEGOTIATION_FAILED) before reading it: resend it buffered
          if (!(uploadMode === 'auto' && RUNTIME.browser && !body.started() && isFetchTypeError(error))) throw error
          response = await call('add', params, { ...init, body: await bufferedBody(source) })
        }
      } else response = await call('add', params, { ...init, body: await bufferedBody(source) })
      lines = []
      for await (const line of ndjson<KuboAddLine & { Message?: string }>(name, response)) {
        if (line.Message && !line.Hash) throw new StoreUnavailableError(name, { details: line.Message })
        lines.push(line)
      }
    } catch (error) {
      abortLocal(error)
      await local.catch(() => {})
      // a source that failed (bad chunk, aborted) explains the broken upload better than fetch does
      throw sourceError.value ?? error
    }
    const expected = await local
    const root = wrap ? lines.find((l) => l.Name === '') ?? lines.at(-1) : lines.at(-1)
    if (!root?.Hash) throw new StoreUnavailableError(name, { details: 'the node returned no CID for the upload' })
    if (root.Hash !== expected.cid.toString() && CID.parse(root.Hash).toV1().toString() !== expected.cid.toString())
      throw new IntegrityError('cid', 'The IPFS node stored the content under another CID than the one computed locally.', {
        expected: expected.cid.toString(),
        actual: root.Hash,
        hint: "Check the node's Import settings: the SDK uses 256 KiB chunks and at most 174 links per node (Kubo's defaults).",
      })
    return expected
  }

async function stat(value: CidLike, options: { signal?: AbortSignal } = {}): Promise<StatResult> {
    const { cid, path } = parseCidPath(value)
    const response = await call('files/stat', [['arg', `/ipfs/${cid}${path}`]], { signal: options.signal }, cid.toString())
    const json = (await response.json()) as { Hash: string; Size: number; Type: string }
    const root = CID.parse(json.Hash)
    if (json.Type !== 'directory') return { cid: root, type: 'file', size: json.Size }
    const ls = await call('ls', [['arg', root.toString()], ['size', 'false'], ['resolve-type', 'false']], { signal: options.signal })
    const listing = (await ls.json()) as { Objects: { Links: { Name: string; Hash: string }[] }[] }
    const entries = (listing.Objects[0]?.Links ?? []).map((l) => ({ name: l.Name, cid: CID.parse(l.Hash) }))
    return { cid: root, type: 'directory', size: 0, entries }
  }

  return {
    async add(source: ByteSource, options: AddOptions = {}) {
      const sourceError: { value?: unknown } = {}
      const tee = teeToImporter(sourceError)
      const { discardBlocks, importFile } = await import('./unixfs.ts')
      const local = importFile(tee.readable, discardBlocks, options)
      async function* parts(): AsyncGenerator<MultipartPart> {
        yield { name: 'file', content: tee.forward(toAsyncIterable(source)) }
      }
      return upload(parts(), false, options, local, tee.abort, sourceError)
    },
    async addDirectory(entries: Iterable<DirectoryEntry> | AsyncIterable<DirectoryEntry>, options: AddOptions = {}) {
      const listed: DirectoryEntry[] = []
      for await (const entry of entries) listed.push(entry)
      const sourceError: { value?: unknown } = {}
      const tees = listed.map(() => teeToImporter(sourceError))
      const { discardBlocks, importDirectory } = await import('./unixfs.ts')
      const local = importDirectory(
        listed.map((entry, i) => (entry.content === undefined ? { path: entry.path } : { path: entry.path, content: (tees[i] as Tee).readable })),
        discardBlocks,
        options,
      )
      const abort = (e: unknown) => {
        for (const t of tees) t.abort(e)
      }
      async function* parts(): AsyncGenerator<MultipartPart> {
        const dirs = new Set<string>()
        for (const [i, entry] of listed.entries()) {
          const segments = entry.path.split('/').filter(Boolean)
          for (let d = 1; d < segments.length; d++) {
            const dir = segments.slice(0, d).join('/')
            if (!dirs.has(dir)) {
              dirs.add(dir)
              yield { name: dir, directory: true }
            }
          }
          const path = segments.join('/')
          if (entry.content === undefined) {
            if (!dirs.has(path)) yield { name: path, directory: true }
            dirs.add(path)
          } else yield { name: path, content: (tees[i] as Tee).forward(toAsyncIterable(entry.content)) }
        }
      }
      return upload(parts(), true, options, local, abort, sourceError)
    },
    async *cat(value: CidLike, options = {}) {
      validateRange(options)
      const { cid, path } = parseCidPath(value)
      const params: [string, string][] = [['arg', `${cid}${path}`]]
      if (options.offset) params.push(['offset', String(options.offset)])
      if (options.length !== undefined) params.push(['length', String(options.length)])
      const info = await stat(value, options)
      if (info.type === 'directory') throw new InvalidInputError('cid', `${cid}${path} is a directory, not a file`)
      const start = Math.min(options.offset ?? 0, info.size)
      const expected = Math.min(options.length ?? info.size - start, info.size - start)
      if (expected === 0) return
      const response = await call('cat', params, { signal: options.signal }, cid.toString())
      let bytes = 0
      for await (const chunk of responseChunks(name, response)) {
        bytes += chunk.length
        options.onProgress?.({ bytes, totalBytes: expected })
        yield chunk
      }
      // Kubo reports a failure found mid-stream only in an HTTP trailer, which fetch cannot read
      if (bytes !== expected)
        throw new StoreUnavailableError(name, { details: `the node ended the stream after ${bytes} of ${expected} bytes` })
    },
    async has(value: CidLike, options = {}) {
      const { cid } = parseCidPath(value)
      try {
        await call('block/stat', [['arg', cid.toString()], ['offline', 'true']], { signal: options.signal }, cid.toString())
        return true
      } catch (error) {
        if ((error as { code?: string }).code === 'CONTENT_NOT_FOUND') return false
        throw error
      }
    },
    stat,
    async getBlock(cid: CID, options: { signal?: AbortSignal } = {}) {
      const response = await call('block/get', [['arg', cid.toString()], ['offline', 'true']], { signal: options.signal }, cid.toString())
      const bytes = new Uint8Array(await response.arrayBuffer())
      await verifyBlock(cid, bytes)
      return bytes
    },
    async pin(value: CidLike, options = {}) {
      const { cid } = parseCidPath(value)
      await call('pin/add', [['arg', cid.toString()]], { signal: options.signal }, cid.toString())
    },
    async unpin(value: CidLike, options = {}) {
      const { cid } = parseCidPath(value)
      try {
        await call('pin/rm', [['arg', cid.toString()]], { signal: options.signal })
      } catch (error) {
        // unpinning something not pinned is already done
        if (!/not pinned/i.test(String((error as { details?: string }).details))) throw error
      }
    },
    async *pins(options = {}) {
      const response = await call('pin/ls', [['type', 'recursive'], ['stream', 'true']], { signal: options.signal })
      for await (const line of ndjson<{ Cid: string }>(name, response)) yield CID.parse(line.Cid)
    },
  }
}

type MultipartPart = { name: string; directory?: false; content: AsyncIterable<Uint8Array> } | { name: string; directory: true }

async function* multipart(parts: AsyncIterable<MultipartPart>, boundary: string): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder()
  for await (const part of parts) {
    const type = part.directory ? 'application/x-directory' : 'application/octet-stream'
    yield encoder.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${encodeURIComponent(part.name)}"\r\nContent-Type: ${type}\r\n\r\n`,
    )
    if (!part.directory) yield* part.content
    yield encoder.encode('\r\n')
  }
  yield encoder.encode(`--${boundary}--\r\n`)
}

// Streaming request bodies need `duplex: 'half'`; browsers without it get a Blob (buffered) instead.
const supportsRequestStreams = (() => {
  try {
    let duplexAccessed = false
    const hasContentType = new Request('http://localhost', {
      body: new ReadableStream(),
      method: 'POST',
      get duplex() {
        duplexAccessed = true
        return 'half'
      },
    } as RequestInit).headers.has('Content-Type')
    return duplexAccessed && !hasContentType
  } catch {
    return false
  }
})()

// Node, Deno and Bun stream over HTTP/1.1; browsers (no `process.versions.node`) may not
const RUNTIME = { requestStreams: supportsRequestStreams, browser: (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === undefined }

/** Whether an upload to `endpoint` streams its body, as {@link KuboStoreParameters.uploadMode} says. */
export function streamsUpload(mode: UploadMode, endpoint: string, runtime: { requestStreams: boolean; browser: boolean }): boolean {
  if (!runtime.requestStreams || mode === 'buffer') return false
  if (mode === 'stream' || !runtime.browser) return true
  return new URL(endpoint).protocol === 'https:'
}

function isFetchTypeError(error: unknown): boolean {
  return error instanceof StoreUnavailableError && error.status === undefined && error.cause instanceof TypeError
}

async function bufferedBody(source: AsyncIterable<Uint8Array>): Promise<Blob> {
  const parts: BlobPart[] = []
  for await (const chunk of source) parts.push(chunk as BlobPart)
  return new Blob(parts)
}

/** A request body pulled from `source`; `started()` tells whether fetch read any of it. */
function streamingBody(source: AsyncIterable<Uint8Array>) {
  const iterator = source[Symbol.asyncIterator]()
  let started = false
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        started = true
        const { done, value } = await iterator.next()
        if (done) controller.close()
        else controller.enqueue(value)
      },
      async cancel() {
        // fetch stopped sending (e.g. a 413 answered midway): close the source without blaming it for the
        // refusal; an untouched source stays usable for the buffered retry
        if (started) await iterator.return?.()
      },
    },
    // no read ahead: nothing is pulled until fetch sends
    { highWaterMark: 0 },
  )
  return { stream, started: () => started }
}

type Tee = ReturnType<typeof teeToImporter>

/** Copies a byte stream to a second reader (the local CID computation) as it is forwarded. */
function teeToImporter(sourceError: { value?: unknown }) {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>(undefined, { highWaterMark: 8 })
  const writer = writable.getWriter()
  let failed = false
  return {
    readable,
    async *forward(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
      try {
        for await (const chunk of source) {
          await writer.write(chunk)
          yield chunk
        }
      } catch (error) {
        sourceError.value ??= error
        throw error
      }
      await writer.close()
    },
    abort(reason: unknown) {
      if (failed) return
      failed = true
      writer.abort(reason).catch(() => {})
    },
  }
}
