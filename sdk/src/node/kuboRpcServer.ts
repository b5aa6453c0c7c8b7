import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CID } from 'multiformats/cid'
import { BaseError } from '../errors/base.ts'
import type { EmbeddedStore } from '../storage/node/embedded.ts'
import type { DirectoryEntry } from '../storage/types.ts'

export type KuboRpcServerParameters = {
  /** The store that holds the data. */
  store: EmbeddedStore
  /** Port to listen on (default: any free port). */
  port?: number
  /** Interface to bind (default loopback only). */
  host?: string
  /** When set, requests must carry `Authorization: Bearer <token>` (401 otherwise). */
  token?: string
  /** Largest accepted upload in bytes (413 above). */
  maxUploadBytes?: number
}

export type KuboRpcServer = {
  /** RPC base, e.g. `http://127.0.0.1:5001` (pass to `kuboStore({ url })`). */
  url: string
  /** Trustless gateway origin serving `/ipfs/<cid>?format=raw` (pass to `gatewayReader({ url })`). */
  gatewayUrl: string
  close(): Promise<void>
}

/**
 * Serves the subset of Kubo's RPC API the SDK uses (`add`, `cat`, `block/stat`, `block/get`,
 * `files/stat`, `ls`, `pin/add|rm|ls`, `id`, `version`) and raw blocks as a trustless gateway,
 * backed by an embedded store: a daemon-free stand-in for Kubo in tests and local development.
 * Only Kubo's `--cid-version=1` profile is supported. Uploads are buffered in memory.
 *
 * @example
 * const server = await startKuboRpcServer({ store: embeddedStore({ dir: './ipfs' }) })
 * const store = kuboStore({ url: server.url })
 */
