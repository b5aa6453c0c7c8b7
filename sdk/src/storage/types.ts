import type { CID } from 'multiformats/cid'

/** Bytes to store: a buffer, a (sync or async) iterable of buffers, or a web `ReadableStream`. */
export type ByteSource = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>

/** Progress of a long transfer. `totalBytes` is set when the total is known in advance. */
export type Progress = { bytes: number; totalBytes?: number }
export type OnProgress = (progress: Progress) => void

/** A CID, as an object or its string form. Strings may carry a path: `bafy.../weights/model.bin`. */
export type CidLike = CID | string

export type AddOptions = {
  /** Keep the content from garbage collection (default true). */
  pin?: boolean
  /** Called as bytes are consumed from the source. */
  onProgress?: OnProgress
  /** Expected total size, only used for `onProgress`'s `totalBytes`. */
  totalBytes?: number
  signal?: AbortSignal
}

export type AddResult = {
  /** The root CID, equal to Kubo's `ipfs add --cid-version=1`. */
  cid: CID
  /** Size of the file content in bytes (for a directory: the sum of its files). */
  size: number
}

/**
 * One file of a directory to add; `path` is relative to the directory (`weights/model.bin`).
 * An entry without `content` is an (empty) folder.
 */
export type DirectoryEntry = { path: string; content?: ByteSource; size?: number }

export type CatOptions = {
  /** First byte to read (default 0). */
  offset?: number
  /** How many bytes to read (default: to the end). */
  length?: number
  onProgress?: OnProgress
  signal?: AbortSignal
}

export type StatResult = {
  cid: CID
  type: 'file' | 'directory'
  /** File size in bytes; for a directory, the sum of its files' sizes is not known cheaply, so 0. */
  size: number
  /** Directory entries (name and CID), for directories only. */
  entries?: { name: string; cid: CID }[]
}

/** Read access to content-addressed data. */
export interface ContentReader {
  /**
   * True when `cat` checks every block against its CID before yielding it (a trustless gateway), so
   * the bytes are exactly those the CID names; downloads of a committed key then skip the
   * whole-archive sha256 pass. Absent or false: the store is trusted for the bytes.
   */
  readonly verifiesBlocks?: boolean
  /** Streams a file's bytes (or a byte range of it). */
  cat(cid: CidLike, options?: CatOptions): AsyncIterable<Uint8Array>
  /** Whether the root block is available (for a node: locally, without asking the network). */
  has(cid: CidLike, options?: { signal?: AbortSignal }): Promise<boolean>
  /** Type and size of a file or directory. */
  stat(cid: CidLike, options?: { signal?: AbortSignal }): Promise<StatResult>
}

/**
 * A place to put and get content-addressed data: the embedded store, a Kubo node, or any other
 * implementation giving the same CIDs as Kubo's `ipfs add --cid-version=1`.
 */
export interface ContentStore extends ContentReader {
  /** Adds one file. */
  add(source: ByteSource, options?: AddOptions): Promise<AddResult>
  /** Adds files as one UnixFS directory; the CID equals `ipfs add -r --cid-version=1 <dir>`. */
  addDirectory(entries: Iterable<DirectoryEntry> | AsyncIterable<DirectoryEntry>, options?: AddOptions): Promise<AddResult>
  /** Pins content already in the store (recursively). */
  pin(cid: CidLike, options?: { signal?: AbortSignal }): Promise<void>
  /** Removes a pin; the blocks may later be garbage-collected. */
  unpin(cid: CidLike, options?: { signal?: AbortSignal }): Promise<void>
  /** Lists the roots pinned recursively. */
  pins(options?: { signal?: AbortSignal }): AsyncIterable<CID>
}
