import type { BaseError } from '../errors/base.ts'
import { ContentNotFoundError, StoreFullError, StoreRefusedError, StoreUnavailableError } from '../errors/storage.ts'

/** fetch() that turns network failures and HTTP refusals into the SDK's typed errors. */
export async function request(
  store: string,
  url: string,
  init: RequestInit & { duplex?: 'half' },
  notFound?: { cid: string; when: (status: number, message: string) => boolean },
): Promise<Response> {
  let response: Response
  try {
    response = await fetch(url, init)
  } catch (cause) {
    if ((cause as Error)?.name === 'AbortError') throw cause
    throw new StoreUnavailableError(store, { cause })
  }
  if (response.ok) return response
  const message = await errorMessage(response)
  if (notFound?.when(response.status, message)) throw new ContentNotFoundError(notFound.cid, { details: message })
  throw httpError(store, response.status, message)
}

export function httpError(store: string, status: number, message: string): BaseError {
  if (status === 507) return new StoreFullError(store, { details: message })
  if (status >= 500 && status !== 501) return new StoreUnavailableError(store, { status, details: message })
  return new StoreRefusedError(store, status, { details: message })
}

async function errorMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => '')
  try {
    const json = JSON.parse(text) as { Message?: string }
    if (typeof json.Message === 'string') return json.Message
  } catch {}
  return text.slice(0, 500) || response.statusText
}

/** Reads a response body as a stream of chunks; a connection lost mid-body becomes StoreUnavailableError. */
export async function* responseChunks(store: string, response: Response): AsyncGenerator<Uint8Array> {
  if (!response.body) return
  const reader = response.body.getReader()
  try {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>
      try {
        result = await reader.read()
      } catch (cause) {
        throw new StoreUnavailableError(store, { cause, details: 'the connection broke while reading' })
      }
      if (result.done) return
      yield result.value
    }
  } finally {
    // stop downloading when the consumer stops early
    reader.cancel().catch(() => {})
  }
}

/** Parses a newline-delimited JSON body. */
export async function* ndjson<T>(store: string, response: Response): AsyncGenerator<T> {
  const decoder = new TextDecoder()
  let buffered = ''
  for await (const chunk of responseChunks(store, response)) {
    buffered += decoder.decode(chunk, { stream: true })
    let newline = buffered.indexOf('\n')
    while (newline !== -1) {
      const line = buffered.slice(0, newline).trim()
      buffered = buffered.slice(newline + 1)
      if (line) yield JSON.parse(line) as T
      newline = buffered.indexOf('\n')
    }
  }
  if (buffered.trim()) yield JSON.parse(buffered) as T
}
