// npm run bench -w cli [-- --json] [-- --mib 1024]: `amm list` and `amm download` of one model file
// against the same operations done with the SDK directly (the CLI's overhead), on a stack `amm dev`
// runs in another process (embedded store served as Kubo RPC). Each measured run is a process of its
// own, timed by /usr/bin/time (wall seconds, peak RSS). Prints MB/s, peak RSS and the load average.
import { execFile, spawn } from 'node:child_process'
import { randomFillSync } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const { values: flags } = parseArgs({ options: { json: { type: 'boolean' }, mib: { type: 'string', default: '1024' }, 'sdk-child': { type: 'string' } }, allowPositionals: true })
const amm = join(import.meta.dirname, '..', 'dist', 'amm.js')
const alice = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'
const carol = '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6'

/** The SDK side: the same list / download as `amm`, with no CLI around it (run as a child by the bench). */
async function sdkChild(mode: string, args: string[]) {
  const { createMarketplaceClient, kuboStore, subgraphIndexer } = await import('@ai-model-marketplace/sdk')
  const { archiveInputsFromPath, downloadModelTo } = await import('@ai-model-marketplace/sdk/node')
  const { createPublicClient, createWalletClient, defineChain, http } = await import('viem')
  const { privateKeyToAccount } = await import('viem/accounts')
  const [configFile, target, key] = args as [string, string, `0x${string}`]
  const config = JSON.parse(await readFile(configFile, 'utf8'))
  const network = config.networks.local
  const deployment = JSON.parse(await readFile(join(configFile, '..', network.deployment), 'utf8'))
  const chain = defineChain({ id: deployment.chainId, name: 'dev', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [network.rpcUrl] } } })
  const transport = http(network.rpcUrl)
  const client = createMarketplaceClient({
    publicClient: createPublicClient({ chain, transport, cacheTime: 0 }),
    walletClient: createWalletClient({ chain, transport, account: privateKeyToAccount(key) }),
    deployment,
    store: kuboStore({ url: network.storeUrl }),
    indexer: subgraphIndexer({ url: network.indexerUrl }),
  } as never)
  if (mode === 'list') {
    const listed = await client.listModel({ files: await archiveInputsFromPath(target), name: 'bench (sdk)', task: 'text-generation', license: 'MIT', price: 10n ** 18n })
    process.stdout.write(JSON.stringify({ modelId: String(listed.modelId) }))
  } else {
    const [modelId, dir] = target.split(':') as [string, string]
    await downloadModelTo(client, { modelId: BigInt(modelId), dir })
  }
}

if (flags['sdk-child']) {
  await sdkChild(flags['sdk-child'], process.argv.slice(process.argv.indexOf(flags['sdk-child']) + 1))
  process.exit(0)
}

/** Wall seconds, CPU seconds (user + system: comparable on a busy machine), peak RSS. */
type Timed = { seconds: number; cpuSeconds: number; peakRssMiB: number; stdout: string }

/** Runs `node <args>` under /usr/bin/time: wall and CPU seconds and the peak RSS of that process. */
function timed(args: string[], env: Record<string, string>): Promise<Timed> {
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/time', ['-f', 'amm-bench %e %U %S %M', process.execPath, ...args], { env: { ...process.env, ...env }, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const match = stderr.match(/amm-bench ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/)
      if (error || !match) return reject(new Error(`${args.join(' ')} failed: ${error?.message}\n${stderr.slice(-2000)}`))
      resolve({ seconds: Number(match[1]), cpuSeconds: Number(match[2]) + Number(match[3]), peakRssMiB: Math.round(Number(match[4]) / 1024), stdout })
    })
  })
}

async function writeRandomFile(path: string, bytes: number) {
  const out = createWriteStream(path)
  const piece = Buffer.alloc(4 << 20)
  for (let written = 0; written < bytes; written += piece.length) {
    randomFillSync(piece)
    if (!out.write(piece.subarray(0, Math.min(piece.length, bytes - written)))) await new Promise<void>((r) => out.once('drain', () => r()))
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error) => (e ? reject(e) : resolve())))
}

