import type { Address } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import { assertAddress } from '../internal/validate.ts'
import { write } from '../internal/write.ts'
import type { TransactionResult, WriteErrorType } from '../types.ts'

export type WithdrawParameters = {
  /** The token to withdraw; defaults to the platform token. */
  token?: Address
}
export type WithdrawReturnType = TransactionResult & { amount: bigint }
export type WithdrawErrorType = WriteErrorType

/**
 * Withdraws the caller's credited payouts (seller proceeds, split rulings) of one token.
 * Payouts are pulled, never pushed.
 *
 * @example
 * import { withdraw } from '@ai-model-marketplace/sdk'
 * const { amount } = await withdraw(client)
 */
export async function withdraw(client: MarketplaceClientConfig, { token }: WithdrawParameters = {}): Promise<WithdrawReturnType> {
  if (token !== undefined) assertAddress('token', token)
  const target = token ?? client.deployment.contracts.PlatformToken.address
  const { hash, receipt, result } = await write<bigint>(client, { contract: 'Marketplace', functionName: 'withdraw', args: [target], action: 'withdraw' })
  return { hash, blockNumber: receipt.blockNumber, amount: result }
}
