import { createWriteStream } from 'node:fs'
import { lstat, mkdir, open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join, resolve, sep } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { InvalidInputError } from '../../errors/storage.ts'
import { listFolder } from '../../storage/node/addPath.ts'
import type { ByteSource } from '../../storage/types.ts'
import { type ArchiveInput, decryptArchive, type ReadArchiveOptions } from '../archive.ts'

/**
 * The archive inputs for a file (one entry, named after it) or a folder (every file under it,
 * relative paths, dot-files skipped unless `hidden`), opened lazily and streamed from disk.
 *
 * @example
 * const { stream, summary } = encryptArchive(await archiveInputsFromPath('./my-model'), versionKey)
 */
export async function archiveInputsFromPath(path: string, options: { hidden?: boolean } = {}): Promise<ArchiveInput[]> {
  const info = await lstat(path)
  const open = (file: string) => () => readChunks(file)
  if (info.isFile()) return [{ path: basename(path), size: info.size, content: open(path) }]
  const entries = await listFolder(path, options.hidden ?? false)
  return entries
    .filter((e) => e.content !== undefined)
    .map((e) => ({ path: e.path, size: e.size ?? 0, content: open(join(path, ...e.path.split('/'))) }))
}

/** A file in 1 MiB chunks, each a new buffer: plain positioned reads cost less than a ReadStream. */
async function* readChunks(path: string): AsyncGenerator<Uint8Array> {
  const file = await open(path, 'r')
  try {
    for (;;) {
      const buffer = Buffer.allocUnsafeSlow(1 << 20)
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null)
      if (!bytesRead) return
      yield buffer.subarray(0, bytesRead)
    }
  } finally {
    await file.close()
  }
}

/**
 * Decrypts an encrypted archive into `dir`, streaming. Each file is written under a temporary name
 * and only renamed into place once its sha256 matched; on any failure the partial file is removed
 * and the error (IntegrityError for tampering) is thrown.
 *
 * @returns the files written, relative to `dir`
 */
export async function unpackArchive(
  ciphertext: ByteSource,
  key: Uint8Array,
  dir: string,
  options: ReadArchiveOptions = {},
): Promise<{ path: string; size: number }[]> {
  const root = resolve(dir)
  const written: { path: string; size: number }[] = []
  for await (const entry of decryptArchive(ciphertext, key, options)) {
    const target = resolve(root, ...entry.path.split('/'))
    // archive paths are validated already; this guards the join itself
    if (!target.startsWith(root + sep)) throw new InvalidInputError('path', `${entry.path} escapes the target folder`)
    await mkdir(dirname(target), { recursive: true })
    const partial = `${target}.partial`
    try {
      await pipeline(entry.content, createWriteStream(partial))
      await rename(partial, target)
    } catch (error) {
      await rm(partial, { force: true })
      throw error
    }
    written.push({ path: entry.path, size: entry.size })
  }
  return written
}
