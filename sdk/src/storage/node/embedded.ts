import { mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CarWriter } from '@ipld/car/writer'
import { CID } from 'multiformats/cid'
import { StoreFullError } from '../../errors/storage.ts'
import { toHex, verifyBlock, walkDag } from '../dag.ts'
import type { AddResult, CidLike, ContentStore } from '../types.ts'
import { parseCidPath } from '../common.ts'
import { catFile, importDirectory, importFile, statEntry } from '../unixfs.ts'
import { type PackWriter, packStore } from './packs.ts'

export type EmbeddedStoreParameters = {
  /** Folder holding the store (`packs/` and `pins/` inside); created if missing. */
  dir: string
}

export type EmbeddedStore = ContentStore & {
  /** The folder given at creation. */
  readonly dir: string
  /** Streams a CARv1 file of the DAG under `cid`, for a pinning service or `ipfs dag import`. */
  exportCar(cid: CidLike): AsyncIterable<Uint8Array>
  /** One raw block (ContentNotFoundError if absent), e.g. to serve it as a trustless gateway. */
  getBlock(cid: CID): Promise<Uint8Array>
  /**
   * Stores blocks fetched elsewhere (e.g. a DAG copied from a trustless gateway), each checked
   * against its CID (IntegrityError otherwise); all or none are kept. Pins nothing.
   */
  putBlocks(blocks: AsyncIterable<{ cid: CID; bytes: Uint8Array }>): Promise<void>
  /** Deletes blocks no pin reaches; returns how many were removed. */
  gc(): Promise<number>
  /** Closes the blockstore; the store reopens on next use. */
  close(): Promise<void>
}

/** A write failed for want of space: a full disk (ENOSPC) or a filesystem quota (EDQUOT). */
const diskFull = (error: unknown) => ['ENOSPC', 'EDQUOT'].includes((error as { code?: string })?.code ?? '')

/**
 * An IPFS store in a local folder, with no daemon: the blocks of each add in one pack file, indexed
 * once the add succeeded, and pins as one file per pinned root (so both survive restarts and
 * crashes, and several processes may share the folder). It does not serve the network: publish
 * with {@link EmbeddedStore.exportCar} or add the same bytes to Kubo (the CIDs are the same).
 *
 * @example
 * const store = embeddedStore({ dir: './ipfs' })
 * const { cid } = await store.add(new TextEncoder().encode('hello world'))
 * for await (const chunk of store.cat(cid)) process.stdout.write(chunk)
 */
export function embeddedStore({ dir }: EmbeddedStoreParameters): EmbeddedStore {
  const blocks = packStore(join(dir, 'packs'))
  const pinDir = join(dir, 'pins')
  let opened: Promise<void> | undefined
  const open = () => {
    opened ??= Promise.all([mkdir(join(dir, 'packs'), { recursive: true }), mkdir(pinDir, { recursive: true })]).then(() => blocks.open())
    return opened
  }
  const getBlock = (cid: CID, options?: { signal?: AbortSignal }) => blocks.get(cid, options?.signal)
  const savePin = (cid: CID) => writeFile(join(pinDir, cid.toString()), '')
  /** Runs one import into a new pack, committed only if the import succeeds. */
  const write = async <T>(run: (pack: PackWriter) => Promise<T>): Promise<T> => {
    await open()
    const pack = blocks.writer()
    let result: T
    try {
      result = await run(pack)
      await pack.commit()
    } catch (error) {
      await pack.abort()
      throw diskFull(error) ? new StoreFullError(dir, { cause: error }) : error
    }
    return result
  }
  const add = async (pin: boolean | undefined, run: (pack: PackWriter) => Promise<AddResult>) => {
    const result = await write(run)
    // the blocks stay unpinned if this fails: garbage collection takes them
    if (pin !== false) await savePin(result.cid).catch((error) => Promise.reject(diskFull(error) ? new StoreFullError(dir, { cause: error }) : error))
    return result
  }

  return {
    dir,
    async getBlock(cid) {
      await open()
      return getBlock(cid)
    },
    putBlocks: (source) =>
      write(async (pack) => {
        for await (const { cid, bytes } of source) {
          await verifyBlock(cid, bytes)
          await pack.put(cid, bytes)
        }
      }),
    add: (source, options = {}) => add(options.pin, (pack) => importFile(source, pack, options)),
    addDirectory: (entries, options = {}) => add(options.pin, (pack) => importDirectory(entries, pack, options)),
    async *cat(cid, options) {
      await open()
      yield* catFile(cid, getBlock, options)
    },
    async has(value) {
      await open()
      return blocks.has(parseCidPath(value).cid)
    },
    async stat(value, options) {
      await open()
      return statEntry(value, getBlock, options?.signal)
    },
    async pin(value) {
      await open()
      const { cid } = parseCidPath(value)
      // a pin promises the whole DAG is here, so check every block before recording it
      for await (const _ of walkDag(cid, (c) => getBlock(c)));
      await savePin(cid)
    },
    async unpin(value) {
      await open()
      const { cid } = parseCidPath(value)
      await rm(join(pinDir, cid.toString()), { force: true })
    },
    async *pins() {
      await open()
      for (const name of await readdir(pinDir)) yield CID.parse(name)
    },
    async *exportCar(value) {
      await open()
      const { cid } = parseCidPath(value)
      const { writer, out } = CarWriter.create([cid])
      const writing = (async () => {
        try {
          for await (const block of walkDag(cid, (c) => getBlock(c))) await writer.put(block)
        } finally {
          await writer.close()
        }
      })()
      yield* out
      await writing
    },
    async gc() {
      await open()
      const live = new Set<string>()
      for await (const root of this.pins())
        for await (const { cid } of walkDag(root, (c) => getBlock(c))) live.add(toHex(cid.multihash.bytes))
      return blocks.retain((cid) => live.has(toHex(cid.multihash.bytes)))
    },
    async close() {
      if (!opened) return
      await opened.catch(() => {})
      opened = undefined
      await blocks.close()
    },
  }
}
