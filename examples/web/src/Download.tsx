import { BadDeliveryError } from '@ai-model-marketplace/sdk'
import { useQuery } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import { useMarketplace } from './client.ts'
import { useAction } from './hooks.ts'
import { required } from './required.ts'
import { ActionButton, ErrorBox, ProgressBar } from './ui.tsx'

type SavedFile = { path: string; size: number; sha256: string; url?: string }
/** Where one file goes. Nothing is kept before the whole version has verified. */
type Sink = {
  write(chunk: Uint8Array): Promise<void>
  /** Keeps the file (the version verified); a Blob gives its link. */
  keep(): Promise<string | undefined>
  /** Drops what was written (the version did not verify). */
  discard(): Promise<void>
}

/**
 * Writes straight to a file in the folder the user picked: memory stays flat whatever the size.
 * The browser writes to a swap file and replaces the file only when it is closed, so a version
 * that fails its checks leaves the folder as it was (a file this download created is removed).
 */
async function folderSink(dir: FileSystemDirectoryHandle, path: string): Promise<Sink> {
  const parts = path.split('/')
  const name = parts.at(-1) as string
  let folder = dir
  for (const part of parts.slice(0, -1)) folder = await folder.getDirectoryHandle(part, { create: true })
  const existed = await folder.getFileHandle(name).then(
    () => true,
    () => false,
  )
  const file = await folder.getFileHandle(name, { create: true })
  const writable = await file.createWritable()
  // each write to the file system is costly: gather chunks into one buffer of a few MiB first
  const buffer = new Uint8Array(WRITE_BATCH)
  let used = 0
  const flush = async () => {
    if (used) await writable.write(buffer.slice(0, used))
    used = 0
  }
  return {
    async write(chunk) {
      if (used + chunk.byteLength > buffer.byteLength) await flush()
      if (chunk.byteLength >= buffer.byteLength) return writable.write(chunk as Uint8Array<ArrayBuffer>)
      buffer.set(chunk, used)
      used += chunk.byteLength
    },
    keep: async () => {
      await flush()
      await writable.close()
      return undefined
    },
    discard: async () => {
      await writable.abort()
      if (!existed) await folder.removeEntry(name)
    },
  }
}

const WRITE_BATCH = 4 * 1024 * 1024

/**
 * Browsers without the File System Access API get each file as a Blob to save. Every few MiB the
 * pieces become one Blob, which the browser may keep outside the page (on disk for large ones).
 */
function blobSink(): Sink {
  const blobs: Blob[] = []
  let pending: BlobPart[] = []
  let pendingBytes = 0
  const seal = () => {
    if (pending.length) blobs.push(new Blob(pending))
    pending = []
    pendingBytes = 0
  }
  return {
    async write(chunk) {
      pending.push(chunk as Uint8Array<ArrayBuffer>)
      pendingBytes += chunk.byteLength
      if (pendingBytes >= BLOB_BATCH) seal()
    },
    keep: async () => {
      seal()
      return URL.createObjectURL(new Blob(blobs))
    },
    discard: async () => {
      blobs.length = 0
      pending = []
    },
  }
}

const BLOB_BATCH = 16 * 1024 * 1024

type DirectoryPicker = (options: { mode: 'readwrite'; id?: string }) => Promise<FileSystemDirectoryHandle>

/**
 * Downloads a licensed version: the SDK checks the delivered key against the order's on-chain
 * commitment before fetching a byte (BadDeliveryError otherwise: the page then offers the proof),
 * then fetches, authenticates and decrypts chunk by chunk, checks each file's sha256 as it streams
 * and the archive's on-chain sha256 when the last file ends (an IntegrityError otherwise; this
 * app's store is trusted for the bytes, so the SDK always makes that pass: see client.ts).
 */
