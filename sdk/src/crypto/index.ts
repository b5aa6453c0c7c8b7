export { type BytesLike, type Hex, toBytes, toHex } from './bytes.ts'
export { hpkeOpen, hpkeSeal } from './hpke.ts'
export {
  type Address,
  type BuyerKeyPair,
  buyerKeyFromPrivateKey,
  buyerKeyTypedData,
  deriveBuyerKey,
  deriveModelKey,
  deriveVersionKey,
  exportModelKey,
  generateModelKey,
  importModelKey,
  type KeyBinding,
  modelKeyTypedData,
  unwrapKey,
  WRAPPED_KEY_LENGTH,
  wrapKey,
} from './keys.ts'
export { createSha256, randomBytes, type Sha256Hasher, sha256 } from './primitives.ts'
export {
  decryptRange,
  decryptStream,
  decryptedSize,
  type EncryptOptions,
  encryptStream,
  encryptedSize,
  type RangeReader,
  STREAM_DEFAULT_CHUNK_SIZE,
  STREAM_HEADER_LENGTH,
  storeRangeReader,
} from './stream.ts'
export {
  type ArchiveEntry,
  type ArchiveFileSummary,
  type ArchiveInput,
  type ArchiveSummary,
  decryptArchive,
  encryptArchive,
  type PackOptions,
  packArchive,
  type ReadArchiveOptions,
  readArchive,
} from './archive.ts'
