// Entry `@ai-model-marketplace/sdk/node`: the filesystem parts, for Node only.
export { archiveInputsFromPath, unpackArchive } from './crypto/node/archive.ts'
export { type KuboRpcServer, type KuboRpcServerParameters, startKuboRpcServer } from './node/kuboRpcServer.ts'
export { type AddPathOptions, addPath, listFolder } from './storage/node/addPath.ts'
export { type EmbeddedStore, type EmbeddedStoreParameters, embeddedStore } from './storage/node/embedded.ts'
export * from './actions/node/index.ts'
export { type ServeStoreParameters, type ServeStoreReturnType, serveStore } from './node/serve-store/index.ts'