export function Download({
  modelId,
  version,
  name,
  onVerified,
  onRefunded,
  onBadDelivery,
}: { modelId: bigint; version?: number; name: string; onVerified?: () => void; onRefunded?: () => void; onBadDelivery?: () => void }) {
  const client = useMarketplace()
  // versions are named by their semver, as on the model page (the chain numbers them 1, 2, …)
  const model = useQuery({ queryKey: ['model', modelId.toString()], queryFn: () => client.getModel({ modelId }) })
  const semverOf = (n: number) => model.data?.versions.find((v) => v.version === n)?.semver ?? `number ${n}`
  const [progress, setProgress] = useState<{ bytes: number; totalBytes?: number }>()
  const [files, setFiles] = useState<SavedFile[]>([])
  const download = useAction(async () => {
    const picker = (window as { showDirectoryPicker?: DirectoryPicker }).showDirectoryPicker
    const dir = picker
      ? await picker({ mode: 'readwrite', id: 'amm-downloads' }).catch((error: unknown) => {
          if ((error as { name?: string }).name === 'AbortError') return null
          throw error
        })
      : undefined
    // the user closed the folder dialog: nothing was asked for, so nothing is reported
    if (dir === null) return undefined
    setFiles([])
    const started = performance.now()
    const result = await client.downloadModel({ modelId, version, onProgress: setProgress })
    const checked: Omit<SavedFile, 'url'>[] = []
    const sinks: Sink[] = []
    let bytes = 0
    try {
      for await (const entry of result.entries) {
        const sink = dir ? await folderSink(dir, entry.path) : blobSink()
        sinks.push(sink)
        for await (const chunk of entry.content) {
          await sink.write(chunk)
          bytes += chunk.byteLength
        }
        // the SDK hashed the file as it streamed and checked it against the archive
        checked.push({ path: entry.path, size: entry.size, sha256: required(entry.sha256, 'the checked sha256') })
      }
    } catch (error) {
      // a version that did not verify leaves nothing behind, not even the files that came before the failure
      await Promise.all(sinks.map((sink) => sink.discard().catch(() => {})))
      throw error
    }
    // the entries ended without an IntegrityError: the whole version matched the chain's sha256
    const links = await Promise.all(sinks.map((sink) => sink.keep()))
    setFiles(checked.map((file, i) => ({ ...file, url: links[i] })))
    onVerified?.()
    return {
      sha256: result.sha256,
      version: result.version,
      seconds: (performance.now() - started) / 1000,
      bytes,
      folder: dir?.name,
    }
  })
  const badDelivery = download.state.status === 'error' && download.state.error instanceof BadDeliveryError ? download.state.error : undefined
  // the order's card stops offering Confirm: releasing payment for a key proven wrong loses the refund
  useEffect(() => {
    if (badDelivery) onBadDelivery?.()
  }, [badDelivery, onBadDelivery])

  return (
    <div className="download">
      <ActionButton busy={download.pending} onClick={() => download.run()}>
        {download.pending ? 'Downloading…' : `Download ${name}`}
      </ActionButton>
      {download.pending && progress ? <ProgressBar label="Downloading and decrypting" value={progress.bytes} max={progress.totalBytes} /> : null}
      {badDelivery ? (
        // the SDK's hint names the action for developers; the page offers that action instead
        <ProveBadDelivery error={badDelivery} onRefunded={onRefunded} />
      ) : download.state.status === 'error' ? (
        <ErrorBox error={download.state.error} title="Download failed" />
      ) : null}
      {download.state.status === 'done' && download.state.result ? (
        <p role="status" className="success" data-testid="download-verified">
          Version {semverOf(download.state.result.version)} verified: archive sha256 <code>{download.state.result.sha256}</code> matches the chain (
          {(download.state.result.bytes / 1e6 / download.state.result.seconds).toFixed(1)} MB/s)
          {download.state.result.folder ? `, saved in “${download.state.result.folder}”` : ''}.
        </p>
      ) : null}
      {files.length ? (
        <ul className="files" aria-label="Downloaded files">
          {files.map((f) => (
            <li key={f.path}>
              {f.url ? (
                <a href={f.url} download={f.path.split('/').at(-1)}>
                  {f.path}
                </a>
              ) : (
                f.path
              )}{' '}
              · {f.size} bytes · sha256 <code data-testid="file-sha256">{f.sha256}</code>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}

/**
 * Offered only after the SDK's own check found the delivered key wrong (BadDeliveryError): the
 * SDK checks again before sending and never proves a good key, since the proof would publish it.
 * The contract recomputes the key from the order's secret and refunds the price in full, with no
 * arbiter; the proof reveals this order's delivery secret only.
 */
function ProveBadDelivery({ error, onRefunded }: { error: BadDeliveryError; onRefunded?: () => void }) {
  const client = useMarketplace()
  const { orderId } = error
  const prove = useAction(async () => {
    const result = await client.proveBadDelivery({ orderId })
    onRefunded?.()
    return result
  })
  return (
    <div className="prove">
      <div role="alert" className="error">
        <strong>Download failed:</strong> {error.shortMessage}
        <p className="hint">
          Nothing was downloaded. The seller delivered a key other than the one committed on-chain for this model: prove it to the contract to get the
          full price back, with no arbiter. The proof reveals this order's delivery secret only, never your other purchases.
        </p>
      </div>
      <ActionButton busy={prove.pending} onClick={() => prove.run()}>
        {prove.pending ? 'Proving…' : 'Prove wrong key'}
      </ActionButton>
      {prove.state.status === 'done' && prove.state.result ? (
        <p role="status" className="success" data-testid="bad-delivery-refund">
          Proven: the contract refunded order #{orderId.toString()} in full.
        </p>
      ) : null}
      {prove.state.status === 'error' ? <ErrorBox error={prove.state.error} title="Proof failed" /> : null}
    </div>
  )
}
