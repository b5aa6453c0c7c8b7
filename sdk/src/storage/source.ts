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
