// Every failure of `amm` ends here: one line of message, a hint, and an exit code a script can test.
// SDK errors keep their own code, message and hint (`BaseError`); the CLI adds a few of its own.
import { BaseError, ContractRevertedError } from '@ai-model-marketplace/sdk'

/** Exit codes: stable, documented in the README. */
export const exitCodes = {
  /** Anything unexpected. */
  FAILURE: 1,
  /** Bad flags or arguments, or an input the SDK refused before sending anything. */
  USAGE: 2,
  /** No key, a wrong password, no network configured. */
  SETUP: 3,
  /** No such model, order or content. */
  NOT_FOUND: 4,
  /** The protocol refused: a revert, not licensed, price changed, not enough funds. */
  REFUSED: 5,
  /** The chain, the indexer or the store could not be reached, or a port is taken. */
  UNAVAILABLE: 6,
  /** Downloaded data failed verification: nothing was kept. */
  INTEGRITY: 7,
  /** You declined (the prompt, or the wallet). */
  DECLINED: 8,
} as const

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes]

/** A failure `amm` explains itself. */
export class CliError extends Error {
  override name = 'CliError'
  readonly code: string
  readonly hint: string | undefined
  readonly exitCode: ExitCode
  constructor(code: string, message: string, options: { hint?: string; exitCode?: ExitCode; cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.code = code
    this.hint = options.hint
    this.exitCode = options.exitCode ?? exitCodes.FAILURE
  }
}

export const usageError = (message: string, hint = 'see --help') => new CliError('USAGE', message, { hint, exitCode: exitCodes.USAGE })

const sdkExitCodes: Record<string, ExitCode> = {
  INVALID_INPUT: exitCodes.USAGE,
  WALLET_MISSING: exitCodes.SETUP,
  CHAIN_MISMATCH: exitCodes.SETUP,
  CONTENT_NOT_FOUND: exitCodes.NOT_FOUND,
  CONTRACT_REVERTED: exitCodes.REFUSED,
  PRICE_CHANGED: exitCodes.REFUSED,
  NOT_LICENSED: exitCodes.REFUSED,
  STORE_REFUSED: exitCodes.REFUSED,
  EVENT_MISSING: exitCodes.FAILURE,
  CHAIN_REQUEST_FAILED: exitCodes.UNAVAILABLE,
  STORE_UNAVAILABLE: exitCodes.UNAVAILABLE,
  INDEXER_UNAVAILABLE: exitCodes.UNAVAILABLE,
  INDEXER_QUERY_FAILED: exitCodes.FAILURE,
  INDEXER_BEHIND: exitCodes.UNAVAILABLE,
  INTEGRITY: exitCodes.INTEGRITY,
  USER_REJECTED: exitCodes.DECLINED,
}

/** Reverts that mean "there is no such thing": exit 4 rather than 5. */
const notFoundReverts = new Set(['RegistryUnknownModel', 'RegistryUnknownVersion', 'MarketplaceUnknownOrder', 'MarketplaceUnknownDispute'])
const fundsReverts = new Set(['ERC20InsufficientBalance', 'ERC20InsufficientAllowance'])

/** What is printed and returned for a failure. */
export type Failure = { code: string; message: string; hint?: string; details?: string; exitCode: ExitCode }

export function describeFailure(error: unknown): Failure {
  if (error instanceof CliError) return { code: error.code, message: error.message, hint: error.hint, exitCode: error.exitCode }
  if (error instanceof ContractRevertedError && error.errorName && notFoundReverts.has(error.errorName))
    return { code: 'NOT_FOUND', message: error.shortMessage, hint: error.hint ?? 'find one with `amm search`', details: error.errorName, exitCode: exitCodes.NOT_FOUND }
  if (error instanceof ContractRevertedError && error.errorName && fundsReverts.has(error.errorName))
    return { code: 'INSUFFICIENT_FUNDS', message: error.shortMessage, hint: error.hint ?? 'fund the account with the payment token first', details: error.errorName, exitCode: exitCodes.REFUSED }
  if (error instanceof BaseError) {
    const details = error instanceof ContractRevertedError && error.errorName ? error.errorName : undefined
    return { code: error.code, message: error.shortMessage, hint: error.hint, details, exitCode: sdkExitCodes[error.code] ?? exitCodes.FAILURE }
  }
  const e = error as NodeJS.ErrnoException
  if (e?.code === 'EADDRINUSE') return { code: 'PORT_IN_USE', message: e.message, hint: 'stop what listens there, or pick other ports (see --help)', exitCode: exitCodes.UNAVAILABLE }
  if (e?.code === 'ENOENT' || e?.code === 'EACCES' || e?.code === 'ENOTDIR')
    return { code: 'FILE', message: e.message, hint: 'check the path', exitCode: exitCodes.USAGE }
  return { code: 'UNEXPECTED', message: e?.message ?? String(error), details: e?.stack, exitCode: exitCodes.FAILURE }
}
