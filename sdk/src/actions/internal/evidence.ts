import type { MarketplaceClientConfig } from '../../client/types.ts'
import { InvalidInputError } from '../../errors/storage.ts'
import { addJson } from './store.ts'
import { assertString } from './validate.ts'

/** An ERC-1497 evidence document (`fileURI` points at supporting files), or the URI of one already stored. */
export type EvidenceInput = string | { name: string; description: string; fileURI?: string }

/** Validates evidence and, when it is a document, adds it to the store; returns the URI to post. */
export async function evidenceUri(client: MarketplaceClientConfig, evidence: EvidenceInput): Promise<string> {
  if (typeof evidence === 'string') {
    assertString('evidence', evidence, 1, 256)
    return evidence
  }
  if (typeof evidence !== 'object' || evidence === null) throw new InvalidInputError('evidence', 'expected a URI or { name, description }')
  assertString('evidence.name', evidence.name, 1, 200)
  assertString('evidence.description', evidence.description, 1, 10_000)
  if (evidence.fileURI !== undefined) assertString('evidence.fileURI', evidence.fileURI, 1, 256)
  return addJson(client, evidence)
}
