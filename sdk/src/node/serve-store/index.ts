import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createSecureServer } from 'node:http2'
import type { AddressInfo, Socket } from 'node:net'
import { join } from 'node:path'
import type { Hex } from 'viem'
import { InvalidInputError } from '../../errors/storage.ts'
import type { ContentStore } from '../../storage/types.ts'
import { type BlockGetter, trustlessGatewayHandler } from './gateway.ts'
import { HttpRefusal, kuboRpcHandler, sendError, sendJson } from './kubo-rpc.ts'
import { openLedger, type QuotaParameters } from './ledger.ts'
import { openPinningService, type PinningParameters } from './pinning.ts'
import { openSiweSessions, type SiweAuthParameters } from './siwe.ts'

export { HttpRefusal, KUBO_RPC_COMMANDS, type KuboRpcCommand, type KuboRpcOptions, kuboRpcHandler, type WriteGrant } from './kubo-rpc.ts'
export type { QuotaParameters } from './ledger.ts'
export type { PinningParameters } from './pinning.ts'
export type { Session, SiweAuthParameters } from './siwe.ts'

export type ConnectionLimits = {
  /** Most connections open at once; more are refused (default 1,000). */
  maxConnections?: number
  /** Milliseconds to receive a request's headers (default 60,000). */
  headersTimeout?: number
  /** Milliseconds to receive a whole request, body included (default 3,600,000: a large upload takes a while). */
  requestTimeout?: number
  /**
   * Milliseconds a connection (HTTP/2: a stream or a session) may stay with no byte moving either
   * way before it is closed: silent clients, half-sent requests and readers that stopped reading
   * (default 120,000).
   */
  idleTimeout?: number
}

export type ServeStoreParameters = {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number
  /** Interface to listen on (default `127.0.0.1`; `0.0.0.0` to serve other machines). */
  host?: string
  /** Sign-In with Ethereum settings: the dApp's domain and chain. */
  auth: SiweAuthParameters
  /** Per-address limits on writes. */
  quota?: QuotaParameters
  /** Origins allowed to call from a browser (default any: sessions travel in a header, never in cookies). */
  corsOrigins?: '*' | readonly string[]
  /**
   * Serve HTTPS with HTTP/2 (HTTP/1.1 still accepted). Browsers stream request bodies only over
   * HTTP/2, so without it (or a TLS proxy speaking HTTP/2 in front) browser uploads are refused by
   * the browser itself before they are sent.
   */
  tls?: { key: string | Buffer; cert: string | Buffer }
  /**
   * Folder where the service keeps who pinned what (and so each address's quota use) and the open
   * sessions, so a restart loses none of them. Default: `serve-store/` inside an embedded store's
   * folder; required for other stores.
   */
  stateDir?: string
  /** The Pinning Service API (`/pins`): where to fetch content the store does not hold. */
  pinning?: PinningParameters
  /** Connection cap and timeouts, the same over HTTP and HTTPS/HTTP2. */
  limits?: ConnectionLimits
}

export type ServeStoreReturnType = {
  /** Base URL, e.g. `http://127.0.0.1:5080` (`https://` with `tls`); give it to `kuboStore({ url })`. */
  url: string
  /** Stops accepting connections and closes open ones. */
  close(): Promise<void>
}

/**
 * A small HTTP storage service over any {@link ContentStore}, for browsers: the Kubo RPC subset
 * that `kuboStore` speaks under `/api/v0/`, where reads (`cat`, `ls`, `files/stat`, `block/stat`,
 * `pin/ls`) are public and writes (`add`, `pin/add`, `pin/rm`) need a Sign-In with Ethereum session,
 * limited per address in bytes and requests. Never expose a real Kubo RPC port instead: it has no auth.
 *
 * Routes besides `/api/v0/`: `GET /siwe/nonce` → `{ nonce }`; `POST /siwe/verify` with
 * `{ message, signature }` → `{ token, address, expiresAt }`; `GET /session` and `POST /siwe/logout`
 * with `Authorization: Bearer <token>`. Refusals: 401 no or bad session, 403 another address's
 * pin, 413 quota, 429 rate.
 *
 * @example
 * const service = await serveStore(embeddedStore({ dir: './ipfs' }), {
 *   port: 5080,
 *   auth: { domain: 'localhost:5173', chainId: 31337 },
 *   quota: { bytesPerAddress: 2 * 1024 ** 3, requestsPerMinute: 60 },
 * })
 * // in the browser, after signing in:
 * const store = kuboStore({ url: service.url, headers: { authorization: `Bearer ${token}` } })
 */
