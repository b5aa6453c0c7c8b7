import type { IncomingMessage, ServerResponse } from 'node:http'
import * as dagPb from '@ipld/dag-pb'
import { CarWriter } from '@ipld/car/writer'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { BaseError } from '../../errors/base.ts'
import { ContentNotFoundError, InvalidInputError } from '../../errors/storage.ts'
import { blockLinks, walkDag } from '../../storage/dag.ts'
import { resolvePath } from '../../storage/reader.ts'
import { send } from './kubo-rpc.ts'

/** Fetches one block the server holds (ContentNotFoundError if absent). */
export type BlockGetter = (cid: CID) => Promise<Uint8Array>

/** Content is addressed by hash, so a response never changes: cached for a year (the gateway specs' value). */
export const IMMUTABLE = 'public, max-age=29030400, immutable'
const RAW = 'application/vnd.ipld.raw'
const CAR = 'application/vnd.ipld.car'

type Format = 'raw' | 'car'

class GatewayError extends Error {
  readonly status: number
  readonly headers: Record<string, string>
  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message)
    this.status = status
    this.headers = headers
  }
}

/**
 * A trustless gateway (the IPFS HTTP Gateway specs, verifiable responses only) over the blocks a
 * server holds: `GET`/`HEAD /ipfs/<cid>[/<path>]` answered as one raw block (`?format=raw` or
 * `Accept: application/vnd.ipld.raw`, with byte ranges) or as a CARv1 of the DAG (`?format=car` or
 * `Accept: application/vnd.ipld.car`; `dag-scope=all|entity|block`, blocks depth first without
 * duplicates, the blocks of the path first). Every answer is immutable and carries an ETag.
 * Deserialized responses (a file's bytes as such) are not served: a request that accepts neither
 * format gets 406. Returns false for paths outside `/ipfs/`.
 */
export function trustlessGatewayHandler(getBlock: BlockGetter | undefined) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    const url = new URL(request.url ?? '/', 'http://localhost')
    if (!url.pathname.startsWith('/ipfs/')) return false
    try {
      if (request.method !== 'GET' && request.method !== 'HEAD')
        throw new GatewayError(405, 'the gateway answers GET and HEAD only', { allow: 'GET, HEAD' })
      if (!getBlock) throw new GatewayError(501, 'this store cannot serve raw blocks')
      const [root = '', ...segments] = url.pathname.slice('/ipfs/'.length).split('/')
      let cid: CID
      try {
        cid = CID.parse(decodeURIComponent(root))
      } catch {
        throw new GatewayError(400, `"${root}" is not a CID`)
      }
      const format = pickFormat(url.searchParams.get('format'), request.headers.accept)
      const path = segments.map(decodeURIComponent).join('/')
      if (format === 'raw') await sendRaw(cid, path, getBlock, request, response)
      else await sendCar(cid, path, url.searchParams, getBlock, request, response)
    } catch (error) {
      sendGatewayError(response, error)
    }
    return true
  }
}

function pickFormat(format: string | null, accept: string | undefined): Format {
  if (format !== null) {
    if (format === 'raw' || format === 'car') return format
    throw new GatewayError(400, `format=${format} is not served here: use format=raw or format=car`)
  }
  // the first acceptable type in the client's order of preference
  const types = (accept ?? '')
    .split(',')
    .map((part, index) => {
      const [type = '', ...params] = part.trim().split(';').map((s) => s.trim())
      const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? 1)
      return { type: type.toLowerCase(), params, q: Number.isNaN(q) ? 0 : q, index }
    })
    .filter((t) => t.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
  for (const { type, params } of types) {
    if (type === RAW) return 'raw'
    if (type === CAR && params.every((p) => !p.startsWith('version=') || p === 'version=1')) return 'car'
  }
  throw new GatewayError(
    406,
    'this is a trustless gateway: ask for application/vnd.ipld.raw or application/vnd.ipld.car (Accept header or ?format=raw|car)',
  )
}

/** The CID a UnixFS path leads to, and the blocks passed on the way (for a CAR). */
async function resolve(root: CID, path: string, getBlock: BlockGetter): Promise<{ cid: CID; on: CID[] }> {
  if (!path) return { cid: root, on: [] }
  const on: CID[] = []
  const node = await resolvePath(root, path, async (cid) => {
    on.push(cid)
    return getBlock(cid)
  })
  on.pop() // the target itself
  return { cid: node.cid, on }
}

function commonHeaders(etag: string): Record<string, string> {
  return { etag, 'cache-control': IMMUTABLE, 'x-content-type-options': 'nosniff', vary: 'Accept' }
}

