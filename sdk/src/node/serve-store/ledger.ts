import type { Address } from 'viem'
import type { CID } from 'multiformats/cid'
import type { ContentStore } from '../../storage/types.ts'
import { HttpRefusal, type WriteGrant } from './kubo-rpc.ts'

export type QuotaParameters = {
  /** Bytes each address may keep pinned (default 1 GiB). */
  bytesPerAddress?: number
  /** Writes (adds, pins, unpins) each address may make per minute (default 60). */
  requestsPerMinute?: number
}

/**
 * Who pinned what and how much each address holds, plus a per-address rate limit. A pin held by
 * several addresses counts for each and stays in the store until the last one removes it.
 * Kept in memory: a restart forgets the accounts (the store's pins stay).
 */
export function ledger(store: ContentStore, parameters: QuotaParameters = {}) {
  const limit = parameters.bytesPerAddress ?? 1024 ** 3
  const perMinute = parameters.requestsPerMinute ?? 60
  const used = new Map<Address, number>()
  /** CID → the addresses holding a pin on it, with the size charged to each. */
  const holders = new Map<string, Map<Address, number>>()
  const buckets = new Map<Address, { tokens: number; at: number }>()

  const charge = (address: Address, cid: CID, size: number) => {
    const held = holders.get(cid.toString()) ?? new Map<Address, number>()
    if (held.has(address)) return
    held.set(address, size)
    holders.set(cid.toString(), held)
    used.set(address, (used.get(address) ?? 0) + size)
  }

  /** A directory's size is the sum of its files', found by walking its entries. */
  const sizeOf = async (cid: CID): Promise<number> => {
    const stat = await store.stat(cid)
    if (stat.type === 'file') return stat.size
    let total = 0
    for (const entry of stat.entries ?? []) total += await sizeOf(entry.cid)
    return total
  }

  return {
    usage(address: Address) {
      return { used: used.get(address) ?? 0, limit }
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

    /** The rights of one address's write request. */
    grant(address: Address): WriteGrant {
      return {
        maxBytes: Math.max(0, limit - (used.get(address) ?? 0)),
        added: (cid, size) => charge(address, cid, size),
        pinning: async (cid) => {
          if (holders.get(cid.toString())?.has(address)) return
          const size = await sizeOf(cid)
          const left = limit - (used.get(address) ?? 0)
          if (size > left) throw new HttpRefusal(413, `pinning ${size} bytes exceeds the ${left} bytes left in this account's quota`)
          charge(address, cid, size)
        },
        unpinning: async (cid) => {
          const held = holders.get(cid.toString())
          const size = held?.get(address)
          if (!held || size === undefined) throw new HttpRefusal(403, `${address} holds no pin on ${cid}`)
          held.delete(address)
          used.set(address, (used.get(address) ?? 0) - size)
          if (held.size > 0) return false
          holders.delete(cid.toString())
          return true
        },
      }
    },
  }
}
