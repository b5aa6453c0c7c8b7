import { join } from 'node:path'
import type { CID } from 'multiformats/cid'
import type { Address } from 'viem'
import type { ContentStore } from '../../storage/types.ts'
import { openJournal } from './journal.ts'
import { ENTRY_OVERHEAD_BYTES, HttpRefusal, type WriteGrant } from './kubo-rpc.ts'

export type QuotaParameters = {
  /** Bytes each address may keep pinned (default 1 GiB). */
  bytesPerAddress?: number
  /** Writes (adds, pins, unpins) each address may make per minute (default 60). */
  requestsPerMinute?: number
}

/** One line of `pins.jsonl`: an address takes a pin (and whether the store's pin is the service's own), or drops it. */
type PinEntry =
  | { t: 'hold'; cid: string; address: Address; size: number; owned: boolean }
  | { t: 'drop'; cid: string; address: Address }

/** The addresses holding one CID, each with the size charged to it; `owned`: the service made the store's pin. */
type PinRecord = { owned: boolean; holders: Map<Address, number> }

/**
 * Who pinned what through the service, how much each address holds, and a per-address rate limit.
 * Kept in `<dir>/pins.jsonl`, so a restart loses no owner and no charge.
 *
 * The store's pin on a CID is removed only when the service made it and the last address holding
 * it through the service lets go: a pin that was already in the store (the operator's, another
 * tool's) is never removed by a user. A pin held by several addresses counts for each.
 * Uploads reserve their bytes as they arrive, so parallel uploads share one quota; the charge
 * replaces the reservation once the upload is pinned, and a failed upload releases it.
 */
export async function openLedger(store: ContentStore, dir: string, parameters: QuotaParameters = {}) {
  const limit = parameters.bytesPerAddress ?? 1024 ** 3
  const perMinute = parameters.requestsPerMinute ?? 60
  const pins = new Map<string, PinRecord>()
  const used = new Map<Address, number>()
  const reserved = new Map<Address, number>()
  const buckets = new Map<Address, { tokens: number; at: number }>()
  const locks = new Map<string, Promise<unknown>>()

  const apply = (entry: PinEntry) => {
    const record = pins.get(entry.cid) ?? { owned: false, holders: new Map<Address, number>() }
    const before = record.holders.get(entry.address)
    if (before !== undefined) used.set(entry.address, (used.get(entry.address) ?? 0) - before)
    if (entry.t === 'hold') {
      record.owned = entry.owned
      record.holders.set(entry.address, entry.size)
      used.set(entry.address, (used.get(entry.address) ?? 0) + entry.size)
      pins.set(entry.cid, record)
    } else {
      record.holders.delete(entry.address)
      if (record.holders.size === 0) pins.delete(entry.cid)
    }
  }
  const { journal } = await openJournal<PinEntry>(join(dir, 'pins.jsonl'), (entries) => {
    for (const entry of entries) apply(entry)
    return [...pins].flatMap(([cid, { owned, holders }]) =>
      [...holders].map(([address, size]): PinEntry => ({ t: 'hold', cid, address, size, owned })),
    )
  })

  /** Runs `task` after every earlier task on the same CID. */
  const locked = <T>(cid: CID, task: () => Promise<T>): Promise<T> => {
    const key = cid.toString()
    const run = (locks.get(key) ?? Promise.resolve()).then(task)
    const tail = run.catch(() => {})
    locks.set(key, tail)
    tail.then(() => locks.get(key) === tail && locks.delete(key))
    return run
  }

  const isPinned = async (cid: CID) => {
    for await (const pin of store.pins()) if (pin.equals(cid)) return true
    return false
  }

  /** What holding `cid` costs: a file's bytes; a folder's entries' names, links and contents. */
  const chargeOf = async (cid: CID): Promise<number> => {
    const stat = await store.stat(cid)
    if (stat.type === 'file') return stat.size
    let total = 0
    for (const entry of stat.entries ?? []) total += Buffer.byteLength(entry.name) + ENTRY_OVERHEAD_BYTES + (await chargeOf(entry.cid))
    return total
  }

  const left = (address: Address) => limit - (used.get(address) ?? 0) - (reserved.get(address) ?? 0)

  return {
    limit,

    usage(address: Address) {
      return { used: used.get(address) ?? 0, reserved: reserved.get(address) ?? 0, limit }
    },

    /** The addresses holding `cid` through the service. */
    holders(cid: CID): Address[] {
      return [...(pins.get(cid.toString())?.holders.keys() ?? [])]
    },

    /** Spends one request from the address's bucket (refilled continuously); 429 when it is empty. */
    spend(address: Address, now = Date.now()): void {
      const bucket = buckets.get(address) ?? { tokens: perMinute, at: now }
      bucket.tokens = Math.min(perMinute, bucket.tokens + ((now - bucket.at) * perMinute) / 60_000)
      bucket.at = now
      buckets.set(address, bucket)
      if (bucket.tokens < 1) throw new HttpRefusal(429, `more than ${perMinute} writes a minute from ${address}; wait a little`)
      bucket.tokens -= 1
    },

    /** The rights of one write request by `address`; call `done` when the request ends. */
    grant(address: Address): WriteGrant {
      let held = 0
      const release = () => {
        reserved.set(address, (reserved.get(address) ?? 0) - held)
        if (reserved.get(address) === 0) reserved.delete(address)
        held = 0
      }
      return {
        reserve(bytes) {
          if (bytes > left(address))
            throw new HttpRefusal(413, `upload exceeds the ${Math.max(0, left(address))} bytes left in this account's quota`)
          held += bytes
          reserved.set(address, (reserved.get(address) ?? 0) + bytes)
        },
        done: release,
        pin: (cid) =>
          locked(cid, async () => {
            const key = cid.toString()
            if (pins.get(key)?.holders.has(address)) return release()
            const size = await chargeOf(cid)
            const inStore = await isPinned(cid)
            release()
            if (size > left(address))
              throw new HttpRefusal(413, `pinning ${size} bytes exceeds the ${Math.max(0, left(address))} bytes left in this account's quota`)
            // the service owns the store's pin only if it makes it; one already there stays someone else's
            const owned = inStore ? (pins.get(key)?.owned ?? false) : true
            const entry: PinEntry = { t: 'hold', cid: key, address, size, owned }
            apply(entry) // charged at once, so parallel requests see it
            try {
              if (!inStore) await store.pin(cid)
              await journal.append(entry)
            } catch (error) {
              apply({ t: 'drop', cid: key, address })
              if (!inStore && !pins.has(key)) await store.unpin(cid).catch(() => {})
              throw error
            }
          }),
        unpin: (cid) =>
          locked(cid, async () => {
            const key = cid.toString()
            const record = pins.get(key)
            const size = record?.holders.get(address)
            if (!record || size === undefined) throw new HttpRefusal(403, `${address} holds no pin on ${cid} here`)
            const entry: PinEntry = { t: 'drop', cid: key, address }
            await journal.append(entry)
            apply(entry)
            if (record.holders.size === 0 && record.owned) await store.unpin(cid)
          }),
      }
    },

    close: () => journal.close(),
  }
}

export type Ledger = Awaited<ReturnType<typeof openLedger>>