async function sendRaw(root: CID, path: string, getBlock: BlockGetter, request: IncomingMessage, response: ServerResponse) {
  const { cid } = await resolve(root, path, getBlock)
  const block = await getBlock(cid)
  const etag = `"${cid}.raw"`
  const headers: Record<string, string | number> = {
    ...commonHeaders(etag),
    'content-type': RAW,
    'content-disposition': `attachment; filename="${cid}.bin"`,
    'accept-ranges': 'bytes',
    'x-ipfs-path': `/ipfs/${root}${path ? `/${path}` : ''}`,
  }
  if (request.headers['if-none-match']?.split(',').some((t) => t.trim() === etag)) {
    response.writeHead(304, headers)
    response.end()
    return
  }
  const range = parseRange(request.headers.range, block.length)
  if (range === 'unsatisfiable')
    throw new GatewayError(416, `the range is outside the block's ${block.length} bytes`, { 'content-range': `bytes */${block.length}` })
  const [start, end] = range ?? [0, block.length - 1]
  const body = block.subarray(start, end + 1)
  headers['content-length'] = body.length
  if (range) headers['content-range'] = `bytes ${start}-${end}/${block.length}`
  response.writeHead(range ? 206 : 200, headers)
  response.end(request.method === 'HEAD' ? undefined : body)
}

/** One byte range `[start, end]` (inclusive); undefined for no or an ignored (multi-part, malformed) Range. */
export function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '')
  if (!match || (match[1] === '' && match[2] === '')) return undefined
  if (match[1] === '') {
    const suffix = Number(match[2])
    if (suffix === 0 || size === 0) return 'unsatisfiable'
    return [Math.max(0, size - suffix), size - 1]
  }
  const start = Number(match[1])
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1)
  if (start >= size || end < start) return 'unsatisfiable'
  return [start, end]
}

async function sendCar(
  root: CID,
  path: string,
  query: URLSearchParams,
  getBlock: BlockGetter,
  request: IncomingMessage,
  response: ServerResponse,
) {
  const scope = query.get('dag-scope') ?? 'all'
  if (scope !== 'all' && scope !== 'entity' && scope !== 'block')
    throw new GatewayError(400, `dag-scope=${scope} is not one of all, entity, block`)
  if (query.has('entity-bytes')) throw new GatewayError(400, 'entity-bytes is not supported here: ask for the blocks with format=raw')
  const { cid, on } = await resolve(root, path, getBlock)
  if (cid.code !== dagPb.code && cid.code !== raw.code) throw new GatewayError(400, `${cid} is neither dag-pb nor raw`)
  const etag = `"${root}${path ? `/${path}` : ''}.car.${scope}"`
  const headers = {
    ...commonHeaders(etag),
    'content-type': `${CAR}; version=1; order=dfs; dups=n`,
    'content-disposition': `attachment; filename="${cid}.car"`,
    'accept-ranges': 'none',
    'x-ipfs-path': `/ipfs/${root}${path ? `/${path}` : ''}`,
  }
  if (request.headers['if-none-match']?.split(',').some((t) => t.trim() === etag)) {
    response.writeHead(304, headers)
    response.end()
    return
  }
  // the target's first block before the status line, so a missing CID is a 404 rather than a cut stream
  const first = await getBlock(cid)
  response.writeHead(200, headers)
  if (request.method === 'HEAD') {
    response.end()
    return
  }
  const { writer, out } = CarWriter.create([root])
  const writing = (async () => {
    try {
      for (const block of on) await writer.put({ cid: block, bytes: await getBlock(block) })
      if (scope === 'block') await writer.put({ cid, bytes: first })
      else if (scope === 'entity' && cid.code === dagPb.code && !isFile(cid, first)) await writer.put({ cid, bytes: first })
      else for await (const block of walkDag(cid, (c) => (c.equals(cid) ? Promise.resolve(first) : getBlock(c)))) await writer.put(block)
    } finally {
      await writer.close()
    }
  })()
  writing.catch(() => {}) // its failure is awaited below
  for await (const chunk of out) await send(response, chunk)
  await writing
  response.end()
}

/** Whether a dag-pb block is a UnixFS file (its entity is all its blocks) rather than a directory (its entity is itself). */
function isFile(cid: CID, block: Uint8Array): boolean {
  return blockLinks(cid, block).length === 0 || !dagPb.decode(block).Links.some((l) => l.Name)
}

function sendGatewayError(response: ServerResponse, error: unknown) {
  const status =
    error instanceof GatewayError
      ? error.status
      : error instanceof ContentNotFoundError
        ? 404
        : error instanceof InvalidInputError
          ? 400
          : 500
  const message = error instanceof BaseError ? error.shortMessage : error instanceof Error ? error.message : String(error)
  if (response.headersSent) {
    response.destroy(error instanceof Error ? error : undefined)
    return
  }
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    ...(error instanceof GatewayError ? error.headers : {}),
  })
  response.end(`${message}\n`)
}
