import { type Address, isAddress } from 'viem'
import { InvalidInputError } from '../../errors/storage.ts'

const encoder = new TextEncoder()

/** A positive id (model, order, dispute); ids start at 1 on-chain. */
export function assertId(parameter: string, value: unknown): asserts value is bigint {
  if (typeof value !== 'bigint' || value <= 0n) throw new InvalidInputError(parameter, `expected a positive bigint, got ${show(value)}`)
}

export function assertVersion(parameter: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 0xffffffff)
    throw new InvalidInputError(parameter, `expected a version number from 1, got ${show(value)}`)
}

export function assertAmount(parameter: string, value: unknown): asserts value is bigint {
  if (typeof value !== 'bigint' || value < 0n) throw new InvalidInputError(parameter, `expected a non-negative bigint, got ${show(value)}`)
}

export function assertAddress(parameter: string, value: unknown): asserts value is Address {
  if (typeof value !== 'string' || !isAddress(value, { strict: false })) throw new InvalidInputError(parameter, `expected an address, got ${show(value)}`)
}

/** A string of `min..max` UTF-8 bytes: the contracts count bytes, not characters. */
export function assertString(parameter: string, value: unknown, min: number, max: number): asserts value is string {
  if (typeof value !== 'string') throw new InvalidInputError(parameter, `expected a string, got ${show(value)}`)
  const length = encoder.encode(value).length
  if (length < min || length > max)
    throw new InvalidInputError(parameter, min > 0 ? `must be ${min} to ${max} bytes, got ${length}` : `must be at most ${max} bytes, got ${length}`)
}

export function assertInteger(parameter: string, value: unknown, min: number, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new InvalidInputError(parameter, `expected an integer from ${min} to ${max}, got ${show(value)}`)
}

function show(value: unknown): string {
  return typeof value === 'bigint' ? `${value}n` : typeof value === 'string' ? JSON.stringify(value) : String(value)
}
