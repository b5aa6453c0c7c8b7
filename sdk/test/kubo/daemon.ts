// Starts a real Kubo daemon for tests: offline, on loopback, free ports, a throw-away repo.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The Kubo binary the suite runs (`KUBO_BIN`); the suite is skipped without it. */
export const kuboBin = process.env.KUBO_BIN

export type KuboDaemon = {
  /** RPC API origin, e.g. `http://127.0.0.1:40123`. */
  apiUrl: string
  /** Gateway origin (trustless gateway routes included). */
  gatewayUrl: string
  repo: string
  /** Kills the daemon at once (SIGKILL), as a crash would. */
  kill(): Promise<void>
  /** Stops the daemon and removes its repo. */
  stop(): Promise<void>
}

async function run(bin: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (d) => (output += d))
  child.stderr.on('data', (d) => (output += d))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  if (code !== 0) throw new Error(`ipfs ${args.join(' ')} exited ${code}: ${output}`)
  return output
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()))

/** Inits a repo with the `test` profile (no bootstrap, no MDNS) and starts `ipfs daemon --offline`. */
export async function startKubo(bin = kuboBin as string): Promise<KuboDaemon> {
  const repo = await mkdtemp(join(tmpdir(), 'amm-kubo-'))
  const env = { ...process.env, IPFS_PATH: repo }
  await run(bin, ['init', '--profile', 'test'], env)
  await run(bin, ['config', 'Addresses.API', '/ip4/127.0.0.1/tcp/0'], env)
  await run(bin, ['config', 'Addresses.Gateway', '/ip4/127.0.0.1/tcp/0'], env)
  const daemon = spawn(bin, ['daemon', '--offline'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  const ready = new Promise<{ api: string; gateway: string }>((resolve, reject) => {
    const onData = (d: Buffer) => {
      log += d
      const api = /RPC API server listening on \/ip4\/([\d.]+)\/tcp\/(\d+)/.exec(log)
      const gateway = /Gateway server listening on \/ip4\/([\d.]+)\/tcp\/(\d+)/.exec(log)
      if (api && gateway && log.includes('Daemon is ready')) resolve({ api: `http://${api[1]}:${api[2]}`, gateway: `http://${gateway[1]}:${gateway[2]}` })
    }
    daemon.stdout.on('data', onData)
    daemon.stderr.on('data', onData)
    daemon.once('exit', (code) => reject(new Error(`ipfs daemon exited ${code} before it was ready: ${log}`)))
    setTimeout(() => reject(new Error(`ipfs daemon not ready after 60 s: ${log}`)), 60_000).unref()
  })
  const urls = await ready.catch(async (error) => {
    daemon.kill('SIGKILL')
    await rm(repo, { recursive: true, force: true })
    throw error
  })
  return {
    apiUrl: urls.api,
    gatewayUrl: urls.gateway,
    repo,
    async kill() {
      daemon.kill('SIGKILL')
      await exited(daemon)
    },
    async stop() {
      daemon.kill('SIGTERM')
      await exited(daemon)
      await rm(repo, { recursive: true, force: true })
    },
  }
}
