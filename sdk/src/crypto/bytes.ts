import { InvalidInputError } from '../errors/storage.ts'

export type Hex = `0x${string}`
/** Bytes as a Uint8Array or a 0x-prefixed hex string. */
export type BytesLike = Uint8Array | Hex

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)

export function toBytes(value: BytesLike, parameter: string, length?: number): Uint8Array {
  let bytes: Uint8Array
  if (value instanceof Uint8Array) bytes = value
  else if (typeof value === 'string' && /^0x([0-9a-fA-F]{2})*$/.test(value)) {
    bytes = new Uint8Array((value.length - 2) / 2)
    for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(value.slice(2 + 2 * i, 4 + 2 * i), 16)
  } else throw new InvalidInputError(parameter, 'expected a Uint8Array or an even-length 0x-prefixed hex string')
  if (length !== undefined && bytes.length !== length)
    throw new InvalidInputError(parameter, `expected ${length} bytes, got ${bytes.length}`)
  return bytes
}

export function toHex(bytes: Uint8Array): Hex {
  let out = '0x'
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out as Hex
}

/** A 20-byte address from its hex form (any case; the checksum is not enforced). */
export function addressBytes(address: string, parameter: string): Uint8Array {
  if (typeof address !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(address))
    throw new InvalidInputError(parameter, `"${address}" is not a 20-byte hex address`)
  return toBytes(address as Hex, parameter, 20)
}

/** A non-negative integer below 2^256 as 32 big-endian bytes (Solidity's uint256). */
export function uint256Bytes(value: bigint | number, parameter: string): Uint8Array {
  const n = BigInt(value)
  if (n < 0n || n >= 1n << 256n) throw new InvalidInputError(parameter, `${value} is not a uint256`)
  const out = new Uint8Array(32)
  let rest = n
  for (let i = 31; i >= 0 && rest > 0n; i--) {
    out[i] = Number(rest & 0xffn)
    rest >>= 8n
  }
  return out
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const p of parts) {
    out.set(p, offset)
    offset += p.length
  }
  return out
}
