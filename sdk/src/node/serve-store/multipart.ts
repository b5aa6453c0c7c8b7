/** One event of a streamed `multipart/form-data` body: a part's headers, a piece of its body, its end. */
export type MultipartEvent =
  | { type: 'part'; headers: Record<string, string> }
  | { type: 'data'; bytes: Uint8Array }
  | { type: 'end' }

/** The body is not well-formed multipart (or a part's headers are too long). */
export class MultipartError extends Error {
  override name = 'MultipartError'
}

const MAX_HEADER_BYTES = 16 * 1024
const CRLF = Buffer.from('\r\n')

/** The `boundary` parameter of a `multipart/form-data` content type, if it is one. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return undefined
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType)
  return match?.[1] ?? match?.[2]
}

/**
 * Parses a multipart body as it streams in, as a flat list of events, so a part of any size passes
 * through in constant memory (only a delimiter's length is held back between chunks).
 */
export async function* multipartEvents(body: AsyncIterable<Uint8Array>, boundary: string): AsyncGenerator<MultipartEvent> {
  const delimiter = Buffer.from(`\r\n--${boundary}`)
  // a leading CRLF lets the first boundary (which has none) match the same delimiter
  let buffer: Buffer = CRLF
  let state: 'preamble' | 'headers' | 'body' | 'done' = 'preamble'
  for await (const chunk of body) {
    if (state === 'done') continue // the epilogue is ignored, as RFC 2046 says
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : Buffer.from(chunk)
    for (;;) {
      if (state === 'headers') {
        const end = buffer.indexOf('\r\n\r\n')
        if (end === -1) {
          if (buffer.length > MAX_HEADER_BYTES) throw new MultipartError('part headers too long')
          break
        }
        yield { type: 'part', headers: parseHeaders(buffer.subarray(0, end).toString('utf8')) }
        buffer = buffer.subarray(end + 4)
        state = 'body'
        continue
      }
      if (state === 'done') break
      const at = buffer.indexOf(delimiter)
      if (at === -1) {
        // keep what could be the start of a delimiter split across chunks
        const keep = Math.min(buffer.length, delimiter.length - 1)
        if (state === 'body' && buffer.length > keep) yield { type: 'data', bytes: buffer.subarray(0, buffer.length - keep) }
        buffer = buffer.subarray(buffer.length - keep)
        break
      }
      if (state === 'body' && at > 0) yield { type: 'data', bytes: buffer.subarray(0, at) }
      buffer = buffer.subarray(at)
      if (buffer.length < delimiter.length + 2) break
      const after = buffer.subarray(delimiter.length, delimiter.length + 2).toString('latin1')
      if (state === 'body') yield { type: 'end' }
      buffer = buffer.subarray(delimiter.length + 2)
      if (after === '--') state = 'done'
      else if (after === '\r\n') state = 'headers'
      else throw new MultipartError('malformed boundary line')
    }
  }
  if (state !== 'done') throw new MultipartError('body ended before the closing boundary')
}

function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  return headers
}

/** The `filename` of a part's Content-Disposition, URI-decoded as Kubo's clients encode it. */
export function partFilename(headers: Record<string, string>): string | undefined {
  const disposition = headers['content-disposition']
  if (!disposition) return undefined
  const match = /;\s*filename="([^"]*)"/i.exec(disposition) ?? /;\s*filename=([^;\s]+)/i.exec(disposition)
  if (!match) return undefined
  try {
    return decodeURIComponent(match[1] as string)
  } catch {
    return match[1]
  }
}
