import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import { CID } from 'multiformats/cid'
import type { Address } from 'viem'
import { BaseError } from '../../errors/base.ts'
import { ContentNotFoundError } from '../../errors/storage.ts'
import { walkDag } from '../../storage/dag.ts'
import { gatewayReader } from '../../storage/gateway.ts'
import type { ContentStore } from '../../storage/types.ts'
import { openJournal } from './journal.ts'
import { HttpRefusal } from './kubo-rpc.ts'
import type { Ledger } from './ledger.ts'

/** The Pinning Service API's statuses: a request waits (queued), fetches (pinning), then holds (pinned) or gave up (failed). */
export type PinStatusValue = 'queued' | 'pinning' | 'pinned' | 'failed'

type Pin = { cid: string; name?: string; origins?: string[]; meta?: Record<string, string> }
type PinRequest = { requestid: string; address: Address; created: string; status: PinStatusValue; pin: Pin; reason?: string }
type RequestEntry = { t: 'put'; request: PinRequest } | { t: 'delete'; requestid: string }

const MAX_NAME = 255
const MAX_ORIGINS = 20
const MAX_META_KEYS = 50
const MAX_META_BYTES = 4096
const MAX_BODY_BYTES = 64 * 1024
// how many pins are fetched from the sources at once
const FETCHES = 2

export type PinningParameters = {
  /**
   * Trustless gateways (e.g. a seller's own Kubo gateway, or a public one) to fetch a pinned DAG
   * from when the store does not hold it yet; every block is checked against its CID. Without
   * them, only content already in the store can be pinned (other requests fail).
   */
  sources?: readonly string[]
}

/** An error in the Pinning Service API's shape: `{ error: { reason, details } }`. */
class PinningError extends Error {
  readonly status: number
  readonly reason: string
  constructor(status: number, reason: string, details: string) {
    super(details)
    this.status = status
    this.reason = reason
  }
}

/**
 * The IPFS Pinning Service API (v1) under `/pins`: list, add, get, replace and delete pin requests
 * of the address behind the bearer token (a SIWE session or an API token). A pin is charged to
 * the address's quota as an upload is; content the store lacks is fetched from
 * {@link PinningParameters.sources} in the background (queued → pinning → pinned or failed).
 * Requests are kept in `<dir>/pin-requests.jsonl`; unfinished fetches resume after a restart.
 */
