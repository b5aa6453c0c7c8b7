import type { CID } from 'multiformats/cid'
import { ContentNotFoundError } from '../errors/storage.ts'
import { verifyBlock } from './dag.ts'
import { request } from './http.ts'
import type { ContentReader } from './types.ts'
import { parseCidPath } from './common.ts'
import { catFile, statEntry } from './unixfs.ts'

export type GatewayReaderParameters = {
  /** The gateway's origin, e.g. `https://trustless-gateway.link`. */
  url: string
  headers?: Record<string, string>
}

export type GatewayReader = ContentReader & {
  /** Fetches one raw block and checks it hashes to its CID (IntegrityError, check `cid`, if not). */
  getBlock(cid: CID, options?: { signal?: AbortSignal }): Promise<Uint8Array>
}

/**
 * A read-only {@link ContentReader} over a trustless HTTP gateway: every block is fetched raw
 * (`/ipfs/<cid>?format=raw`) and verified against its CID before it is used, so a lying gateway
 * can withhold data but never alter it.
 *
 * @example
 * const reader = gatewayReader({ url: 'https://trustless-gateway.link' })
 * for await (const chunk of reader.cat(cid)) sink.write(chunk)
 */
export function gatewayReader({ url, headers = {} }: GatewayReaderParameters): GatewayReader {
  const origin = url.replace(/\/+$/, '')
  async function getBlock(cid: CID, options: { signal?: AbortSignal } = {}) {
    const response = await request(
      origin,
      `${origin}/ipfs/${cid}?format=raw`,
      { headers: { accept: 'application/vnd.ipld.raw', ...headers }, signal: options.signal },
      { cid: cid.toString(), when: (status) => status === 404 || status === 410 },
    )
    const bytes = new Uint8Array(await response.arrayBuffer())
    await verifyBlock(cid, bytes)
    return bytes
  }
  return {
    verifiesBlocks: true,
    getBlock,
    cat: (cid, options) => catFile(cid, getBlock, options),
    stat: (cid, options) => statEntry(cid, getBlock, options?.signal),
    async has(value, options) {
      try {
        await getBlock(parseCidPath(value).cid, options)
        return true
      } catch (error) {
        if (error instanceof ContentNotFoundError) return false
        throw error
      }
    },
  }
}
