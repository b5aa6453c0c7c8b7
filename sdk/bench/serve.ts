// npm run bench:serve -w sdk [-- --json]: the storage service under load. The service (serveStore over
// an embedded store, bench/serve-service.ts) runs in its own process; this process generates the load
// over loopback HTTP/1.1 and samples the service's RSS from /proc. Scenarios: 1, 4 and 20 clients
// downloading a 2 MB archive in a loop (Kubo RPC `cat`, as kuboStore reads) and once a 256 MB one,
// 4 clients uploading 16 MB, a mix of all of these, and a reader that stops reading.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomFillSync } from 'node:crypto'
import { once } from 'node:events'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { createSiweMessage } from 'viem/siwe'
import { embeddedStore } from '../src/storage/node/embedded.ts'

const json = process.argv.includes('--json')
const MB = 1_000_000
const SMALL = 2 * MB
const LARGE = 256 * MB
const UPLOAD = 16 * MB
const SECONDS = 8

type Row = {
  scenario: string
  requests: number
  failed: number
  p50Ms: number
  p99Ms: number
  mbPerSecond: number
  peakRssMiB: number
  load: number
}

function randomChunks(size: number, piece = 1 << 20): Iterable<Uint8Array> {
  return (function* () {
    for (let done = 0; done < size; done += piece) yield randomFillSync(Buffer.allocUnsafe(Math.min(piece, size - done)))
  })()
}

const dir = await mkdtemp(join(tmpdir(), 'amm-bench-serve-'))
const seed = embeddedStore({ dir })
const small = (await seed.add(randomChunks(SMALL))).cid.toString()
const large = (await seed.add(randomChunks(LARGE))).cid.toString()
await seed.close()

