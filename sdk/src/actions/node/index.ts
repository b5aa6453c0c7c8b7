export * from './downloadModelTo.ts'
