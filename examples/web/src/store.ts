import type { MarketplaceClientConfig } from '@ai-model-marketplace/sdk'

const MAX_DOCUMENT_BYTES = 1 << 20

/** Reads a small document (model card, changelog, comment, evidence) by its `ipfs://` URI or CID. */
export async function readText(client: MarketplaceClientConfig, uri: string): Promise<string> {
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of client.store.cat(uri.replace(/^ipfs:\/\//, ''))) {
    size += chunk.byteLength
    // a document is small; anything larger is not one and is not read into memory
    if (size > MAX_DOCUMENT_BYTES) throw new Error(`${uri} is larger than 1 MiB: not a document`)
    chunks.push(chunk)
  }
  return new TextDecoder().decode(await new Blob(chunks as BlobPart[]).arrayBuffer())
}