const service: ChildProcess = spawn(process.execPath, [join(import.meta.dirname, 'serve-service.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] })
const [first] = (await once(createInterface({ input: service.stdout as NodeJS.ReadableStream }), 'line')) as [string]
const url = new URL((JSON.parse(first) as { url: string }).url)

let peakRss = 0
const rss = async () => Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${service.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024
const sampler = setInterval(() => {
  rss().then((bytes) => (peakRss = Math.max(peakRss, bytes)), () => {})
}, 50)

async function signIn(): Promise<string> {
  const signer = privateKeyToAccount(generatePrivateKey())
  const { nonce } = (await (await fetch(new URL('/siwe/nonce', url))).json()) as { nonce: string }
  const message = createSiweMessage({ address: signer.address, chainId: 31337, domain: 'bench.example', nonce, uri: 'https://bench.example/', version: '1' })
  const response = await fetch(new URL('/siwe/verify', url), { method: 'POST', body: JSON.stringify({ message, signature: await signer.signMessage({ message }) }) })
  return ((await response.json()) as { token: string }).token
}
const token = await signIn()

/** One download to the last byte; resolves with the bytes read (throws on a short or failed body). */
async function download(cid: string, size: number): Promise<number> {
  const response = await fetch(new URL(`/api/v0/cat?arg=${cid}`, url), { method: 'POST' })
  if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`)
  let bytes = 0
  for await (const chunk of response.body) bytes += chunk.byteLength
  if (bytes !== size) throw new Error(`read ${bytes} of ${size} bytes`)
  return bytes
}

const uploadBody = new Blob([Buffer.concat([...randomChunks(UPLOAD)])])
async function upload(): Promise<number> {
  const form = new FormData()
  form.append('file', uploadBody, 'upload.bin')
  const response = await fetch(new URL('/api/v0/add?cid-version=1', url), { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } })
  await response.arrayBuffer()
  if (!response.ok) throw new Error(`HTTP ${response.status}`)
  return UPLOAD
}

type Load = { clients: number; task: () => Promise<number>; once?: boolean }

/** Runs every load together: each client repeats its task until the deadline (or runs it once). */
async function scenario(name: string, loads: Load[]): Promise<Row> {
  peakRss = await rss()
  const times: number[] = []
  let failed = 0
  let bytes = 0
  const started = performance.now()
  const deadline = started + SECONDS * 1000
  await Promise.all(
    loads.flatMap(({ clients, task, once: single }) =>
      Array.from({ length: clients }, async () => {
        do {
          const t = performance.now()
          try {
            const n = await task()
            bytes += n
            times.push(performance.now() - t)
          } catch {
            failed++
          }
        } while (!single && performance.now() < deadline)
      }),
    ),
  )
  const seconds = (performance.now() - started) / 1000
  times.sort((a, b) => a - b)
  const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? Number.NaN)
  const row = {
    scenario: name,
    requests: times.length + failed,
    failed,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    mbPerSecond: Math.round(bytes / MB / seconds),
    peakRssMiB: Math.round(peakRss / 2 ** 20),
    load: Number(loadavg()[0]?.toFixed(2)),
  }
  if (!json) console.log(`${row.scenario.padEnd(34)} ${String(row.requests).padStart(5)} req ${String(row.failed).padStart(3)} failed  p50 ${String(row.p50Ms).padStart(6)} ms  p99 ${String(row.p99Ms).padStart(6)} ms  ${String(row.mbPerSecond).padStart(5)} MB/s  RSS ${row.peakRssMiB} MiB  load ${row.load}`)
  return row
}

/**
 * A client that stops reading the 256 MB archive at once and resumes 20 s later: whether the service
 * cut it meanwhile (idle timeout 5 s: Node's socket timeout cuts a stalled writer after one to two
 * of them), how much reached the client in all, what it cost the service.
 */
async function slowReader() {
  const before = await rss()
  peakRss = before
  const { received, cut } = await new Promise<{ received: number; cut: boolean }>((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: 'POST', path: `/api/v0/cat?arg=${large}` }, (response) => {
      let received = 0
      response.on('data', (chunk: Buffer) => (received += chunk.length))
      response.pause()
      setTimeout(() => response.resume(), 20_000)
      response.on('error', () => {})
      response.once('close', () => resolve({ received, cut: received < LARGE }))
    })
    req.on('error', reject)
    req.end()
  })
  return { cut, receivedMiB: Math.round(received / 2 ** 20), rssGrowthMiB: Math.round((peakRss - before) / 2 ** 20), load: Number(loadavg()[0]?.toFixed(2)) }
}

const rows: Row[] = []
try {
  if (!json) console.log(`serveStore over loopback HTTP/1.1, ${SECONDS} s per looping scenario (2 MB = ${SMALL} bytes, 256 MB = ${LARGE} bytes)`)
  for (const clients of [1, 4, 20]) rows.push(await scenario(`${clients} x download 2 MB`, [{ clients, task: () => download(small, SMALL) }]))
  for (const clients of [1, 4, 20]) rows.push(await scenario(`${clients} x download 256 MB (once each)`, [{ clients, task: () => download(large, LARGE), once: true }]))
  rows.push(await scenario('4 x upload 16 MB', [{ clients: 4, task: upload }]))
  rows.push(
    await scenario('mix: 20 x 2 MB + 2 x 256 MB + 2 x upload', [
      { clients: 20, task: () => download(small, SMALL) },
      { clients: 2, task: () => download(large, LARGE) },
      { clients: 2, task: upload },
    ]),
  )
  const slow = await slowReader()
  if (!json) console.log(`a reader that stops reading for 20 s: ${slow.cut ? 'cut by the service' : 'NOT cut'} (idle timeout 5 s) after ${slow.receivedMiB} MiB had reached it, service RSS +${slow.rssGrowthMiB} MiB, load ${slow.load}`)
  if (json) console.log(JSON.stringify({ rows, slowReader: slow }))
} finally {
  clearInterval(sampler)
  service.kill()
  await once(service, 'exit')
  await rm(dir, { recursive: true, force: true })
}
