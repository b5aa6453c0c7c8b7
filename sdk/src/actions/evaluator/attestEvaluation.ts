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
}
export type AttestEvaluationReturnType = TransactionResult & { attestationId: bigint; reportURI: string }
export type AttestEvaluationErrorType = WriteErrorType

/**
 * An evaluator (the EVALUATOR role) attests a result for a model version, fulfilling a request
 * when `requestId` is given.
 *
 * @example
 * import { attestEvaluation } from '@ai-model-marketplace/sdk'
 * await attestEvaluation(evaluatorClient, {
 *   modelId: 1n, version: 1, suite: 'amm-checks/v1', verdict: 'pass', score: 1_000_000,
 *   report: { format: 'safetensors', verdict: 'pass', findings: [], metrics: {} },
 * })
 */
export async function attestEvaluation(client: MarketplaceClientConfig, parameters: AttestEvaluationParameters): Promise<AttestEvaluationReturnType> {
  const { modelId, version, requestId = 0n, suite, verdict, score, report } = parameters
  assertId('modelId', modelId)
  assertVersion('version', version)
  assertAmount('requestId', requestId)
  assertString('suite', suite, 1, 64)
  if (!(verdict in verdictIndex)) throw new InvalidInputError('verdict', "expected 'pass', 'warn' or 'fail'")
  assertInteger('score', score, 0, 1_000_000)
  if (typeof report === 'string') assertString('report', report, 1, 256)
  else if (typeof report !== 'object' || report === null || !Array.isArray(report.findings)) throw new InvalidInputError('report', 'expected an evaluation report or its URI')
  const reportURI = typeof report === 'string' ? report : await addJson(client, report)
  const { hash, receipt, result } = await write<bigint>(client, {
    contract: 'Evaluations',
    functionName: 'attest',
    args: [modelId, version, requestId, suite, verdictIndex[verdict], score, reportURI],
    action: 'attestEvaluation',
  })
  return { hash, blockNumber: receipt.blockNumber, attestationId: result, reportURI }
}
