import { toHex } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import { buyerKeyPair } from '../internal/keys.ts'
import { write } from '../internal/write.ts'
import type { TransactionResult, WriteErrorType } from '../types.ts'

export type SetEvaluatorKeyReturnType = TransactionResult & { publicKey: `0x${string}` }
export type SetEvaluatorKeyErrorType = WriteErrorType

/**
 * An evaluator publishes its X25519 public key, derived from its wallet signature like a buyer's,
 * so owners can wrap version keys to it with `requestEvaluation`.
 *
 * @example
 * import { setEvaluatorKey } from '@ai-model-marketplace/sdk'
 * await setEvaluatorKey(evaluatorClient)
 */
export async function setEvaluatorKey(client: MarketplaceClientConfig): Promise<SetEvaluatorKeyReturnType> {
  const { publicKey } = await buyerKeyPair(client, 'setEvaluatorKey')
  const { hash, receipt } = await write(client, { contract: 'Evaluations', functionName: 'setEvaluatorKey', args: [toHex(publicKey)], action: 'setEvaluatorKey' })
  return { hash, blockNumber: receipt.blockNumber, publicKey: toHex(publicKey) }
}
