import { version } from './version.ts'

export type BaseErrorParameters = {
  /** Underlying error (kept as `cause`, walked by {@link BaseError.walk}). */
  cause?: unknown
  /** Technical detail; defaults to the cause's message. */
  details?: string
  /** Extra lines printed under the short message (arguments sent, sizes, ids). */
  metaMessages?: string[]
  /** What the user can do about it. */
  hint?: string
  /** Path of the documentation page under the docs site, e.g. `/storage#errors`. */
  docsPath?: string
}

/**
 * Base of every error the SDK throws. Read the fields rather than parsing `message`:
 * `code` names the failure, `shortMessage` says it in one line, `details` carries the technical
 * cause, `metaMessages` the context, `hint` the remedy.
 *
 * @example
 * try { await store.cat(cid) } catch (e) {
 *   if (e instanceof BaseError && e.code === 'STORE_UNAVAILABLE') retryLater()
 * }
 */
export class BaseError extends Error {
  override name = 'BaseError'
  /** Stable machine-readable code, e.g. `INTEGRITY`. */
  readonly code: string
  readonly shortMessage: string
  readonly details: string
  readonly metaMessages: string[]
  readonly hint: string | undefined
  readonly docsPath: string | undefined
  readonly version = `@ai-model-marketplace/sdk@${version}`

  constructor(code: string, shortMessage: string, parameters: BaseErrorParameters = {}) {
    const { cause, hint, docsPath } = parameters
    const details =
      parameters.details ??
      (cause instanceof BaseError ? cause.details : cause instanceof Error ? cause.message : cause !== undefined ? String(cause) : '')
    const metaMessages = parameters.metaMessages ?? []
    const message = [
      shortMessage,
      ...(metaMessages.length ? ['', ...metaMessages] : []),
      ...(details && details !== shortMessage ? ['', `Details: ${details}`] : []),
      ...(hint ? [`Hint: ${hint}`] : []),
      ...(docsPath ? [`Docs: https://github.com/ai-model-marketplace/ai-model-marketplace/tree/main/sdk#${docsPath}`] : []),
      `Version: @ai-model-marketplace/sdk@${version}`,
    ].join('\n')
    super(message, cause !== undefined ? { cause } : undefined)
    this.code = code
    this.shortMessage = shortMessage
    this.details = details
    this.metaMessages = metaMessages
    this.hint = hint
    this.docsPath = docsPath
  }

  /**
   * Walks the `cause` chain and returns the first error for which `fn` is true, or without `fn`
   * the deepest cause.
   */
  walk(fn?: (error: unknown) => boolean): unknown {
    return walk(this, fn)
  }
}

function walk(error: unknown, fn?: (error: unknown) => boolean): unknown {
  if (fn?.(error)) return error
  if (error && typeof error === 'object' && 'cause' in error && error.cause !== undefined) return walk(error.cause, fn)
  return fn ? null : error
}
