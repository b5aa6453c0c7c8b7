import { once } from 'node:events'
import { createReadStream } from 'node:fs'
import { type FileHandle, mkdtemp, open, rm } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CID } from 'multiformats/cid'
import { BaseError } from '../../errors/base.ts'
import { ContentNotFoundError, InvalidInputError, StoreFullError } from '../../errors/storage.ts'
import type { ContentStore, DirectoryEntry } from '../../storage/types.ts'
import { MultipartError, multipartBoundary, multipartEvents, partFilename } from './multipart.ts'

/** The Kubo RPC commands served: the subset `kuboStore` speaks. */
export const KUBO_RPC_COMMANDS = ['add', 'cat', 'ls', 'files/stat', 'block/stat', 'pin/add', 'pin/rm', 'pin/ls', 'version'] as const
export type KuboRpcCommand = (typeof KUBO_RPC_COMMANDS)[number]
/** Commands that change the store, guarded by {@link KuboRpcOptions.authorize}. */
export const KUBO_RPC_WRITES: readonly KuboRpcCommand[] = ['add', 'pin/add', 'pin/rm']

/** A refusal with an HTTP status, answered as Kubo's error JSON (`{ Message, Code, Type }`). */
export class HttpRefusal extends Error {
  override name = 'HttpRefusal'
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

/** What a writer may do, as decided by {@link KuboRpcOptions.authorize}. */
export type WriteGrant = {
  /** Bytes one upload may hold; an upload going past it is refused with 413 and nothing is stored. */
  maxBytes?: number
  /**
   * Called as an upload's bytes (contents and entry names) arrive, before they are kept; throws
   * (413) to stop the upload. What it reserved is released by {@link WriteGrant.done}.
   */
  reserve?(bytes: number): void
  /**
   * Pins for this writer, in place of the store's own `pin` (uploads are then added unpinned and
   * handed to it): records who holds the pin, may refuse (413 over quota).
   */
  pin?(cid: CID): Promise<void>
  /** Unpins for this writer, in place of the store's own `unpin`; may refuse (403 a pin it does not hold). */
  unpin?(cid: CID): Promise<void>
  /** Called once when the request ends, whatever its outcome. */
  done?(): void
}

export type KuboRpcOptions = {
  /** Decides whether a write may go ahead; throw {@link HttpRefusal} to refuse. Without it, writes are open. */
  authorize?(request: IncomingMessage, command: KuboRpcCommand): Promise<WriteGrant>
}

/**
 * Serves a {@link ContentStore} through the subset of Kubo's RPC API (`/api/v0/...`) that
 * `kuboStore` speaks, so any Kubo client (the SDK's `kuboStore`, `kubo-rpc-client`, `curl`) works
 * against it. Returns false for paths outside `/api/v0/`.
 *
 * Adds are spooled to a temporary folder part by part, so uploads stay in constant memory and a
 * refused upload (quota) stores nothing.
 */
export function kuboRpcHandler(store: ContentStore, options: KuboRpcOptions = {}) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    const url = new URL(request.url ?? '/', 'http://localhost')
    if (!url.pathname.startsWith('/api/v0/')) return false
    const command = url.pathname.slice('/api/v0/'.length) as KuboRpcCommand
    let grant: WriteGrant = {}
    try {
      if (!KUBO_RPC_COMMANDS.includes(command)) throw new HttpRefusal(404, `command "${command}" is not served here`)
      // Kubo's RPC answers POST only, which also keeps it out of reach of simple cross-site GETs
      if (request.method !== 'POST') throw new HttpRefusal(405, 'Kubo RPC commands must be sent with POST')
      grant = KUBO_RPC_WRITES.includes(command) ? ((await options.authorize?.(request, command)) ?? {}) : {}
      await run(store, command, url.searchParams, request, response, grant)
    } catch (error) {
      sendError(response, error)
      // an upload refused midway: drop the rest of the body rather than read it
      if (!request.readableEnded) request.resume()
    } finally {
      grant.done?.()
    }
    return true
  }
}

