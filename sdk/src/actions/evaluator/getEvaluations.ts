import type { Address, Hex } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import type { IndexerBehindError, IndexerQueryError, IndexerUnavailableError } from '../../errors/indexer.ts'
import type { InvalidInputError } from '../../errors/storage.ts'
import type { Verdict } from '../../indexer/models.ts'
import { type IndexedReadOptions, ensureIndexed, requireIndexer } from '../internal/indexer.ts'
import { readJson } from '../internal/store.ts'
import { assertId, assertString, assertVersion } from '../internal/validate.ts'
import type { EvaluationReport } from './types.ts'

export type GetEvaluationsParameters = IndexedReadOptions & {
  modelId: bigint
  version?: number
  suite?: string
  /** Include revoked attestations (default false). */
  includeRevoked?: boolean
  /** Also fetch each report from the store (default false). */
  withReports?: boolean
}
export type EvaluationInfo = {
  attestationId: bigint
  modelId: bigint
  version: number
  evaluator: Address
  requestId: bigint | null
  suite: string
  verdict: Exclude<Verdict, 'None'>
  score: number
  reportURI: string
  /** Whether the evaluator found that the key committed by `keyCommitment` decrypts the version to its on-chain sha256. */
  keyCheck: 'NotChecked' | 'Opens' | 'DoesNotOpen'
  keyCommitment: Hex | null
  revoked: boolean
  attestedAt: bigint
  report?: EvaluationReport
}
export type GetEvaluationsReturnType = EvaluationInfo[]
export type GetEvaluationsErrorType = InvalidInputError | IndexerUnavailableError | IndexerQueryError | IndexerBehindError

/**
 * The attestations of a model (or one version), newest first, from the indexer.
 *
 * @example
 * import { getEvaluations } from '@ai-model-marketplace/sdk'
 * const [latest] = await getEvaluations(client, { modelId: 1n, version: 2, suite: 'amm-checks/v1', withReports: true })
 * console.log(latest?.verdict, latest?.report?.findings)
 */
export async function getEvaluations(client: MarketplaceClientConfig, parameters: GetEvaluationsParameters): Promise<GetEvaluationsReturnType> {
  const { modelId, version, suite, includeRevoked = false, withReports = false } = parameters
  assertId('modelId', modelId)
  if (version !== undefined) assertVersion('version', version)
  if (suite !== undefined) assertString('suite', suite, 1, 64)
  const indexer = requireIndexer(client, 'getEvaluations')
  await ensureIndexed(indexer, parameters)
  const where: Record<string, unknown> = { model: modelId.toString() }
  if (version !== undefined) where.version = version
  if (suite !== undefined) where.suite = suite
  if (!includeRevoked) where.revoked = false
  type Row = { attestationId: string; version: number; evaluator: { id: Address }; request: { requestId: string } | null; suite: string; verdict: Exclude<Verdict, 'None'>; score: number; reportURI: string; keyCheck: EvaluationInfo['keyCheck']; keyCommitment: Hex | null; revoked: boolean; attestedAt: string }
  const { evaluations } = await indexer.query<{ evaluations: Row[] }>(
    `query Evaluations($where: Evaluation_filter) { evaluations(where: $where, first: 1000, orderBy: attestationId, orderDirection: desc) {
      attestationId version evaluator { id } request { requestId } suite verdict score reportURI keyCheck keyCommitment revoked attestedAt } }`,
    { where },
  )
  return Promise.all(
    evaluations.map(async (row) => ({
      attestationId: BigInt(row.attestationId),
      modelId,
      version: row.version,
      evaluator: row.evaluator.id,
      requestId: row.request ? BigInt(row.request.requestId) : null,
      suite: row.suite,
      verdict: row.verdict,
      score: row.score,
      reportURI: row.reportURI,
      keyCheck: row.keyCheck,
      keyCommitment: row.keyCommitment,
      revoked: row.revoked,
      attestedAt: BigInt(row.attestedAt),
      ...(withReports && row.reportURI.startsWith('ipfs://') ? { report: await readJson<EvaluationReport>(client, row.reportURI) } : {}),
    })),
  )
}