export async function startKuboRpcServer(parameters: KuboRpcServerParameters): Promise<KuboRpcServer> {
  const { store, token, maxUploadBytes } = parameters
  const server = createServer((req, res) => {
    handle(req, res).catch((error) => fail(res, error))
  })

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (token && req.headers.authorization !== `Bearer ${token}`) return reply(res, 401, { Message: 'unauthorized', Code: 0, Type: 'error' })
    if (url.pathname.startsWith('/ipfs/')) return gateway(url, res)
    if (req.method !== 'POST') return reply(res, 405, { Message: 'RPC calls must use POST', Code: 0, Type: 'error' })
    const command = url.pathname.replace(/^\/api\/v0\//, '')
    const q = url.searchParams
    const arg = q.get('arg') ?? ''
    switch (command) {
      case 'add':
        return add(req, res, q)
      case 'cat': {
        const iterable = store.cat(arg, {
          offset: q.has('offset') ? Number(q.get('offset')) : undefined,
          length: q.has('length') ? Number(q.get('length')) : undefined,
        })
        const iterator = iterable[Symbol.asyncIterator]()
        const first = await iterator.next() // errors surface before the 200 is sent
        res.writeHead(200, { 'content-type': 'text/plain', trailer: 'X-Stream-Error' })
        if (!first.done) res.write(first.value)
        for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
          if (!res.write(r.value)) await new Promise((resolve) => res.once('drain', resolve))
        }
        return res.end()
      }
      case 'block/stat': {
        const cid = CID.parse(arg)
        const bytes = await store.getBlock(cid).catch(() => {
          throw new Error(`block was not found locally (offline): ipld: could not find ${cid}`)
        })
        return reply(res, 200, { Key: cid.toString(), Size: bytes.length })
      }
      case 'block/get':
        return reply(res, 200, await store.getBlock(CID.parse(arg)))
      case 'files/stat': {
        const stat = await store.stat(arg.replace(/^\/ipfs\//, ''))
        return reply(res, 200, { Hash: stat.cid.toString(), Size: stat.size, CumulativeSize: 0, Blocks: stat.entries?.length ?? 0, Type: stat.type })
      }
      case 'ls': {
        const stat = await store.stat(arg)
        const links = (stat.entries ?? []).map((e) => ({ Name: e.name, Hash: e.cid.toString(), Size: 0, Type: 0 }))
        return reply(res, 200, { Objects: [{ Hash: stat.cid.toString(), Links: links }] })
      }
      case 'pin/add':
        await store.pin(arg)
        return reply(res, 200, { Pins: [arg] })
      case 'pin/rm': {
        let pinned = false
        for await (const p of store.pins()) if (p.toString() === arg) pinned = true
        if (!pinned) throw new Error('not pinned or pinned indirectly')
        await store.unpin(arg)
        return reply(res, 200, { Pins: [arg] })
      }
      case 'pin/ls': {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' })
        for await (const cid of store.pins()) res.write(`${JSON.stringify({ Cid: cid.toString(), Type: 'recursive' })}\n`)
        return res.end()
      }
      case 'id':
        return reply(res, 200, { ID: 'embedded', Addresses: [], AgentVersion: 'ai-model-marketplace/kubo-rpc-server', Protocols: [] })
      case 'version':
        return reply(res, 200, { Version: '0.0.0-embedded', Commit: '', Repo: '0', System: 'node', Golang: 'none' })
      default:
        return reply(res, 404, { Message: `${command} is not implemented by this server`, Code: 0, Type: 'error' })
    }
  }

  async function add(req: IncomingMessage, res: ServerResponse, q: URLSearchParams) {
    if (q.get('cid-version') !== '1' || q.get('raw-leaves') === 'false' || (q.get('chunker') ?? 'size-262144') !== 'size-262144' || q.get('trickle') === 'true')
      return reply(res, 400, { Message: 'only `ipfs add --cid-version=1` with the default chunker and layout is supported', Code: 0, Type: 'error' })
    const chunks: Buffer[] = []
    let received = 0
    for await (const chunk of req as AsyncIterable<Buffer>) {
      received += chunk.length
      if (maxUploadBytes !== undefined && received > maxUploadBytes) {
        // answer now and drain the rest, so the client reads the 413 instead of a reset
        reply(res, 413, { Message: 'request entity too large', Code: 0, Type: 'error' })
        req.resume()
        return
      }
      chunks.push(chunk)
    }
    const body = Buffer.concat(chunks)
    const form = await new Request('http://localhost', { method: 'POST', headers: req.headers as Record<string, string>, body, duplex: 'half' } as RequestInit).formData()
    const files: DirectoryEntry[] = []
    for (const value of form.values()) {
      if (typeof value === 'string') continue
      if (value.type === 'application/x-directory') {
        files.push({ path: decodeURIComponent(value.name) })
        continue
      }
      files.push({ path: decodeURIComponent(value.name), content: value.stream() as ReadableStream<Uint8Array>, size: value.size })
    }
    const pin = q.get('pin') !== 'false'
    const result =
      q.get('wrap-with-directory') === 'true'
        ? await store.addDirectory(files, { pin })
        : await store.add((files[0] as DirectoryEntry).content ?? new Uint8Array(0), { pin })
    const name = q.get('wrap-with-directory') === 'true' ? '' : (files[0]?.path ?? result.cid.toString())
    return reply(res, 200, { Name: name, Hash: result.cid.toString(), Size: String(result.size) }, 'application/x-ndjson')
  }

  async function gateway(url: URL, res: ServerResponse) {
    const cid = CID.parse(url.pathname.slice('/ipfs/'.length).split('/')[0] ?? '')
    const bytes = await store.getBlock(cid).catch(() => undefined)
    if (!bytes) return reply(res, 404, { Message: `${cid} not found`, Code: 0, Type: 'error' })
    return reply(res, 200, bytes, 'application/vnd.ipld.raw')
  }

  await new Promise<void>((resolve) => server.listen(parameters.port ?? 0, parameters.host ?? '127.0.0.1', resolve))
  const { address, port } = server.address() as AddressInfo
  const origin = `http://${address.includes(':') ? `[${address}]` : address}:${port}`
  return {
    url: origin,
    gatewayUrl: origin,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}

function reply(res: ServerResponse, status: number, body: unknown, type = 'application/json') {
  if (body instanceof Uint8Array) {
    res.writeHead(status, { 'content-type': type, 'content-length': body.length })
    return res.end(body)
  }
  res.writeHead(status, { 'content-type': type })
  res.end(`${JSON.stringify(body)}\n`)
}

function fail(res: ServerResponse, error: unknown) {
  const message = error instanceof BaseError ? `${error.shortMessage} ${error.details}` : String((error as Error)?.message ?? error)
  const status = error instanceof BaseError && error.code === 'INVALID_INPUT' ? 400 : 500
  if (res.headersSent) {
    res.addTrailers({ 'X-Stream-Error': message })
    return res.end()
  }
  // Kubo answers command errors with 500 and its message
  reply(res, status, { Message: /not found/i.test(message) || error instanceof BaseError && error.code === 'CONTENT_NOT_FOUND' ? `${message} (not found)` : message.replace('is a directory, not a file', 'this dag node is a directory'), Code: 0, Type: 'error' })
}
