import { type FileHandle, mkdir, open, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

/**
 * An append-only file of JSON records, one a line, flushed to disk before each append resolves.
 * Opening it replays the records through `compact`, which returns the ones still worth keeping;
 * the file is rewritten with those (temp file + rename), so it never grows past what is live
 * plus what happened since the last start. A line cut by a crash mid-append is dropped.
 */
export type Journal<T> = {
  /** Appends one record; resolves once it is on disk. Appends are written in call order. */
  append(record: T): Promise<void>
  close(): Promise<void>
}

export async function openJournal<T>(path: string, compact: (records: T[]) => T[]): Promise<{ journal: Journal<T>; records: T[] }> {
  await mkdir(dirname(path), { recursive: true })
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return ''
    throw error
  })
  const read: T[] = []
  for (const line of text.split('\n')) {
    if (!line) continue
    try {
      read.push(JSON.parse(line) as T)
    } catch {} // a partial last line: the append never completed
  }
  const records = compact(read)
  const temp = `${path}.tmp`
  await writeFile(temp, records.map((r) => `${JSON.stringify(r)}\n`).join(''), { mode: 0o600 })
  await rename(temp, path)
  const handle: FileHandle = await open(path, 'a', 0o600)
  let tail: Promise<void> = Promise.resolve()
  return {
    records,
    journal: {
      append(record) {
        const line = `${JSON.stringify(record)}\n`
        const write = tail.then(async () => {
          await handle.appendFile(line)
          await handle.datasync()
        })
        tail = write.catch(() => {})
        return write
      },
      async close() {
        await tail
        await handle.close()
      },
    },
  }
}
