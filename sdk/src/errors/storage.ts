import { BaseError, type BaseErrorParameters } from './base.ts'

/** An argument is malformed; raised before any upload or transaction is attempted. */
export class InvalidInputError extends BaseError {
  override name = 'InvalidInputError'
  /** The parameter that was rejected, e.g. `cid` or `signature`. */
  readonly parameter: string
  constructor(parameter: string, reason: string, parameters: BaseErrorParameters = {}) {
    super('INVALID_INPUT', `Invalid ${parameter}: ${reason}`, parameters)
    this.parameter = parameter
  }
}

/** Which check failed: the bytes' CID, a file's sha256, or an AEAD authentication tag. */
export type IntegrityCheck = 'cid' | 'sha256' | 'tag'

/** What to do about data that failed a check, whichever check it was; sites where the data is not a download pass their own. */
const integrityHint =
  'The data received is not what the seller published (damaged or altered in storage or on the way): do not use it. Retry later; if it happens again, tell the seller or open a dispute.'

/**
 * Data failed verification: a block or file does not hash to its CID, a decrypted file does not
 * match its recorded sha256, or ciphertext fails authentication (tampered, truncated, reordered,
 * a changed header, or the wrong key). Never use the data; `hint` says what to do instead.
 */
export class IntegrityError extends BaseError {
  override name = 'IntegrityError'
  readonly check: IntegrityCheck
  readonly expected: string | undefined
  readonly actual: string | undefined
  constructor(
    check: IntegrityCheck,
    shortMessage: string,
    parameters: BaseErrorParameters & { expected?: string; actual?: string } = {},
  ) {
    const { expected, actual, ...rest } = parameters
    super('INTEGRITY', shortMessage, {
      metaMessages: [
        `Check: ${check}`,
        ...(expected !== undefined ? [`Expected: ${expected}`] : []),
        ...(actual !== undefined ? [`Actual:   ${actual}`] : []),
        ...(rest.metaMessages ?? []),
      ],
      ...rest,
      hint: rest.hint ?? integrityHint,
    })
    this.check = check
    this.expected = expected
    this.actual = actual
  }
}

/** The store could not be reached or stopped answering (network error, 5xx, connection reset mid-transfer). */
export class StoreUnavailableError extends BaseError {
  override name = 'StoreUnavailableError'
  /** The store's URL or directory. */
  readonly store: string
  /** HTTP status when the store answered with one. */
  readonly status: number | undefined
  constructor(store: string, parameters: BaseErrorParameters & { status?: number } = {}) {
    const { status, ...rest } = parameters
    super('STORE_UNAVAILABLE', `Store ${store} is unavailable${status ? ` (HTTP ${status})` : ''}.`, {
      hint: 'Check that the IPFS node or gateway is running and reachable, then retry.',
      ...rest,
    })
    this.store = store
    this.status = status
  }
}

/** The store answered but refused the request: unauthorised (401/403), too large (413) or not found. */
export class StoreRefusedError extends BaseError {
  override name = 'StoreRefusedError'
  readonly store: string
  readonly status: number
  constructor(store: string, status: number, parameters: BaseErrorParameters = {}) {
    super('STORE_REFUSED', `Store ${store} refused the request (HTTP ${status}).`, {
      hint:
        status === 401 || status === 403
          ? 'Pass the credentials the store expects in `headers` (e.g. an Authorization header).'
          : status === 413
            ? 'The upload is larger than the store accepts; raise its limit or use another store.'
            : undefined,
      ...parameters,
    })
    this.store = store
    this.status = status
  }
}

/** The store has no space left for a write (a full disk or filesystem quota; a storage service answers 507). Reads still work. */
export class StoreFullError extends BaseError {
  override name = 'StoreFullError'
  readonly store: string
  constructor(store: string, parameters: BaseErrorParameters = {}) {
    super('STORE_FULL', `Store ${store} has no space left for this write.`, {
      hint: 'Nothing was stored. Free space on the store (unpin and collect garbage, or grow its disk), or use another store; reading keeps working.',
      ...parameters,
    })
    this.store = store
  }
}

/** The requested content is not in the store (and, for a gateway, not retrievable). */
export class ContentNotFoundError extends BaseError {
  override name = 'ContentNotFoundError'
  readonly cid: string
  constructor(cid: string, parameters: BaseErrorParameters = {}) {
    super('CONTENT_NOT_FOUND', `Content ${cid} was not found in the store.`, parameters)
    this.cid = cid
  }
}
