import { type Address, type Hex, toHex } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import { wrapKey } from '../../crypto/keys.ts'
import { ContractRevertedError } from '../../errors/chain.ts'
import { evaluationBinding, sellerModelKey } from '../internal/keys.ts'
import { assertAddress, assertId, assertVersion } from '../internal/validate.ts'
import { read, write } from '../internal/write.ts'
import type { TransactionResult, WriteErrorType } from '../types.ts'
import { isPublicVersion } from '../internal/archive.ts'

export type RequestEvaluationParameters = {
  modelId: bigint
  version: number
  /** An account with the evaluator role that published its key (`setEvaluatorKey`). */
  evaluator: Address
  /** The model's key when it was handed over by a previous owner; otherwise derived from the wallet. */
  modelKey?: Uint8Array
}
export type RequestEvaluationReturnType = TransactionResult & { requestId: bigint; wrappedKey: Hex }
export type RequestEvaluationErrorType = WriteErrorType

/**
 * The model's owner asks an evaluator to check a version, wrapping the model key to the evaluator's
 * published X25519 key: the evaluator checks that the key the registry commits to (the key buyers
 * receive) decrypts the version to its on-chain sha256, so it needs the model key itself (it opens
 * the model's other versions too). Public (free) versions need no key.
 *
 * @example
 * import { requestEvaluation } from '@ai-model-marketplace/sdk'
 * const { requestId } = await requestEvaluation(client, { modelId: 1n, version: 1, evaluator: '0x…' })
 */
export async function requestEvaluation(client: MarketplaceClientConfig, parameters: RequestEvaluationParameters): Promise<RequestEvaluationReturnType> {
  const { modelId, version, evaluator, modelKey } = parameters
  assertId('modelId', modelId)
  assertVersion('version', version)
  assertAddress('evaluator', evaluator)
  let wrappedKey: Hex = '0x'
  if (!(await isPublicVersion(client, modelId, version))) {
    const publicKey = await read<Hex>(client, { contract: 'Evaluations', functionName: 'evaluatorKey', args: [evaluator] })
    if (BigInt(publicKey) === 0n)
      throw new ContractRevertedError({ contract: 'Evaluations', functionName: 'requestEvaluation', errorName: 'EvaluationsEvaluatorHasNoKey', args: [evaluator] })
    const key = modelKey ?? (await sellerModelKey(client, modelId, undefined, 'requestEvaluation'))
    wrappedKey = toHex(
      await wrapKey({ modelKey: key, recipientPublicKey: publicKey, ...evaluationBinding(client, modelId, evaluator) }),
    )
  }
  const { hash, receipt, result } = await write<bigint>(client, {
    contract: 'Evaluations',
    functionName: 'requestEvaluation',
    args: [modelId, version, evaluator, wrappedKey],
    action: 'requestEvaluation',
  })
  return { hash, blockNumber: receipt.blockNumber, requestId: result, wrappedKey }
}
