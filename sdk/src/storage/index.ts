export type {
  AddOptions,
  AddResult,
  ByteSource,
  CatOptions,
  CidLike,
  ContentReader,
  ContentStore,
  DirectoryEntry,
  OnProgress,
  Progress,
  StatResult,
} from './types.ts'
export { verifyBlock } from './dag.ts'
export { parseCidPath, UNIXFS_CHUNK_SIZE } from './common.ts'
export { discardBlocks, importDirectory, importFile, kuboImporterOptions } from './unixfs.ts'
export { type GatewayReader, type GatewayReaderParameters, gatewayReader } from './gateway.ts'
export { type KuboStore, type KuboStoreParameters, kuboStore } from './kubo.ts'
