// The examples run the SDK from source: its package exports point at dist/, which a fresh clone has not built.
export * from '../../sdk/src/index.ts'
export * from '../../sdk/src/node.ts'
