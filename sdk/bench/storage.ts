// npm run bench -w sdk [-- --json]: storage and crypto throughput on the embedded store, peak RSS,
// and the gzipped browser bundle. Each file size runs in its own process so peak RSS is its own.
import { execFile } from 'node:child_process'
import { randomFillSync } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { encryptArchive, decryptArchive } from '../src/crypto/archive.ts'
import { archiveInputsFromPath } from '../src/crypto/node/archive.ts'
import { randomBytes } from '../src/crypto/primitives.ts'
import { embeddedStore } from '../src/storage/node/embedded.ts'

const MiB = 1024 * 1024

/** `*CpuMBps` divide by this process's CPU time instead of wall time: comparable on a loaded machine. */
type SizeResult = {
  MiB: number
  addMBps: number
  catMBps: number
  addCpuMBps: number
  catCpuMBps: number
  /** cat + decrypt + per-file sha256 only: a download under a committed key from a store that checks CIDs skips the whole-archive pass. */
  catCommittedMBps: number
  catCommittedCpuMBps: number
  peakRssMiB: number
  cid: string
}

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(since)
  return (user + system) / 1e6
}

async function writeRandomFile(path: string, bytes: number) {
  const out = createWriteStream(path)
  const piece = Buffer.alloc(4 * MiB)
  for (let written = 0; written < bytes; written += piece.length) {
    randomFillSync(piece)
    if (!out.write(piece.subarray(0, Math.min(piece.length, bytes - written)))) await new Promise<void>((r) => out.once('drain', () => r()))
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error) => (e ? reject(e) : resolve())))
}

/** One size, in this process: pack+encrypt+add, then cat+decrypt+verify (per-file and whole sha256), then without the whole sha256. */
async function measure(bytes: number): Promise<SizeResult> {
  const dir = await mkdtemp(join(tmpdir(), 'amm-bench-'))
  try {
    const file = join(dir, 'model.bin')
    await writeRandomFile(file, bytes)
    const store = embeddedStore({ dir: join(dir, 'ipfs') })
    const key = randomBytes(32)
    let t = performance.now()
    let cpu = process.cpuUsage()
    const { stream, summary } = encryptArchive(await archiveInputsFromPath(file), key)
    const { cid } = await store.add(stream)
    const { sha256 } = await summary
    const addSeconds = (performance.now() - t) / 1000
    const addCpu = cpuSeconds(cpu)
    t = performance.now()
    cpu = process.cpuUsage()
    let read = 0
    for await (const entry of decryptArchive(store.cat(cid), key, { expectedSha256: sha256 }))
      for await (const chunk of entry.content) read += chunk.length
    const catSeconds = (performance.now() - t) / 1000
    const catCpu = cpuSeconds(cpu)
    if (read !== bytes) throw new Error(`read ${read} of ${bytes} bytes`)
    t = performance.now()
    cpu = process.cpuUsage()
    read = 0
    for await (const entry of decryptArchive(store.cat(cid), key)) for await (const chunk of entry.content) read += chunk.length
    const committedSeconds = (performance.now() - t) / 1000
    const committedCpu = cpuSeconds(cpu)
    if (read !== bytes) throw new Error(`read ${read} of ${bytes} bytes`)
    await store.close()
    return {
      MiB: bytes / MiB,
      addMBps: Math.round(bytes / 1e6 / addSeconds),
      catMBps: Math.round(bytes / 1e6 / catSeconds),
      addCpuMBps: Math.round(bytes / 1e6 / addCpu),
      catCpuMBps: Math.round(bytes / 1e6 / catCpu),
      catCommittedMBps: Math.round(bytes / 1e6 / committedSeconds),
      catCommittedCpuMBps: Math.round(bytes / 1e6 / committedCpu),
      // maxRSS is in KiB and covers this process's whole life
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      cid: cid.toString(),
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

if (process.argv[2] === '--child') {
  process.stdout.write(JSON.stringify(await measure(Number(process.argv[3]))))
} else {
  const json = process.argv.includes('--json')
  const run = promisify(execFile)
  const sizes: SizeResult[] = []
  for (const bytes of [256 * MiB, 1024 * MiB]) {
    const { stdout } = await run(process.execPath, [import.meta.filename, '--child', String(bytes)], { maxBuffer: MiB })
    sizes.push(JSON.parse(stdout) as SizeResult)
  }
  const { bundleBrowserEntry } = await import('../test/bundle.ts')
  const bundle = await bundleBrowserEntry()
  const big = sizes.at(-1) as SizeResult
  const result = {
    addMBps: big.addMBps,
    catMBps: big.catMBps,
    catCommittedMBps: big.catCommittedMBps,
    peakRssMiB1GiB: big.peakRssMiB,
    bundleGzipKiB: Math.round((bundle.gzipBytes / 1024) * 10) / 10,
    bundleLazyGzipKiB: Math.round((bundle.lazyGzipBytes / 1024) * 10) / 10,
    loadAverage: loadavg()[0] ?? 0,
    sizes,
  }
  if (json) console.log(JSON.stringify(result))
  else {
    console.log('embedded store, one-file archive (pack + STREAM AES-256-GCM + Kubo-CID import; cat + decrypt + sha256 checks)')
    for (const s of sizes)
      console.log(
        `  ${String(s.MiB).padStart(5)} MiB   encrypt+add ${s.addMBps} MB/s (${s.addCpuMBps} per CPU-second)   cat+decrypt+verify ${s.catMBps} MB/s (${s.catCpuMBps} per CPU-second)   without the whole-archive sha256 ${s.catCommittedMBps} MB/s (${s.catCommittedCpuMBps})   peak RSS ${s.peakRssMiB} MiB`,
      )
    console.log(`  load average during the run: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores`)
    console.log(`browser entry, minified, viem excluded: ${result.bundleGzipKiB} KiB gzipped up front, ${result.bundleLazyGzipKiB} KiB more on first upload or model hash`)
    console.log('targets: >= 150 MB/s each way, peak RSS <= 400 MiB for 1 GiB, bundle <= 100 KiB')
  }
}
