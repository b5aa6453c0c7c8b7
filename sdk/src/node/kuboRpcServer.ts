import { AsyncLocalStorage } from 'node:async_hooks'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { EmbeddedStore } from '../storage/node/embedded.ts'
import type { ContentStore } from '../storage/types.ts'
import { trustlessGatewayHandler } from './serve-store/gateway.ts'
import { kuboRpcHandler, sendJson } from './serve-store/kubo-rpc.ts'

export type KuboRpcServerParameters = {
  /** The store that holds the data. */
  store: EmbeddedStore
  /** Port to listen on (default: any free port). */
  port?: number
  /** Interface to bind (default loopback only). */
  host?: string
  /** When set, every request must carry `Authorization: Bearer <token>` (401 otherwise). */
  token?: string
  /** Largest accepted upload in bytes (413 above; nothing is stored). */
  maxUploadBytes?: number
}

export type KuboRpcServer = {
  /** RPC base, e.g. `http://127.0.0.1:5001` (pass to `kuboStore({ url })`). */
  url: string
  /** Trustless gateway origin serving `/ipfs/<cid>` as raw blocks and CAR files (pass to `gatewayReader({ url })`). */
  gatewayUrl: string
  close(): Promise<void>
}

/**
 * A daemon-free stand-in for Kubo over an embedded store, for tests and local development: the
 * Kubo RPC subset `kuboStore` speaks (served by `kuboRpcHandler`, streaming uploads) plus a
 * trustless gateway (`/ipfs/<cid>`, raw blocks and CAR files) for `gatewayReader`.
 *
 * @example
 * const server = await startKuboRpcServer({ store: embeddedStore({ dir: './ipfs' }) })
 * const store = kuboStore({ url: server.url })
 */
export async function startKuboRpcServer(parameters: KuboRpcServerParameters): Promise<KuboRpcServer> {
  const { store, token, maxUploadBytes } = parameters
  // the shared handler pins every upload (it charges them to a writer); Kubo honours `pin=false`
  const pinRequested = new AsyncLocalStorage<boolean>()
  const view: ContentStore = {
    ...store,
    add: (source, options) => store.add(source, { ...options, pin: pinRequested.getStore() ?? true }),
    addDirectory: (entries, options) => store.addDirectory(entries, { ...options, pin: pinRequested.getStore() ?? true }),
  }
  const gateway = trustlessGatewayHandler((cid) => store.getBlock(cid))
  const rpc = kuboRpcHandler(view, { authorize: async () => (maxUploadBytes === undefined ? {} : { maxBytes: maxUploadBytes }) })

  async function handle(request: IncomingMessage, response: ServerResponse) {
    if (token && request.headers.authorization !== `Bearer ${token}`) {
      request.resume()
      return sendJson(response, { Message: 'unauthorized', Code: 0, Type: 'error' }, 401)
    }
    const url = new URL(request.url ?? '/', 'http://localhost')
    if (await gateway(request, response)) return
    const handled = await pinRequested.run(url.searchParams.get('pin') !== 'false', () => rpc(request, response))
    if (!handled) sendJson(response, { Message: 'not found', Code: 0, Type: 'error' }, 404)
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error) => {
      if (!response.headersSent) sendJson(response, { Message: String((error as Error)?.message ?? error), Code: 0, Type: 'error' }, 500)
      else response.destroy()
    })
  })
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