async function run(
  store: ContentStore,
  command: KuboRpcCommand,
  query: URLSearchParams,
  request: IncomingMessage,
  response: ServerResponse,
  grant: WriteGrant,
): Promise<void> {
  const arg = () => {
    const value = query.get('arg')
    if (!value) throw new HttpRefusal(400, 'argument "arg" is required')
    return value
  }
  switch (command) {
    case 'add':
      return add(store, query, request, response, grant)
    case 'cat': {
      const offset = optionalInteger(query, 'offset')
      const length = optionalInteger(query, 'length')
      const chunks = store.cat(arg(), { offset, length })[Symbol.asyncIterator]()
      // pull the first chunk before the status line, so a missing CID is a 404 rather than a cut stream
      let next = await chunks.next()
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'x-stream-output': '1' })
      while (!next.done) {
        await send(response, next.value)
        next = await chunks.next()
      }
      response.end()
      return
    }
    case 'ls': {
      const stat = await store.stat(arg())
      const links = await Promise.all(
        (stat.entries ?? []).map(async ({ name, cid }) => {
          const child = await store.stat(cid)
          return { Name: name, Hash: cid.toString(), Size: child.size, Type: child.type === 'directory' ? 1 : 2, Target: '' }
        }),
      )
      return sendJson(response, { Objects: [{ Hash: stat.cid.toString(), Links: links }] })
    }
    case 'files/stat': {
      const stat = await store.stat(arg())
      return sendJson(response, { Hash: stat.cid.toString(), Size: stat.size, Type: stat.type })
    }
    case 'block/stat': {
      // only presence is known without reading the block; Kubo offline answers an absent block with an error too
      const cid = arg()
      if (!(await store.has(cid))) throw new ContentNotFoundError(cid)
      return sendJson(response, { Key: cid })
    }
    case 'pin/add': {
      const { cid } = await store.stat(arg())
      await (grant.pin ? grant.pin(cid) : store.pin(cid))
      return sendJson(response, { Pins: [cid.toString()] })
    }
    case 'pin/rm': {
      const { cid } = await store.stat(arg())
      await (grant.unpin ? grant.unpin(cid) : store.unpin(cid))
      return sendJson(response, { Pins: [cid.toString()] })
    }
    case 'pin/ls': {
      const wanted = query.get('arg')
      const pins: string[] = []
      for await (const cid of store.pins()) if (!wanted || cid.toString() === wanted) pins.push(cid.toString())
      if (wanted && pins.length === 0) throw new HttpRefusal(404, `path '${wanted}' is not pinned`)
      if (query.get('stream') === 'true') {
        response.writeHead(200, { 'content-type': 'application/x-ndjson', 'x-stream-output': '1' })
        for (const cid of pins) response.write(`${JSON.stringify({ Cid: cid, Type: 'recursive' })}\n`)
        response.end()
        return
      }
      return sendJson(response, { Keys: Object.fromEntries(pins.map((cid) => [cid, { Type: 'recursive' }])) })
    }
    case 'version':
      return sendJson(response, { Version: 'serve-store', Commit: '', Repo: '', System: process.platform, Golang: '' })
  }
}

/** Settings of `ipfs add` that would give other CIDs than the store's one profile are refused. */
function checkAddProfile(query: URLSearchParams): void {
  const refuse = (what: string) => {
    throw new HttpRefusal(400, `${what}: this store only adds with --cid-version=1 --raw-leaves --chunker=size-262144`)
  }
  if (query.get('cid-version') !== '1') refuse('cid-version must be 1')
  if (query.has('raw-leaves') && query.get('raw-leaves') !== 'true') refuse('raw-leaves must be true')
  if (query.has('chunker') && query.get('chunker') !== 'size-262144') refuse('chunker must be size-262144')
  if (query.get('trickle') === 'true') refuse('trickle layout is not supported')
  if (query.has('hash') && query.get('hash') !== 'sha2-256') refuse('hash must be sha2-256')
  if (query.get('only-hash') === 'true') refuse('only-hash is not supported')
  if (query.get('inline') === 'true') refuse('inline CIDs are not supported')
}

type SpooledFile = { path: string; file: string }

/** Most entries (files and folders) one upload may hold. */
export const MAX_UPLOAD_ENTRIES = 10_000
/** Longest name of one file or folder, in UTF-8 bytes (as most filesystems allow). */
export const MAX_NAME_BYTES = 255
/** Longest path of an entry inside an upload, in UTF-8 bytes. */
export const MAX_PATH_BYTES = 4096
/** What one entry of a folder costs besides its content and name: its link (CID, size, framing). */
export const ENTRY_OVERHEAD_BYTES = 64

async function add(
  store: ContentStore,
  query: URLSearchParams,
  request: IncomingMessage,
  response: ServerResponse,
  grant: WriteGrant,
): Promise<void> {
  checkAddProfile(query)
  const boundary = multipartBoundary(request.headers['content-type'])
  if (!boundary) throw new HttpRefusal(400, 'add expects a multipart/form-data body')
  const spool = await mkdtemp(join(tmpdir(), 'amm-serve-store-'))
  try {
    const { files, directories } = await spoolParts(request, boundary, spool, grant)
    if (files.length === 0) throw new HttpRefusal(400, 'no file in the upload')
    const wrap = query.get('wrap-with-directory') === 'true'
    const first = files[0] as SpooledFile
    // with a pin handler the upload goes in unpinned and the handler pins it for its writer
    const options = { pin: !grant.pin }
    let name: string
    let result: { cid: CID; size: number }
    if (files.length === 1 && directories.length === 0 && !wrap) {
      name = first.path
      result = await store.add(createReadStream(first.file), options)
    } else {
      // `ipfs add -r dir` sends `dir/...` paths and the root is `dir`; with wrap-with-directory the root is unnamed
      const top = wrap ? '' : (first.path.split('/')[0] as string)
      if (!wrap && files.some((f) => !f.path.startsWith(`${top}/`)))
        throw new HttpRefusal(400, 'files of a directory upload must share one top folder (or set wrap-with-directory)')
      name = top
      const entries: DirectoryEntry[] = files.map((f) => ({
        path: wrap ? f.path : f.path.slice(top.length + 1),
        content: createReadStream(f.file),
      }))
      result = await store.addDirectory(entries, options)
    }
    await grant.pin?.(result.cid)
    sendJson(response, { Name: wrap ? '' : name, Hash: result.cid.toString(), Size: String(result.size) }, 200, 'application/x-ndjson')
  } finally {
    await rm(spool, { recursive: true, force: true })
  }
}

