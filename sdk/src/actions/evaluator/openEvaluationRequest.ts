import type { Hex } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import { evaluationsAbi } from '../../contracts/abis.ts'
import { matchesCommitment } from '../../crypto/delivery.ts'
import { deriveVersionKey, unwrapKey } from '../../crypto/keys.ts'
import { InvalidInputError } from '../../errors/storage.ts'
import { buyerKeyPair, evaluationBinding } from '../internal/keys.ts'
import { assertId } from '../internal/validate.ts'
import { call, read, requireAccount } from '../internal/write.ts'
import type { WriteErrorType } from '../types.ts'

export type OpenEvaluationRequestParameters = { requestId: bigint }
export type OpenEvaluationRequestReturnType = {
  requestId: bigint
  modelId: bigint
  version: number
  status: 'Open' | 'Fulfilled' | 'Cancelled'
  /** The version key to pass to `downloadModel`; undefined for a public (free) version. */
  versionKey: Uint8Array | undefined
  /**
   * The model key the request carries and the registry's key commitment now, with whether they match:
   * attest `keyCheck: { keyCommitment, opens }` once the version downloaded (or failed to) with
   * `verifySha256: true`. Undefined for a public version.
   */
  key: { modelKey: Uint8Array; keyCommitment: Hex; matchesCommitment: boolean } | undefined
}
export type OpenEvaluationRequestErrorType = WriteErrorType

const statuses = ['None', 'Open', 'Fulfilled', 'Cancelled'] as const

/**
 * The evaluator opens a request addressed to it: reads it from the chain, unwraps the model key
 * with the key derived from its wallet (the one `setEvaluatorKey` published), derives the version
 * key and compares the model key with the registry's commitment.
 *
 * @example
 * import { downloadModel, openEvaluationRequest } from '@ai-model-marketplace/sdk'
 * const { modelId, version, versionKey } = await openEvaluationRequest(evaluatorClient, { requestId: 1n })
 * const { entries } = await downloadModel(evaluatorClient, { modelId, version, versionKey })
 */
export async function openEvaluationRequest(client: MarketplaceClientConfig, { requestId }: OpenEvaluationRequestParameters): Promise<OpenEvaluationRequestReturnType> {
  assertId('requestId', requestId)
  const evaluator = requireAccount(client, 'openEvaluationRequest').address
  const request = await read<{ modelId: bigint; version: number; evaluator: `0x${string}`; status: number }>(client, {
    contract: 'Evaluations',
    functionName: 'getRequest',
    args: [requestId],
  })
  if (request.evaluator.toLowerCase() !== evaluator.toLowerCase())
    throw new InvalidInputError('requestId', `request ${requestId} is addressed to ${request.evaluator}, not to ${evaluator}`)
  const [requested] = await call('eth_getLogs', () =>
    client.publicClient.getContractEvents({
      address: client.deployment.contracts.Evaluations.address,
      abi: evaluationsAbi,
      eventName: 'EvaluationRequested',
      args: { requestId },
      fromBlock: BigInt(client.deployment.contracts.Evaluations.blockNumber),
      toBlock: 'latest',
      strict: true,
    }),
  )
  const wrappedKey = (requested?.args as { wrappedKey?: Hex } | undefined)?.wrappedKey ?? '0x'
  const base = { requestId, modelId: request.modelId, version: Number(request.version), status: statuses[request.status] as OpenEvaluationRequestReturnType['status'] }
  if (wrappedKey === '0x') return { ...base, versionKey: undefined, key: undefined }
  const { privateKey } = await buyerKeyPair(client, 'openEvaluationRequest')
  const modelKey = await unwrapKey({ wrappedKey, privateKey, ...evaluationBinding(client, request.modelId, evaluator) })
  const keyCommitment = await read<Hex>(client, { contract: 'ModelRegistry', functionName: 'keyCommitment', args: [request.modelId] })
  return {
    ...base,
    versionKey: deriveVersionKey(modelKey, base.version),
    key: { modelKey, keyCommitment, matchesCommitment: matchesCommitment(modelKey, keyCommitment) },
  }
}
