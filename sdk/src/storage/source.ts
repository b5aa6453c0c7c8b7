import { InvalidInputError } from '../errors/storage.ts'
import type { ByteSource, OnProgress } from './types.ts'

/** Turns any accepted byte source into an async iterable of non-empty chunks. */
export async function* toAsyncIterable(source: ByteSource): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    if (source.byteLength) yield source
    return
  }
  if (isReadableStream(source)) {
    const reader = source.getReader()
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) return
        if (value.byteLength) yield value
      }
    } finally {
      reader.releaseLock()
    }
  }
  if (isIterable(source)) {
    for await (const chunk of source as AsyncIterable<Uint8Array>) {
      if (!(chunk instanceof Uint8Array))
        throw new InvalidInputError('source', `chunks must be Uint8Array, got ${typeof chunk}`)
      if (chunk.byteLength) yield chunk
    }
    return
  }
  throw new InvalidInputError('source', 'expected a Uint8Array, an (async) iterable of Uint8Array or a ReadableStream')
}

/** Passes chunks through, reporting the running byte count and stopping when `signal` aborts. */
export async function* withProgress(
  source: AsyncIterable<Uint8Array>,
  onProgress: OnProgress | undefined,
  totalBytes?: number,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  let bytes = 0
  for await (const chunk of source) {
    signal?.throwIfAborted()
    yield chunk
    bytes += chunk.byteLength
    onProgress?.(totalBytes === undefined ? { bytes } : { bytes, totalBytes })
  }
}

function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof (value as ReadableStream | null)?.getReader === 'function'
}

function isIterable(value: unknown): boolean {
  return value != null && (Symbol.asyncIterator in (value as object) || Symbol.iterator in (value as object))
}

/**
 * Reads `source` ahead of its consumer, holding up to `limit` bytes, so a slow step downstream
 * (hashing, decrypting) and the network overlap instead of taking turns. Chunks keep their order;
 * a failure of the source reaches the consumer after the chunks read before it.
 */
export async function* readAhead(source: AsyncIterable<Uint8Array>, limit: number): AsyncGenerator<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]()
  const queue: Uint8Array[] = []
  let queued = 0
  let ended = false
  let stopped = false
  let failure: { error: unknown } | undefined
  let wakeConsumer: (() => void) | undefined
  let wakePump: (() => void) | undefined
  const wake = (which: 'consumer' | 'pump') => {
    const resume = which === 'consumer' ? wakeConsumer : wakePump
    if (which === 'consumer') wakeConsumer = undefined
    else wakePump = undefined
    resume?.()
  }
  void (async () => {
    try {
      while (!stopped) {
        if (queued >= limit) {
          await new Promise<void>((resolve) => (wakePump = resolve))
          continue
        }
        const { done, value } = await iterator.next()
        if (done) break
        queue.push(value)
        queued += value.byteLength
        wake('consumer')
      }
    } catch (error) {
      failure = { error }
    } finally {
      ended = true
      wake('consumer')
    }
  })()
  try {
    for (;;) {
      const chunk = queue.shift()
      if (chunk) {
        queued -= chunk.byteLength
        wake('pump')
        yield chunk
      } else if (failure) throw failure.error
      else if (ended) return
      else await new Promise<void>((resolve) => (wakeConsumer = resolve))
    }
  } finally {
    // a consumer that stops early releases the source (once any read in flight settles)
    stopped = true
    wake('pump')
    if (!ended) Promise.resolve(iterator.return?.()).catch(() => {})
  }
}