export async function openPinningService(
  store: ContentStore & { putBlocks?(blocks: AsyncIterable<{ cid: CID; bytes: Uint8Array }>): Promise<void> },
  ledger: Ledger,
  dir: string,
  authenticate: (authorization: string | undefined) => { address: Address },
  parameters: PinningParameters = {},
) {
  const requests = new Map<string, PinRequest>()
  const { journal } = await openJournal<RequestEntry>(join(dir, 'pin-requests.jsonl'), (entries) => {
    for (const entry of entries) if (entry.t === 'put') requests.set(entry.request.requestid, entry.request)
    else requests.delete(entry.requestid)
    return [...requests.values()].map((request) => ({ t: 'put', request }))
  })
  const sources = (parameters.sources ?? []).map((url) => gatewayReader({ url }))
  const queue: PinRequest[] = []
  let running = 0
  let closed = false

  const save = async (request: PinRequest) => {
    requests.set(request.requestid, request)
    await journal.append({ t: 'put', request })
  }

  const fetchBlock = async (cid: CID) => {
    for (const source of sources) {
      try {
        return await source.getBlock(cid)
      } catch {}
    }
    throw new ContentNotFoundError(cid.toString(), { details: 'in the store and at every source' })
  }

  /** Holds the pin for its address, fetching the DAG first when the store lacks blocks of it. */
  const settle = async (request: PinRequest) => {
    if (!requests.has(request.requestid)) return // deleted while it waited
    const cid = CID.parse(request.pin.cid)
    const grant = ledger.grant(request.address)
    try {
      const whole = await holdsWholeDag(store, cid)
      if (!whole && !store.putBlocks) {
        // a node that fetches by itself (Kubo): its own pin gets the blocks, from the IPFS network
        await save({ ...request, status: 'pinning' })
      } else if (!whole && store.putBlocks) {
        if (sources.length === 0) throw new ContentNotFoundError(cid.toString(), { details: 'not in the store, and no source to fetch it from' })
        await save({ ...request, status: 'pinning' })
        const local = (store as { getBlock?: (cid: CID) => Promise<Uint8Array> }).getBlock?.bind(store)
        await store.putBlocks(
          (async function* () {
            for await (const block of walkDag(cid, async (c) => (local && (await store.has(c)) ? local(c) : fetchBlock(c)))) {
              grant.reserve?.(block.bytes.length) // a DAG larger than the quota left stops here
              yield block
            }
          })(),
        )
      }
      await grant.pin?.(cid)
      if (requests.has(request.requestid)) await save({ ...request, status: 'pinned' })
      else await releaseIfUnused(request) // deleted while it was fetched
    } catch (error) {
      if (requests.has(request.requestid)) await save({ ...request, status: 'failed', reason: describe(error) })
    } finally {
      grant.done?.()
    }
  }

  const pump = () => {
    while (!closed && running < FETCHES && queue.length) {
      const request = queue.shift() as PinRequest
      running++
      settle(request)
        .catch(() => {})
        .finally(() => {
          running--
          pump()
        })
    }
  }

  /** Drops the address's hold on a CID once none of its requests needs it. */
  const releaseIfUnused = async (request: PinRequest) => {
    const others = [...requests.values()].some((r) => r.address === request.address && r.pin.cid === request.pin.cid && r.status === 'pinned')
    if (!others && ledger.holders(CID.parse(request.pin.cid)).includes(request.address))
      await ledger.grant(request.address).unpin?.(CID.parse(request.pin.cid))
  }

  const create = async (address: Address, pin: Pin): Promise<PinRequest> => {
    ledger.spend(address)
    const request: PinRequest = { requestid: randomUUID(), address, created: new Date().toISOString(), status: 'queued', pin }
    await save(request)
    // content already here is pinned at once (a quota refusal is the answer: 409), so the answer can say `pinned`
    if (await holdsWholeDag(store, CID.parse(pin.cid))) {
      const grant = ledger.grant(address)
      try {
        await grant.pin?.(CID.parse(pin.cid))
      } catch (error) {
        requests.delete(request.requestid)
        await journal.append({ t: 'delete', requestid: request.requestid })
        throw error
      } finally {
        grant.done?.()
      }
      await save({ ...request, status: 'pinned' })
    } else {
      queue.push(request)
      pump()
    }
    return requests.get(request.requestid) as PinRequest
  }

  const remove = async (request: PinRequest) => {
    requests.delete(request.requestid)
    await journal.append({ t: 'delete', requestid: request.requestid })
    if (request.status === 'pinned') await releaseIfUnused(request)
  }

  const status = (request: PinRequest) => ({
    requestid: request.requestid,
    status: request.status,
    created: request.created,
    pin: request.pin,
    // the spec asks for the libp2p addresses of the nodes that hold the pin; this service is no
    // libp2p peer, and Kubo refuses any address without a peer id, so there is none to give
    delegates: [],
    info: request.reason ? { reason: request.reason } : {},
  })

  // fetches cut short by a restart start again
  for (const request of requests.values()) if (request.status === 'queued' || request.status === 'pinning') queue.push(request)
  pump()

  const handler = async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    const url = new URL(request.url ?? '/', 'http://localhost')
    if (url.pathname !== '/pins' && !url.pathname.startsWith('/pins/')) return false
    try {
      let address: Address
      try {
        address = authenticate(request.headers.authorization).address
      } catch (error) {
        throw new PinningError(401, 'UNAUTHORIZED', (error as Error).message)
      }
      const id = url.pathname.slice('/pins/'.length)
      if (url.pathname === '/pins' || url.pathname === '/pins/') {
        if (request.method === 'GET') return sendPinning(response, 200, list(address, url.searchParams))
        if (request.method === 'POST') return sendPinning(response, 202, status(await create(address, parsePin(await readBody(request)))))
        throw new PinningError(405, 'METHOD_NOT_ALLOWED', `${request.method} /pins is not an operation: use GET or POST`)
      }
      const existing = requests.get(id)
      if (!existing || existing.address !== address) throw new PinningError(404, 'NOT_FOUND', `no pin request ${id} of ${address}`)
      if (request.method === 'GET') return sendPinning(response, 200, status(existing))
      if (request.method === 'POST') {
        // replace: the new pin is held before the old one is let go, so blocks common to both stay
        const replacement = await create(address, parsePin(await readBody(request)))
        await remove(existing)
        return sendPinning(response, 202, status(replacement))
      }
      if (request.method === 'DELETE') {
        ledger.spend(address)
        await remove(existing)
        response.writeHead(202)
        response.end()
        return true
      }
      throw new PinningError(405, 'METHOD_NOT_ALLOWED', `${request.method} /pins/{requestid} is not an operation: use GET, POST or DELETE`)
    } catch (error) {
      if (!request.readableEnded) request.resume()
      const refusal =
        error instanceof PinningError
          ? error
          : error instanceof HttpRefusal
            ? new PinningError(error.status === 413 ? 409 : error.status, error.status === 413 ? 'INSUFFICIENT_FUNDS' : error.status === 429 ? 'TOO_MANY_REQUESTS' : 'BAD_REQUEST', error.message)
            : new PinningError(500, 'INTERNAL_SERVER_ERROR', describe(error))
      sendPinning(response, refusal.status, { error: { reason: refusal.reason, details: refusal.message } })
    }
    return true
  }

  function list(address: Address, query: URLSearchParams) {
    const cids = query.get('cid')?.split(',').filter(Boolean)
    if (cids && cids.length > 10) throw new PinningError(400, 'BAD_REQUEST', 'at most 10 CIDs in cid')
    const statuses = (query.get('status') ?? 'pinned').split(',')
    for (const s of statuses)
      if (!['queued', 'pinning', 'pinned', 'failed'].includes(s)) throw new PinningError(400, 'BAD_REQUEST', `status ${s} is not queued, pinning, pinned or failed`)
    const limit = query.has('limit') ? Number(query.get('limit')) : 10
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new PinningError(400, 'BAD_REQUEST', 'limit must be an integer from 1 to 1000')
    const name = query.get('name')
    const match = query.get('match') ?? 'exact'
    if (!['exact', 'iexact', 'partial', 'ipartial'].includes(match)) throw new PinningError(400, 'BAD_REQUEST', `match ${match} is not exact, iexact, partial or ipartial`)
    const time = (key: string) => {
      const value = query.get(key)
      if (value === null) return undefined
      const t = Date.parse(value)
      if (Number.isNaN(t)) throw new PinningError(400, 'BAD_REQUEST', `${key} must be an ISO 8601 time`)
      return t
    }
    const before = time('before')
    const after = time('after')
    let meta: Record<string, unknown> | undefined
    if (query.has('meta')) {
      try {
        meta = JSON.parse(query.get('meta') as string)
      } catch {}
      if (!meta || typeof meta !== 'object') throw new PinningError(400, 'BAD_REQUEST', 'meta must be a JSON object')
    }
    const matchName = (value: string | undefined) => {
      if (name === null) return true
      if (value === undefined) return false
      if (match === 'exact') return value === name
      if (match === 'iexact') return value.toLowerCase() === name.toLowerCase()
      if (match === 'partial') return value.includes(name)
      return value.toLowerCase().includes(name.toLowerCase())
    }
    const found = [...requests.values()]
      .filter(
        (r) =>
          r.address === address &&
          statuses.includes(r.status) &&
          (!cids || cids.includes(r.pin.cid)) &&
          matchName(r.pin.name) &&
          (before === undefined || Date.parse(r.created) < before) &&
          (after === undefined || Date.parse(r.created) > after) &&
          (!meta || Object.entries(meta).every(([k, v]) => r.pin.meta?.[k] === v)),
      )
      .sort((a, b) => b.created.localeCompare(a.created))
    return { count: found.length, results: found.slice(0, limit).map(status) }
  }

  return {
    handler,
    async close() {
      closed = true
      await journal.close()
    },
  }
}