const bytes = Number(flags.mib) * 1024 * 1024
const work = await mkdtemp(join(tmpdir(), 'amm-cli-bench-'))
const stackDir = join(work, 'stack')
const load = { before: loadavg().map((l) => Number(l.toFixed(2))), after: [] as number[] }
// this package's band of ports (46500-46599)
const dev = spawn(process.execPath, [amm, 'dev', '--dir', stackDir, '--rpc-port', '46530', '--graphql-port', '46531', '--store-port', '46532', '--storage-port', '46533'], { stdio: ['ignore', 'ignore', 'pipe'] })
try {
  let devErr = ''
  await new Promise<void>((resolve, reject) => {
    dev.stderr.on('data', (chunk: Buffer) => {
      devErr += chunk
      if (devErr.includes('amm dev ready')) resolve()
    })
    dev.once('exit', (code) => reject(new Error(`amm dev exited (${code}):\n${devErr}`)))
  })
  const config = join(stackDir, 'config.json')
  const env = { AMM_CONFIG: config, NO_COLOR: '1' }
  const file = join(work, 'model.bin')
  await writeRandomFile(file, bytes)
  const mbps = (t: Timed) => Math.round(bytes / 1e6 / t.seconds)
  const cpuMbps = (t: Timed) => Math.round(bytes / 1e6 / t.cpuSeconds)

  const cliList = await timed([amm, 'list', file, '--name', 'bench (amm)', '--task', 'text-generation', '--license', 'MIT', '--price', '1', '--json'], { ...env, AMM_PRIVATE_KEY: alice })
  const sdkList = await timed([import.meta.filename, '--sdk-child', 'list', config, file, alice], env)
  const cliModel = JSON.parse(cliList.stdout).modelId as string
  const sdkModel = JSON.parse(sdkList.stdout).modelId as string
  for (const modelId of [cliModel, sdkModel]) await timed([amm, 'buy', modelId, '--yes'], { ...env, AMM_PRIVATE_KEY: carol })
  await timed([amm, 'agent', '--once'], { ...env, AMM_PRIVATE_KEY: alice })
  await mkdir(join(work, 'out'))
  const cliDownload = await timed([amm, 'download', cliModel, '--to', join(work, 'out', 'cli')], { ...env, AMM_PRIVATE_KEY: carol })
  const sdkDownload = await timed([import.meta.filename, '--sdk-child', 'download', config, `${sdkModel}:${join(work, 'out', 'sdk')}`, carol], env)
  load.after = loadavg().map((l) => Number(l.toFixed(2)))

  const row = (step: string, cli: Timed, sdk: Timed) => ({
    step,
    cliMBps: mbps(cli),
    sdkMBps: mbps(sdk),
    cliCpuMBps: cpuMbps(cli),
    sdkCpuMBps: cpuMbps(sdk),
    // the CLI's extra CPU per byte over the SDK's, in percent
    cpuOverheadPct: Math.round((cli.cpuSeconds / sdk.cpuSeconds - 1) * 100),
    cliPeakRssMiB: cli.peakRssMiB,
    sdkPeakRssMiB: sdk.peakRssMiB,
  })
  const rows = [row('list (pack+encrypt+add+register)', cliList, sdkList), row('download (cat+verify+decrypt+write)', cliDownload, sdkDownload)]
  const report = { MiB: bytes / 1024 / 1024, store: 'embedded store over Kubo RPC (amm dev)', rows, loadavg: load }
  if (flags.json) console.log(JSON.stringify(report, null, 2))
  else {
    console.log(`${report.MiB} MiB model file, ${report.store}; load average before ${load.before.join(' ')}, after ${load.after.join(' ')}`)
    console.table(rows)
  }
} finally {
  dev.kill('SIGTERM')
  await new Promise((resolve) => dev.once('exit', resolve))
  await rm(work, { recursive: true, force: true })
}
