// Entry `@ai-model-marketplace/sdk/node`: the filesystem parts, for Node only.
export { type EmbeddedStore, type EmbeddedStoreParameters, embeddedStore } from './storage/node/embedded.ts'
export { type KuboRpcServer, type KuboRpcServerParameters, startKuboRpcServer } from './node/kuboRpcServer.ts'
export { type ServeStoreParameters, type ServeStoreReturnType, serveStore } from './node/serve-store/index.ts'
