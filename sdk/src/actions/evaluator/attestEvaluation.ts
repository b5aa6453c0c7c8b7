import type { Hex } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import { InvalidInputError } from '../../errors/storage.ts'
import { addJson } from '../internal/store.ts'
import { assertAmount, assertId, assertInteger, assertString, assertVersion } from '../internal/validate.ts'
import { write } from '../internal/write.ts'
import type { TransactionResult, WriteErrorType } from '../types.ts'
import { type EvaluationReport, type EvaluationVerdict, verdictIndex } from './types.ts'

export type AttestEvaluationParameters = {
  modelId: bigint
  version: number
  /** The request this fulfils (default 0n: unrequested). */
  requestId?: bigint
  /** Suite id, e.g. `amm-checks/v1`. */
  suite: string
  verdict: EvaluationVerdict
  /** 0..1,000,000: parts per million of the suite's best score. */
  score: number
  /** The report, added to the store as JSON, or the URI of one already stored. */
  report: EvaluationReport | string
  /**
   * Whether the key committed by `keyCommitment` decrypts the version to its on-chain sha256
   * (`opens`); omit when not checked (a free model). See `openEvaluationRequest`.
   */
  keyCheck?: { keyCommitment: Hex; opens: boolean }
}
export type AttestEvaluationReturnType = TransactionResult & { attestationId: bigint; reportURI: string }
export type AttestEvaluationErrorType = WriteErrorType

/** IEvaluations.KeyCheck. */
const KEY_CHECK = { NotChecked: 0, Opens: 1, DoesNotOpen: 2 } as const

/**
 * An evaluator (the EVALUATOR role) attests a result for a model version, fulfilling a request
 * when `requestId` is given, and whether the committed key opens the version (`keyCheck`).
 *
 * @example
 * import { attestEvaluation } from '@ai-model-marketplace/sdk'
 * await attestEvaluation(evaluatorClient, {
 *   modelId: 1n, version: 1, suite: 'amm-checks/v1', verdict: 'pass', score: 1_000_000,
 *   report: { format: 'safetensors', verdict: 'pass', findings: [], metrics: {} },
 * })
 */
export async function attestEvaluation(client: MarketplaceClientConfig, parameters: AttestEvaluationParameters): Promise<AttestEvaluationReturnType> {
  const { modelId, version, requestId = 0n, suite, verdict, score, report, keyCheck } = parameters
  assertId('modelId', modelId)
  assertVersion('version', version)
  assertAmount('requestId', requestId)
  assertString('suite', suite, 1, 64)
  if (!(verdict in verdictIndex)) throw new InvalidInputError('verdict', "expected 'pass', 'warn' or 'fail'")
  assertInteger('score', score, 0, 1_000_000)
  if (typeof report === 'string') assertString('report', report, 1, 256)
  else if (typeof report !== 'object' || report === null || !Array.isArray(report.findings)) throw new InvalidInputError('report', 'expected an evaluation report or its URI')
  if (keyCheck !== undefined && (!/^0x[0-9a-fA-F]{64}$/.test(keyCheck.keyCommitment) || BigInt(keyCheck.keyCommitment) === 0n || typeof keyCheck.opens !== 'boolean'))
    throw new InvalidInputError('keyCheck', 'expected { keyCommitment: a non-zero bytes32, opens: boolean }')
  const reportURI = typeof report === 'string' ? report : await addJson(client, report)
  const { hash, receipt, result } = await write<bigint>(client, {
    contract: 'Evaluations',
    functionName: 'attest',
    args: [
      modelId,
      version,
      requestId,
      suite,
      verdictIndex[verdict],
      score,
      reportURI,
      keyCheck?.keyCommitment ?? `0x${'0'.repeat(64)}`,
      keyCheck === undefined ? KEY_CHECK.NotChecked : keyCheck.opens ? KEY_CHECK.Opens : KEY_CHECK.DoesNotOpen,
    ],
    action: 'attestEvaluation',
  })
  return { hash, blockNumber: receipt.blockNumber, attestationId: result, reportURI }
}
