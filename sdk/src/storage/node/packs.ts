import { type FileHandle, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CID } from 'multiformats/cid'
import { concatBytes } from '../../crypto/bytes.ts'
import { ContentNotFoundError, IntegrityError } from '../../errors/storage.ts'

/*
 * Blocks kept in pack files: each add appends its new blocks to one `<id>.pack` and, once the add
 * succeeded, writes `<id>.idx` (temp + rename) listing them. Creating a file per 256 KiB block costs
 * the kernel about as much CPU as all the hashing and encryption of the block together, so a store
 * of one file per block cannot reach the SDK's throughput targets; a pack is one file per add.
 *
 *   <id>.idx = records of: CID length u8 | CID bytes | offset in the pack u64 BE | length u32 BE
 *
 * A pack without its index is an add that failed or crashed (or one still running in another
 * process) and is never read. Blocks are keyed by multihash, as Kubo's and blockstore-fs's are.
 */

type Location = { pack: string; offset: number; length: number; cid: CID }

/** A pack being written by one add; nothing in it is visible until {@link PackWriter.commit}. */
export type PackWriter = {
  put(cid: CID, bytes: Uint8Array): Promise<CID>
  /** Writes one block given as consecutive pieces, without joining them first. */
  putPieces(cid: CID, pieces: Uint8Array[], length: number): Promise<CID>
  /** Writes the index, making the blocks readable (here and by other processes). */
  commit(): Promise<void>
  /** Removes the partial pack. */
  abort(): Promise<void>
}

export type PackStore = {
  open(): Promise<void>
  get(cid: CID, signal?: AbortSignal): Promise<Uint8Array>
  has(cid: CID): Promise<boolean>
  writer(): PackWriter
  /** Keeps only the blocks whose multihash `isLive` accepts; returns how many were removed. */
  retain(isLive: (cid: CID) => boolean): Promise<number>
  close(): Promise<void>
}

/** A pack file left without an index this long is taken for a crashed add and deleted by retain. */
const ORPHAN_AGE_MS = 60 * 60 * 1000

const keyOf = (cid: CID) => Buffer.from(cid.multihash.bytes).toString('base64')

