import { createReadStream } from 'node:fs'
import { lstat, readdir } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import type { AddOptions, AddResult, ContentStore, DirectoryEntry } from '../types.ts'

export type AddPathOptions = AddOptions & {
  /** Include files and folders whose name starts with a dot (Kubo's `--hidden`; default false, as Kubo). */
  hidden?: boolean
}

/**
 * Adds a file, or a folder as one UnixFS directory, streaming from disk. The CID equals
 * `ipfs add --cid-version=1 <file>` or `ipfs add -r --cid-version=1 <folder>` (symbolic links are
 * skipped, so a folder holding links differs from Kubo's).
 *
 * @example
 * const { cid } = await addPath(store, './my-model')
 */
export async function addPath(store: ContentStore, path: string, options: AddPathOptions = {}): Promise<AddResult> {
  const info = await lstat(path)
  if (info.isFile()) return store.add(createReadStream(path, { highWaterMark: 1 << 20 }), { totalBytes: info.size, ...options })
  const entries = await listFolder(path, options.hidden ?? false)
  const totalBytes = entries.reduce((n, e) => n + (e.size ?? 0), 0)
  return store.addDirectory(entries, { totalBytes, ...options })
}

/** Every file (streamed lazily) and empty folder under `root`, with paths relative to it, in name order. */
export async function listFolder(root: string, hidden = false): Promise<DirectoryEntry[]> {
  const out: DirectoryEntry[] = []
  async function walk(dir: string) {
    const names = (await readdir(dir)).filter((n) => hidden || !n.startsWith('.')).sort()
    if (!names.length && dir !== root) out.push({ path: toPosix(relative(root, dir)) })
    for (const name of names) {
      const full = join(dir, name)
      const info = await lstat(full)
      if (info.isDirectory()) await walk(full)
      else if (info.isFile())
        out.push({ path: toPosix(relative(root, full)), size: info.size, content: lazyFile(full) })
    }
  }
  await walk(root)
  return out
}

const toPosix = (path: string) => path.split(sep).join('/')

/** Opens the file only when it is read, so listing a large folder holds no file handles. */
function lazyFile(path: string): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]: () => createReadStream(path, { highWaterMark: 1 << 20 })[Symbol.asyncIterator](),
  }
}
