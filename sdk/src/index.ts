// Entry `@ai-model-marketplace/sdk`: runs in browsers and Node, imports no Node built-in.
export * from './errors/index.ts'
export * from './storage/index.ts'
export * from './crypto/index.ts'
