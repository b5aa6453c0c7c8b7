// One config file for every network amm talks to: RPC, deployment, indexer, store. Default
// $XDG_CONFIG_HOME/amm/config.json (~/.config/amm/config.json); --config or AMM_CONFIG names another.
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { type Deployment, deployments } from '@ai-model-marketplace/sdk'
import { CliError, exitCodes } from './errors.ts'

export type NetworkConfig = {
  /** JSON-RPC endpoint. */
  rpcUrl: string
  /** The deployment: a file (relative to the config file) or the object itself; default: the SDK's known deployment of the chain. */
  deployment?: string | Deployment
  /** The subgraph's GraphQL endpoint (graph-node, The Graph or devnode). */
  indexerUrl?: string
  /** A Kubo RPC API (`/api/v0`) to add and read files. */
  storeUrl?: string
  /** An embedded store folder instead of `storeUrl` (relative to the config file). */
  storeDir?: string
  /** A trustless gateway for reading only (buyers without a store of their own). */
  gatewayUrl?: string
}

export type ConfigFile = {
  /** The network used without --network / AMM_NETWORK. */
  defaultNetwork?: string
  networks: Record<string, NetworkConfig>
  /** The encrypted key file (Web3 Secret Storage), relative to the config file. */
  keystore?: string
}

export function defaultConfigPath() {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config')
  return join(base, 'amm', 'config.json')
}

export function configPath(flag: string | undefined) {
  // an empty variable counts as unset, as shells and service managers often leave one
  return resolve(flag ?? (process.env.AMM_CONFIG || defaultConfigPath()))
}

export function readConfig(path: string): ConfigFile {
  if (!existsSync(path)) return { networks: {} }
  let parsed: ConfigFile
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (cause) {
    throw new CliError('CONFIG', `${path} is not valid JSON: ${(cause as Error).message}`, { hint: 'fix or delete the file', exitCode: exitCodes.SETUP })
  }
  if (typeof parsed !== 'object' || parsed === null || typeof parsed.networks !== 'object')
    throw new CliError('CONFIG', `${path} has no "networks" object`, { hint: 'see `amm config --help` for the format', exitCode: exitCodes.SETUP })
  return parsed
}

export async function writeConfig(path: string, config: ConfigFile) {
  await mkdir(dirname(path), { recursive: true })
  const temp = `${path}.${process.pid}.tmp`
  await writeFile(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 })
  await rename(temp, path)
}

/** A path written in the config file, resolved against the file's folder. */
export const fromConfig = (path: string, file: string) => (isAbsolute(path) ? path : resolve(dirname(file), path))

/** The network to use: --network, AMM_NETWORK, the file's default, or its only network. */
export function selectNetwork(config: ConfigFile, file: string, flag: string | undefined): { name: string; network: NetworkConfig } {
  const names = Object.keys(config.networks)
  const name = flag ?? (process.env.AMM_NETWORK || undefined) ?? config.defaultNetwork ?? (names.length === 1 ? names[0] : undefined)
  if (name === undefined) {
    throw new CliError('NO_NETWORK', names.length === 0 ? `no network configured in ${file}` : `several networks in ${file} (${names.join(', ')}) and none chosen`, {
      hint: names.length === 0 ? 'start a local one with `amm dev` (then AMM_CONFIG=<its dir>/config.json), or add one with `amm config set <name> --rpc-url …`' : 'pass --network <name> or set "defaultNetwork"',
      exitCode: exitCodes.SETUP,
    })
  }
  const network = config.networks[name]
  if (!network) throw new CliError('NO_NETWORK', `no network "${name}" in ${file}`, { hint: names.length ? `one of ${names.join(', ')}` : 'add it with `amm config set`', exitCode: exitCodes.SETUP })
  if (typeof network.rpcUrl !== 'string') throw new CliError('CONFIG', `network "${name}" in ${file} has no rpcUrl`, { exitCode: exitCodes.SETUP })
  return { name, network }
}

/** The deployment of `network` on `chainId`: from the config, else the SDK's list. */
export function resolveDeployment(network: NetworkConfig, file: string, chainId: number): Deployment {
  let deployment: Deployment | undefined
  let source: string
  if (typeof network.deployment === 'string') {
    source = fromConfig(network.deployment, file)
    if (!existsSync(source)) throw new CliError('NO_DEPLOYMENT', `the deployment file ${source} does not exist`, { hint: `fix "deployment" in ${file}`, exitCode: exitCodes.SETUP })
    deployment = JSON.parse(readFileSync(source, 'utf8')) as Deployment
  } else if (network.deployment) {
    source = file
    deployment = network.deployment
  } else {
    source = 'the SDK'
    deployment = deployments[chainId]
    if (!deployment) throw new CliError('NO_DEPLOYMENT', `no deployment known for chain ${chainId}`, { hint: `set "deployment" for this network in ${file}`, exitCode: exitCodes.SETUP })
  }
  if (deployment.chainId !== chainId)
    throw new CliError('CHAIN_MISMATCH', `the deployment from ${source} is for chain ${deployment.chainId}, but the RPC is chain ${chainId}`, { hint: 'point rpcUrl and deployment at the same chain', exitCode: exitCodes.SETUP })
  return deployment
}
