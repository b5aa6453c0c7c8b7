// `amm dev`: the local stack until a signal stops it.
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { type Command, flag, text } from '../command.ts'
import { type ConfigFile, writeConfig } from '../config.ts'
import { CliError, exitCodes, usageError } from '../errors.ts'
import { startLocalStack } from '../stack.ts'
import { note, ok, red, result, table } from '../ui.ts'

const port = (value: string | undefined, name: string, fallback: number) => {
  const n = value === undefined ? fallback : Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw usageError(`--${name} must be a port number (0 picks a free one), got ${value}`)
  return n
}

/** One `amm dev` per folder: a running one's deployment and config are never overwritten. */
async function lock(dir: string) {
  await mkdir(dir, { recursive: true })
  const file = join(dir, 'amm-dev.pid')
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8'))
    let alive = false
    try {
      process.kill(pid, 0)
      alive = pid !== process.pid
    } catch {}
    if (alive) throw new CliError('STACK_RUNNING', `another amm dev (pid ${pid}) uses ${dir}`, { hint: 'stop it first, or pass another --dir', exitCode: exitCodes.UNAVAILABLE })
  }
  await writeFile(file, String(process.pid))
  return () => rm(file, { force: true })
}

export const dev: Command = {
  name: 'dev',
  summary: 'run a local marketplace: chain, protocol, indexer, store, storage service',
  usage: 'amm dev [--dir <dir>] [--rpc-port <n>] [--graphql-port <n>] [--store-port <n>] [--storage-port <n>] [--tls]',
  description: [
    "Runs, in this one process, Hardhat's EVM (chain 31337) with the protocol deployed and 8 funded dev accounts,",
    'devnode indexing the subgraph, an embedded IPFS store served as a Kubo RPC API (amm, scripts) and by the',
    'storage service (browsers, Sign-In with Ethereum). It checks every service and prints "amm dev ready".',
    'It writes <dir>/config.json: `AMM_CONFIG=<dir>/config.json amm …` uses the stack. A port in use or a <dir>',
    'held by another amm dev stops it before anything starts. SIGINT, SIGTERM or SIGHUP stops everything (exit 0).',
    'Needs hardhat, @ai-model-marketplace/contracts, /devnode and /subgraph installed beside the CLI.',
  ].join('\n'),
  options: {
    dir: { type: 'string' },
    'rpc-port': { type: 'string' },
    'graphql-port': { type: 'string' },
    'store-port': { type: 'string' },
    'storage-port': { type: 'string' },
    tls: { type: 'boolean' },
    'dev-balance': { type: 'string' },
  },
  optionHelp: [
    '--dir <dir>           store, deployment and config file (default ./.amm-dev)',
    '--rpc-port <n>        chain JSON-RPC (default 8545)',
    '--graphql-port <n>    devnode GraphQL (default 8000)',
    '--store-port <n>      Kubo RPC over the store (default 5001)',
    '--storage-port <n>    storage service for browsers (default 5080)',
    '--tls                 serve the storage service over HTTPS/HTTP2 (browsers stream uploads only over HTTP/2)',
    '--dev-balance <n>     platform tokens minted to each dev account (default 10000)',
  ],
  examples: ['amm dev', 'amm dev --dir /tmp/stack --rpc-port 0 --graphql-port 0 --store-port 0 --storage-port 0 --json', 'AMM_CONFIG=.amm-dev/config.json amm search'],
  async run(flags, _positionals, global) {
    const dir = resolve(text(flags, 'dir') ?? '.amm-dev')
    const ports = {
      rpcPort: port(text(flags, 'rpc-port'), 'rpc-port', 8545),
      graphqlPort: port(text(flags, 'graphql-port'), 'graphql-port', 8000),
      kuboPort: port(text(flags, 'store-port'), 'store-port', 5001),
      storagePort: port(text(flags, 'storage-port'), 'storage-port', 5080),
    }
    const unlock = await lock(dir)
    const stack = await startLocalStack({
      ...ports,
      storeDir: join(dir, 'ipfs'),
      // the folder is locked to this process: the deployment file there belongs to this chain only
      deploymentDir: join(dir, 'deployments'),
      webConfigFile: join(dir, 'web-config.json'),
      tls: flag(flags, 'tls'),
      devBalance: text(flags, 'dev-balance') ?? '10000',
      log: ok,
    }).catch(async (error) => {
      await unlock()
      throw error
    })
    const configFile = join(dir, 'config.json')
    const config: ConfigFile = {
      defaultNetwork: 'local',
      networks: { local: { rpcUrl: stack.rpcUrl, deployment: `deployments/${stack.chainId}.json`, indexerUrl: stack.graphqlUrl, storeUrl: stack.storeUrl } },
    }
    await writeConfig(configFile, config)
    let stopping: Promise<void> | undefined
    const shutdown = (signal: string) => {
      stopping ??= (async () => {
        note(`${signal}: stopping…`)
        await stack.stop()
        await unlock()
        note('amm dev stopped')
      })()
      return stopping
    }
    const stopped = new Promise<void>((resolveStopped) => {
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => void shutdown(signal).then(resolveStopped))
    })
    const health = await stack.health()
    const healthy = Object.values(health).every((h) => h.ok)
    const summary = {
      rpcUrl: stack.rpcUrl,
      chainId: stack.chainId,
      graphqlUrl: stack.graphqlUrl,
      storeUrl: stack.storeUrl,
      storageUrl: stack.storageUrl,
      storeDir: stack.storeDir,
      deploymentFile: stack.deploymentFile,
      configFile,
      webConfigFile: stack.webConfigFile,
      health,
      accounts: Object.fromEntries(Object.entries(stack.accounts).map(([role, a]) => [role, { address: a.address, privateKey: a.privateKey }])),
    }
    result(Boolean(global.json), summary, () =>
      [
        table(Object.entries(health).map(([service, h]) => ({ service, status: h.ok ? 'ok' : 'FAILED', detail: h.detail, ms: h.ms }))),
        '',
        `chain RPC   ${stack.rpcUrl} (chain ${stack.chainId})`,
        `GraphQL     ${stack.graphqlUrl}`,
        `store       ${stack.storeUrl} (Kubo RPC over ${stack.storeDir})`,
        `storage     ${stack.storageUrl}`,
        `deployment  ${stack.deploymentFile}`,
        `config      ${configFile}  (AMM_CONFIG for amm)`,
        `web config  ${stack.webConfigFile}  (AMM_WEB_CONFIG for the web app)`,
        '',
        'Funded dev accounts (public keys: never use them on a real network):',
        table(Object.entries(stack.accounts).map(([role, a]) => ({ role, address: a.address, 'private key': a.privateKey }))),
        '',
        `Try: AMM_CONFIG=${configFile} AMM_PRIVATE_KEY=${stack.accounts.carol.privateKey} amm search`,
      ].join('\n'),
    )
    if (!healthy) {
      note(red('a service failed its health check'))
      await shutdown('health check')
      process.exitCode = 1
      return
    }
    note('amm dev ready (Ctrl-C stops everything)')
    await stopped
  },
}