/** Whether every block of the DAG is in the store (a pin promises all of them). */
async function holdsWholeDag(store: ContentStore & { getBlock?: (cid: CID) => Promise<Uint8Array> }, cid: CID): Promise<boolean> {
  if (!(await store.has(cid))) return false
  if (!store.getBlock) return true
  const getBlock = store.getBlock.bind(store)
  try {
    for await (const _ of walkDag(cid, getBlock));
    return true
  } catch (error) {
    if (error instanceof ContentNotFoundError) return false
    throw error
  }
}

function parsePin(body: unknown): Pin {
  const bad = (details: string): never => {
    throw new PinningError(400, 'BAD_REQUEST', details)
  }
  if (!body || typeof body !== 'object') bad('expected a JSON Pin object { cid, name?, origins?, meta? }')
  const { cid, name, origins, meta } = body as Record<string, unknown>
  if (typeof cid !== 'string') bad('cid is required')
  let parsed: CID | undefined
  try {
    parsed = CID.parse(cid as string)
  } catch {}
  if (!parsed) bad(`"${cid}" is not a CID`)
  if (name !== undefined && (typeof name !== 'string' || name.length > MAX_NAME)) bad(`name must be a string of at most ${MAX_NAME} characters`)
  if (origins !== undefined && (!Array.isArray(origins) || origins.length > MAX_ORIGINS || origins.some((o) => typeof o !== 'string')))
    bad(`origins must be at most ${MAX_ORIGINS} multiaddr strings`)
  if (meta !== undefined) {
    const entries = meta && typeof meta === 'object' && !Array.isArray(meta) ? Object.entries(meta) : undefined
    if (!entries || entries.length > MAX_META_KEYS || entries.some(([, v]) => typeof v !== 'string') || JSON.stringify(meta).length > MAX_META_BYTES)
      bad(`meta must be an object of at most ${MAX_META_KEYS} string values (${MAX_META_BYTES} bytes)`)
  }
  // the CID as it was given (v0 stays v0), as clients match it in listings
  return {
    cid: cid as string,
    ...(name !== undefined ? { name: name as string } : {}),
    ...(origins !== undefined ? { origins: origins as string[] } : {}),
    ...(meta !== undefined ? { meta: meta as Record<string, string> } : {}),
  }
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  let text = ''
  for await (const chunk of request) {
    text += chunk
    if (text.length > MAX_BODY_BYTES) throw new PinningError(413, 'BAD_REQUEST', 'request body too large')
  }
  try {
    return JSON.parse(text)
  } catch {
    throw new PinningError(400, 'BAD_REQUEST', 'the body is not JSON')
  }
}

function describe(error: unknown): string {
  return error instanceof BaseError ? `${error.shortMessage}${error.details ? ` ${error.details}` : ''}` : error instanceof Error ? error.message : String(error)
}

function sendPinning(response: ServerResponse, status: number, body: unknown): true {
  response.writeHead(status, { 'content-type': 'application/json' })
  response.end(JSON.stringify(body))
  return true
}
