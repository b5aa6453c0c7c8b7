import type { MarketplaceClientConfig } from '../../client/types.ts'
import { arbitrationAbi } from '../../contracts/abis.ts'
import { InvalidInputError } from '../../errors/storage.ts'
import { evidenceUri, type EvidenceInput } from '../internal/evidence.ts'
import { assertId } from '../internal/validate.ts'
import { call, eventOf, read, write } from '../internal/write.ts'
import type { TransactionResult, WriteErrorType } from '../types.ts'

export type DisputeOrderParameters = {
  orderId: bigint
  /** Why the buyer disputes: an ERC-1497 evidence document added to the store, or the URI of one. */
  evidence: EvidenceInput
}
export type DisputeOrderReturnType = TransactionResult & {
  disputeId: bigint
  /** The ERC-1497 evidence URI recorded on-chain. */
  evidenceURI: string
  /** Until when the arbiter may rule (unix seconds); after it the default rule (a 50/50 split) applies. */
  rulingDeadline: bigint
}
export type DisputeOrderErrorType = WriteErrorType

/**
 * The buyer disputes a delivered order within the dispute window. Pays the arbitrator's fee
 * (read from the arbitrator) as value.
 *
 * @example
 * import { disputeOrder } from '@ai-model-marketplace/sdk'
 * const { disputeId } = await disputeOrder(client, {
 *   orderId: 1n,
 *   evidence: { name: 'Wrong model', description: 'The files are not the listed model.' },
 * })
 */
export async function disputeOrder(client: MarketplaceClientConfig, { orderId, evidence }: DisputeOrderParameters): Promise<DisputeOrderReturnType> {
  assertId('orderId', orderId)
  if (evidence === undefined) throw new InvalidInputError('evidence', 'required')
  const uri = await evidenceUri(client, evidence)
  const arbitrator = await read<`0x${string}`>(client, { contract: 'Marketplace', functionName: 'arbitrator' })
  const cost = await call('arbitrationCost', () =>
    client.publicClient.readContract({ address: arbitrator, abi: arbitrationAbi, functionName: 'arbitrationCost', args: ['0x'] }),
  )
  const { hash, receipt } = await write(client, {
    contract: 'Marketplace',
    functionName: 'dispute',
    args: [orderId, uri],
    value: cost,
    action: 'disputeOrder',
  })
  const event = eventOf<{ disputeId: bigint; rulingDeadline: bigint }>('Marketplace', 'OrderDisputed', receipt)
  return { hash, blockNumber: receipt.blockNumber, disputeId: event.disputeId, evidenceURI: uri, rulingDeadline: event.rulingDeadline }
}
