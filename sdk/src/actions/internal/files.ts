import type { MarketplaceClientConfig } from '../../client/types.ts'
import { type ArchiveInput, type ArchiveSummary, encryptArchive, packArchive } from '../../crypto/archive.ts'
import { deriveVersionKey } from '../../crypto/keys.ts'
import { InvalidInputError } from '../../errors/storage.ts'
import type { CID } from 'multiformats/cid'
import { writableStore } from './store.ts'
import { assertString } from './validate.ts'

/** Progress of listing or publishing: adding the archive to the store, then registering it on-chain. */
export type PublishProgress = { stage: 'adding'; bytes: number; totalBytes: number } | { stage: 'registering' }

/** Checks a version's inputs before anything is uploaded or signed. */
export function validateVersionInput(files: readonly ArchiveInput[], semver: string, changelog: string | undefined) {
  if (!Array.isArray(files) || files.length === 0) throw new InvalidInputError('files', 'at least one file is required')
  for (const [i, file] of files.entries()) {
    if (typeof file !== 'object' || file === null) throw new InvalidInputError(`files[${i}]`, 'expected { path, size, content }')
    assertString(`files[${i}].path`, file.path, 1, 4096)
    if (!Number.isSafeInteger(file.size) || file.size < 0) throw new InvalidInputError(`files[${i}].size`, `expected a byte count, got ${file.size}`)
    if (file.content === undefined) throw new InvalidInputError(`files[${i}].content`, 'required')
  }
  assertString('semver', semver, 1, 32)
  if (!/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(semver)) throw new InvalidInputError('semver', `"${semver}" is not a semantic version`)
  if (changelog !== undefined) assertString('changelog', changelog, 1, 100_000)
}

/**
 * Packs the files into one archive (encrypted with the version key unless the model is free) and
 * adds it to the store. Nothing is registered here: a failed upload leaves no listing behind.
 */
export async function addVersionArchive(
  client: MarketplaceClientConfig,
  files: readonly ArchiveInput[],
  versionKey: { modelKey: Uint8Array; version: number } | undefined,
  onProgress?: (progress: PublishProgress) => void,
): Promise<{ cid: CID; summary: ArchiveSummary }> {
  const store = writableStore(client)
  const totalBytes = files.reduce((n, f) => n + f.size, 0)
  const progress = (p: { bytes: number }) => onProgress?.({ stage: 'adding', bytes: p.bytes, totalBytes })
  const { stream, summary } = versionKey
    ? encryptArchive(files, deriveVersionKey(versionKey.modelKey, versionKey.version), { onProgress: progress })
    : packArchive(files, { onProgress: progress })
  const { cid } = await store.add(stream)
  return { cid, summary: await summary }
}