export function packStore(dir: string): PackStore {
  const index = new Map<string, Location>()
  const loaded = new Set<string>() // pack ids whose index is in `index`
  const handles = new Map<string, Promise<FileHandle>>()
  let sequence = 0

  async function loadIndex(pack: string) {
    const bytes = await readFile(join(dir, `${pack}.idx`))
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    for (let at = 0; at < bytes.length; ) {
      const cidLength = bytes[at] as number
      const cid = CID.decode(bytes.subarray(at + 1, at + 1 + cidLength))
      at += 1 + cidLength
      index.set(keyOf(cid), { pack, offset: Number(view.getBigUint64(at)), length: view.getUint32(at + 8), cid })
      at += 12
    }
    loaded.add(pack)
  }

  /** Picks up packs other processes committed and forgets those another process's gc removed. */
  async function refresh() {
    const names = new Set((await readdir(dir)).filter((n) => n.endsWith('.idx')).map((n) => n.slice(0, -4)))
    for (const pack of loaded) if (!names.has(pack)) forget(pack)
    for (const pack of names) if (!loaded.has(pack)) await loadIndex(pack)
  }

  function forget(pack: string) {
    for (const [key, location] of index) if (location.pack === pack) index.delete(key)
    loaded.delete(pack)
    const handle = handles.get(pack)
    handles.delete(pack)
    handle?.then((h) => h.close()).catch(() => {})
  }

  const handle = (pack: string) => {
    let h = handles.get(pack)
    if (!h) {
      h = open(join(dir, `${pack}.pack`), 'r')
      handles.set(pack, h)
      h.catch(() => handles.delete(pack))
    }
    return h
  }

  async function read(location: Location): Promise<Uint8Array> {
    const buffer = Buffer.allocUnsafeSlow(location.length)
    const { bytesRead } = await (await handle(location.pack)).read(buffer, 0, location.length, location.offset)
    if (bytesRead !== location.length)
      throw new IntegrityError('cid', `Block ${location.cid} is cut short in pack ${location.pack}.`)
    return new Uint8Array(buffer.buffer, buffer.byteOffset, bytesRead)
  }

  async function locate(cid: CID): Promise<Location | undefined> {
    const known = index.get(keyOf(cid))
    if (known) return known
    await refresh()
    return index.get(keyOf(cid))
  }

  function writer(): PackWriter {
    const pack = `${Date.now().toString(36)}-${process.pid}-${sequence++}`
    const added: Location[] = []
    const pending = new Set<string>()
    let file: Promise<FileHandle> | undefined
    let size = 0
    /** Reserves the block's place in the pack, or returns undefined when the store has it already. */
    const reserve = (cid: CID, length: number) => {
      const key = keyOf(cid)
      if (index.has(key) || pending.has(key)) return undefined
      pending.add(key)
      const location = { pack, offset: size, length, cid }
      size += length
      added.push(location)
      file ??= open(join(dir, `${pack}.pack`), 'w')
      return location
    }
    // positioned writes: the importer's concurrent puts land where their offsets say
    const write = async (bytes: Uint8Array, position: number) => {
      const fh = await (file as Promise<FileHandle>)
      for (let done = 0; done < bytes.length; ) done += (await fh.write(bytes, done, bytes.length - done, position + done)).bytesWritten
    }
    return {
      async put(cid, bytes) {
        const location = reserve(cid, bytes.length)
        if (location) await write(bytes, location.offset)
        return cid
      },
      async putPieces(cid, pieces, length) {
        const location = reserve(cid, length)
        if (!location) return cid
        const fh = await (file as Promise<FileHandle>)
        const { bytesWritten } = await fh.writev(pieces, location.offset)
        if (bytesWritten < length) await write(concatBytes(...pieces).subarray(bytesWritten), location.offset + bytesWritten)
        return cid
      },
      async commit() {
        if (!file) return
        await (await file).close()
        const records = Buffer.allocUnsafe(added.reduce((n, l) => n + 13 + l.cid.bytes.length, 0))
        let at = 0
        for (const { cid, offset, length } of added) {
          records[at] = cid.bytes.length
          records.set(cid.bytes, at + 1)
          at += 1 + cid.bytes.length
          records.writeBigUInt64BE(BigInt(offset), at)
          records.writeUInt32BE(length, at + 8)
          at += 12
        }
        const temp = join(dir, `${pack}.idx.tmp`)
        await writeFile(temp, records)
        await rename(temp, join(dir, `${pack}.idx`))
        for (const location of added) index.set(keyOf(location.cid), location)
        loaded.add(pack)
      },
      async abort() {
        await file?.then((h) => h.close()).catch(() => {})
        await rm(join(dir, `${pack}.pack`), { force: true })
      },
    }
  }

  return {
    open: refresh,
    async get(cid, signal) {
      signal?.throwIfAborted()
      let location = await locate(cid)
      if (location) {
        try {
          return await read(location)
        } catch (cause) {
          // the pack went away under us (another process's gc): look again once
          if ((cause as { code?: string }).code !== 'ENOENT') throw cause
          await refresh()
          location = index.get(keyOf(cid))
          if (location) return read(location)
        }
      }
      throw new ContentNotFoundError(cid.toString())
    },
    has: async (cid) => (await locate(cid)) !== undefined,
    writer,
    async retain(isLive) {
      await refresh()
      const byPack = new Map<string, Location[]>()
      for (const location of index.values()) {
        const list = byPack.get(location.pack) ?? []
        list.push(location)
        byPack.set(location.pack, list)
      }
      let removed = 0
      for (const [pack, locations] of byPack) {
        const live = locations.filter((l) => isLive(l.cid))
        if (live.length === locations.length) continue
        if (live.length) {
          // rewrite the live blocks into a new pack before dropping the old one
          const copy = writer()
          for (const location of live) index.delete(keyOf(location.cid)) // or put would skip them as present
          try {
            for (const location of live) await copy.put(location.cid, await read(location))
            await copy.commit()
          } catch (error) {
            await copy.abort()
            forget(pack) // the next lookup reloads the untouched old pack
            throw error
          }
        }
        removed += locations.length - live.length
        await rm(join(dir, `${pack}.idx`), { force: true })
        forget(pack)
        await rm(join(dir, `${pack}.pack`), { force: true })
      }
      for (const name of await readdir(dir)) {
        if (!name.endsWith('.pack') || loaded.has(name.slice(0, -5))) continue
        const { mtimeMs } = await stat(join(dir, name))
        if (Date.now() - mtimeMs > ORPHAN_AGE_MS) await rm(join(dir, name), { force: true })
      }
      return removed
    },
    async close() {
      for (const pack of [...handles.keys()]) await (await handles.get(pack))?.close().catch(() => {})
      handles.clear()
      index.clear()
      loaded.clear()
    },
  }
}
