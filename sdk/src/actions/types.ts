import type { Hash } from 'viem'
import type { ChainMismatchError, ChainRequestError, ContractRevertedError, UserRejectedError, WalletMissingError } from '../errors/chain.ts'
import type { InvalidInputError } from '../errors/storage.ts'

/** What every action that sends one transaction returns. */
export type TransactionResult = {
  /** The transaction's hash. */
  hash: Hash
  /** The block it was mined in. */
  blockNumber: bigint
}

/** The failures any action that sends a transaction can raise. */
export type WriteErrorType =
  | InvalidInputError
  | WalletMissingError
  | ChainMismatchError
  | ContractRevertedError
  | ChainRequestError
  | UserRejectedError
