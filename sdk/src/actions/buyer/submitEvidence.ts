import type { MarketplaceClientConfig } from '../../client/types.ts'
import { InvalidInputError } from '../../errors/storage.ts'
import { type EvidenceInput, evidenceUri } from '../internal/evidence.ts'
import { assertId } from '../internal/validate.ts'
import { write } from '../internal/write.ts'
import type { TransactionResult, WriteErrorType } from '../types.ts'

export type SubmitEvidenceParameters = { orderId: bigint; evidence: EvidenceInput }
export type SubmitEvidenceReturnType = TransactionResult & { evidenceURI: string }
export type SubmitEvidenceErrorType = WriteErrorType

/**
 * The buyer or the seller adds evidence to a disputed order (an ERC-1497 `Evidence` event).
 *
 * @example
 * import { submitEvidence } from '@ai-model-marketplace/sdk'
 * await submitEvidence(client, { orderId: 1n, evidence: { name: 'Logs', description: 'Load error.' } })
 */
export async function submitEvidence(
  client: MarketplaceClientConfig,
  { orderId, evidence }: SubmitEvidenceParameters,
): Promise<SubmitEvidenceReturnType> {
  assertId('orderId', orderId)
  if (evidence === undefined) throw new InvalidInputError('evidence', 'required')
  const uri = await evidenceUri(client, evidence)
  const { hash, receipt } = await write(client, {
    contract: 'Marketplace',
    functionName: 'submitEvidence',
    args: [orderId, uri],
    action: 'submitEvidence',
  })
  return { hash, blockNumber: receipt.blockNumber, evidenceURI: uri }
}
