export { BaseError, type BaseErrorParameters } from './base.ts'
export {
  ContentNotFoundError,
  IntegrityError,
  type IntegrityCheck,
  InvalidInputError,
  StoreFullError,
  StoreRefusedError,
  StoreUnavailableError,
} from './storage.ts'
export * from './chain.ts'
export * from './indexer.ts'
