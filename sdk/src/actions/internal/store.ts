import type { MarketplaceClientConfig } from '../../client/types.ts'
import { concatBytes } from '../../crypto/bytes.ts'
import { InvalidInputError } from '../../errors/storage.ts'
import type { ContentReader, ContentStore } from '../../storage/types.ts'

export function writableStore(client: MarketplaceClientConfig): ContentStore {
  const store = client.store as ContentStore | ContentReader
  if (!('add' in store)) throw new InvalidInputError('store', 'this action adds files, but the client’s store is read-only')
  return store
}

/** Adds a JSON document (model card, evidence, review comment, profile) and returns its `ipfs://` URI. */
export async function addJson(client: MarketplaceClientConfig, value: unknown): Promise<string> {
  const { cid } = await writableStore(client).add(new TextEncoder().encode(JSON.stringify(value)))
  return `ipfs://${cid.toString()}`
}

/** Adds a UTF-8 text (release notes) and returns its `ipfs://` URI. */
export async function addText(client: MarketplaceClientConfig, text: string): Promise<string> {
  const { cid } = await writableStore(client).add(new TextEncoder().encode(text))
  return `ipfs://${cid.toString()}`
}

/** Reads a JSON document by its `ipfs://` URI (or bare CID) from the client's store. */
export async function readJson<T>(client: MarketplaceClientConfig, uri: string): Promise<T> {
  const chunks: Uint8Array[] = []
  for await (const chunk of client.store.cat(uri.replace(/^ipfs:\/\//, ''))) chunks.push(chunk)
  return JSON.parse(new TextDecoder().decode(concatBytes(...chunks))) as T
}
