// npm run bench -w sdk [-- --json] [-- --search-models N]: the storage, crypto and bundle figures
// (bench/storage.ts, in its own process so its peak RSS is its own), then searchModels latency over
// N models listed on Hardhat's in-process chain and indexed by the local indexer (bench/search.ts;
// N defaults to 10,000). With --json, one JSON object holding both.
import { execFile, spawn } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { measureSearch } from './search.ts'

const json = process.argv.includes('--json')
const at = process.argv.indexOf('--search-models')
const models = at > 0 ? Number(process.argv[at + 1]) : 10_000
if (!Number.isSafeInteger(models) || models < 1) throw new Error(`--search-models needs a positive whole number, got ${process.argv[at + 1]}`)
const storageBench = join(import.meta.dirname, 'storage.ts')

if (json) {
  const { stdout } = await promisify(execFile)(process.execPath, [storageBench, '--json'], { maxBuffer: 1024 * 1024 })
  const storage = JSON.parse(stdout) as Record<string, unknown>
  const search = await measureSearch(models)
  console.log(JSON.stringify({ ...storage, searchP50Ms: search.searchP50Ms, searchP95Ms: search.searchP95Ms, searchModels: search.models, search }))
} else {
  const child = spawn(process.execPath, [storageBench], { stdio: 'inherit' })
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  if (code !== 0) throw new Error(`bench/storage.ts exited with ${code}`)
  const search = await measureSearch(models)
  console.log(
    `searchModels over ${search.models} models through the local indexer: p50 ${search.searchP50Ms} ms, p95 ${search.searchP95Ms} ms (target <= 30 ms); a scalar-only page p95 ${search.scalarPageP95Ms} ms; listed in ${search.listedSeconds} s, indexed in ${search.indexedSeconds} s, load ${search.loadAverage.toFixed(2)}`,
  )
}
// The in-process chain and the indexer's timers would keep the process alive.
process.exit(0)
