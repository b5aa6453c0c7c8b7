/** A value that a query's `enabled` flag or the client's configuration guarantees: throws if it is missing instead of asserting with `!`. */
export function required<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`${what} is missing`)
  return value
}