export async function serveStore(store: ContentStore, parameters: ServeStoreParameters): Promise<ServeStoreReturnType> {
  const embeddedDir = (store as { dir?: unknown }).dir
  const stateDir = parameters.stateDir ?? (typeof embeddedDir === 'string' ? join(embeddedDir, 'serve-store') : undefined)
  if (!stateDir) throw new InvalidInputError('stateDir', 'a folder is needed to keep pins and sessions across restarts (only an embedded store has a default)')
  const sessions = await openSiweSessions(parameters.auth, stateDir)
  const accounts = await openLedger(store, stateDir, parameters.quota)
  const kubo = kuboRpcHandler(store, {
    async authorize(request) {
      const { address } = sessions.session(request.headers.authorization)
      accounts.spend(address)
      return accounts.grant(address)
    },
  })
  const pinning = await openPinningService(store, accounts, stateDir, (authorization) => sessions.session(authorization), parameters.pinning)
  const blocks = (store as { getBlock?: unknown }).getBlock
  const gateway = trustlessGatewayHandler(typeof blocks === 'function' ? (blocks.bind(store) as BlockGetter) : undefined)
  const origins = parameters.corsOrigins ?? '*'

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const origin = request.headers.origin
    if (origin && (origins === '*' || origins.includes(origin))) {
      response.setHeader('access-control-allow-origin', origins === '*' ? '*' : origin)
      response.setHeader('vary', 'origin')
      response.setHeader('access-control-expose-headers', 'x-stream-output, x-chunked-output, content-length, content-range, accept-ranges, etag')
    }
    if (request.method === 'OPTIONS') {
      response.writeHead(204, {
        'access-control-allow-methods': 'GET, HEAD, POST, DELETE, OPTIONS',
        'access-control-allow-headers': request.headers['access-control-request-headers'] ?? 'authorization, content-type',
        'access-control-max-age': '600',
      })
      response.end()
      return
    }
    if (await gateway(request, response)) return
    if (await pinning.handler(request, response)) return
    if (await kubo(request, response)) return
    const path = new URL(request.url ?? '/', 'http://localhost').pathname
    try {
      if (request.method === 'GET' && path === '/siwe/nonce') return sendJson(response, { nonce: sessions.issueNonce() })
      if (request.method === 'POST' && path === '/siwe/verify') {
        sessions.attempt(request.socket.remoteAddress ?? 'unknown')
        const { message, signature } = await readJson(request)
        if (typeof message !== 'string' || typeof signature !== 'string' || !/^0x[0-9a-fA-F]+$/.test(signature))
          throw new HttpRefusal(400, 'expected JSON { message, signature }')
        const session = await sessions.signIn(message, signature as Hex)
        return sendJson(response, { ...session, expiresAt: session.expiresAt.toISOString() })
      }
      if (request.method === 'GET' && path === '/session') {
        const session = sessions.session(request.headers.authorization)
        return sendJson(response, { ...session, expiresAt: session.expiresAt.toISOString(), quota: accounts.usage(session.address) })
      }
      if (request.method === 'POST' && path === '/api-tokens') {
        const { address } = sessions.session(request.headers.authorization)
        const issued = await sessions.issueApiToken(address)
        return sendJson(response, { ...issued, expiresAt: issued.expiresAt.toISOString() })
      }
      if (request.method === 'POST' && path === '/siwe/logout') {
        await sessions.signOut(request.headers.authorization)
        return sendJson(response, {})
      }
      throw new HttpRefusal(404, `no route ${request.method} ${path}`)
    } catch (error) {
      sendError(response, error)
    }
  }

  const limits = {
    maxConnections: parameters.limits?.maxConnections ?? 1000,
    headersTimeout: parameters.limits?.headersTimeout ?? 60_000,
    requestTimeout: parameters.limits?.requestTimeout ?? 3_600_000,
    idleTimeout: parameters.limits?.idleTimeout ?? 120_000,
  }
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    if (parameters.tls) guardRequest(request, response, limits)
    handle(request, response).catch((error) => sendError(response, error))
  }
  // the HTTP/2 compatibility API gives handlers the same request and response shapes
  const server = parameters.tls
    ? createSecureServer({ ...parameters.tls, allowHTTP1: true, settings: { maxConcurrentStreams: 100 } }, listener as never)
    : createServer({ headersTimeout: limits.headersTimeout, requestTimeout: limits.requestTimeout }, listener)
  server.maxConnections = limits.maxConnections
  // a silent connection or session is closed (HTTP/2: the session with its streams)
  server.setTimeout(limits.idleTimeout)
  if (parameters.tls) {
    // HTTP/1.1 over TLS is served by Node's HTTP/1 code with these
    Object.assign(server, { headersTimeout: limits.headersTimeout, requestTimeout: limits.requestTimeout })
    server.on('timeout', (session: { destroy(): void }) => session.destroy())
  }
  // idle keep-alive connections outlive the clients' pools, so a reused connection is never closed under a request
  if ('keepAliveTimeout' in server) server.keepAliveTimeout = 65_000
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(parameters.port ?? 0, parameters.host ?? '127.0.0.1', () => resolve())
  })
  const { address, port } = server.address() as AddressInfo
  const host = address.includes(':') ? `[${address}]` : address
  return {
    url: `${parameters.tls ? 'https' : 'http'}://${host}:${port}`,
    async close() {
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        for (const socket of sockets) socket.destroy()
      })
      await pinning.close()
      await sessions.close()
      await accounts.close()
    },
  }
}

/**
 * Over HTTP/2 a request is a stream inside a long-lived session, which the server's timeouts do not
 * see: a stream whose headers came but whose body stalls, or whose reader stopped reading, is
 * reset after `idleTimeout`, and one whose body takes longer than `requestTimeout` too.
 */
function guardRequest(request: IncomingMessage, response: ServerResponse, limits: Required<ConnectionLimits>) {
  if (!('stream' in request)) return // HTTP/1.1 over TLS: Node's own timeouts apply
  const stream = request.stream as { setTimeout(ms: number, callback: () => void): void; close(code?: number): void; destroyed: boolean }
  const cut = () => {
    if (stream.destroyed) return
    if (!response.headersSent) sendJson(response, { Message: 'request timed out', Code: 0, Type: 'error' }, 408)
    stream.close(0x8) // CANCEL
  }
  stream.setTimeout(limits.idleTimeout, cut)
  const whole = setTimeout(cut, limits.requestTimeout)
  whole.unref()
  request.once('end', () => clearTimeout(whole))
  request.once('close', () => clearTimeout(whole))
}

const MAX_JSON_BYTES = 64 * 1024

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  let text = ''
  for await (const chunk of request) {
    text += chunk
    if (text.length > MAX_JSON_BYTES) throw new HttpRefusal(413, 'request body too large')
  }
  try {
    const value = JSON.parse(text)
    if (value && typeof value === 'object') return value
  } catch {}
  throw new HttpRefusal(400, 'expected a JSON object')
}