function checkPath(path: string): void {
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) throw new HttpRefusal(400, `a path in the upload is longer than ${MAX_PATH_BYTES} bytes`)
  for (const segment of path.split('/'))
    if (Buffer.byteLength(segment) > MAX_NAME_BYTES) throw new HttpRefusal(400, `a name in the upload is longer than ${MAX_NAME_BYTES} bytes`)
}

async function spoolParts(request: IncomingMessage, boundary: string, dir: string, grant: WriteGrant) {
  const files: SpooledFile[] = []
  const directories: string[] = []
  const maxBytes = grant.maxBytes ?? Number.POSITIVE_INFINITY
  let total = 0
  const take = (bytes: number) => {
    total += bytes
    if (total > maxBytes) throw new HttpRefusal(413, `upload exceeds the ${maxBytes} bytes allowed`)
    grant.reserve?.(bytes)
  }
  // awaited writes on a file handle: a write stream destroyed with a write in flight (a 413 midway)
  // emits ERR_STREAM_DESTROYED as an unhandled 'error' event
  let out: FileHandle | undefined
  try {
    for await (const event of multipartEvents(request, boundary)) {
      if (event.type === 'part') {
        if (files.length + directories.length >= MAX_UPLOAD_ENTRIES)
          throw new HttpRefusal(400, `an upload holds at most ${MAX_UPLOAD_ENTRIES} files and folders`)
        const path = partFilename(event.headers) ?? `file-${files.length}`
        checkPath(path)
        // names are stored (as folder links) and charged, like contents
        take(Buffer.byteLength(path) + ENTRY_OVERHEAD_BYTES)
        if (event.headers['content-type'] === 'application/x-directory') {
          directories.push(path)
          continue
        }
        const file = join(dir, String(files.length))
        files.push({ path, file })
        out = await open(file, 'w')
      } else if (event.type === 'data' && out) {
        take(event.bytes.byteLength)
        await out.appendFile(event.bytes)
      } else if (event.type === 'end' && out) {
        const done = out
        out = undefined
        await done.close()
      }
    }
  } catch (error) {
    if (error instanceof MultipartError) throw new HttpRefusal(400, `malformed upload: ${error.message}`)
    throw error
  } finally {
    await out?.close()
  }
  return { files, directories }
}

function optionalInteger(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name)
  if (value === null) return undefined
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 0) throw new HttpRefusal(400, `${name} must be a non-negative integer`)
  return n
}

/**
 * Writes one chunk, waiting while the client's buffer is full; throws once the connection is gone
 * (an idle timeout cut a reader that stopped reading), so the streaming loop ends instead of
 * waiting forever for a 'drain' that never comes.
 */
export async function send(response: ServerResponse, chunk: Uint8Array): Promise<void> {
  if (response.destroyed) throw new Error('the client went away')
  if (response.write(chunk)) return
  const ac = new AbortController()
  try {
    await Promise.race([once(response, 'drain', { signal: ac.signal }), once(response, 'close', { signal: ac.signal })])
  } finally {
    ac.abort()
  }
  if (response.destroyed) throw new Error('the client went away')
}

export function sendJson(response: ServerResponse, body: unknown, status = 200, contentType = 'application/json'): void {
  response.writeHead(status, { 'content-type': contentType })
  response.end(`${JSON.stringify(body)}\n`)
}

/** Answers an error in Kubo's shape, with a status saying whose fault it is. */
export function sendError(response: ServerResponse, error: unknown): void {
  // Kubo answers a missing block with 500 and "not found" in the message, and Kubo clients rely on it
  const full = error instanceof StoreFullError || ['ENOSPC', 'EDQUOT'].includes((error as { code?: string })?.code ?? '')
  const status = error instanceof HttpRefusal ? error.status : error instanceof InvalidInputError ? 400 : full ? 507 : 500
  const message = full
    ? 'the storage service has no space left: nothing was stored; reads keep working'
    : error instanceof BaseError
      ? error.shortMessage
      : error instanceof Error
        ? error.message
        : String(error)
  if (response.headersSent) {
    // the status line is gone: cutting the stream is the only way left to say it failed
    response.destroy(error instanceof Error ? error : undefined)
    return
  }
  // HTTP/1.1 only (HTTP/2 forbids the header): do not keep reading an upload that was refused
  if (status === 413 && !('stream' in response)) response.setHeader('connection', 'close')
  sendJson(response, { Message: message, Code: 0, Type: 'error' }, status)
}
