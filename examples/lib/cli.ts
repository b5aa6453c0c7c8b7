// What every example script shares: flags and environment for the network, the wallet, the store
// and the indexer (defaults: `npm run dev`), `--help`, and one way of reporting failures.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type ParseArgsConfig, parseArgs } from 'node:util'
import { type Account, createPublicClient, defineChain, type Hex, http, parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { type DevRole, devAccounts, devRoles } from './accounts.ts'
import { clientFor, type Market } from './client.ts'
import { type ContentStore, type Deployment, embeddedStore, kuboStore } from './sdk.ts'
import { subgraphName } from './subgraph.ts'
import { red } from './ui.ts'

const repo = join(import.meta.dirname, '..', '..')

/** A failure the script explains itself (exit code 1, no stack trace). */
export class ScriptError extends Error {
  readonly hint: string | undefined
  constructor(message: string, hint?: string) {
    super(message)
    this.name = 'ScriptError'
    this.hint = hint
  }
}

const common = {
  'rpc-url': { type: 'string' },
  'graphql-url': { type: 'string' },
  'store-url': { type: 'string' },
  'store-dir': { type: 'string' },
  deployment: { type: 'string' },
  as: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options']

const commonHelp = `Network (defaults: the \`npm run dev\` stack):
  --rpc-url <url>       JSON-RPC endpoint (env RPC_URL; default http://127.0.0.1:8545)
  --graphql-url <url>   subgraph GraphQL endpoint (env GRAPHQL_URL; default http://127.0.0.1:8000/subgraphs/name/${subgraphName})
  --store-url <url>     Kubo RPC API of an IPFS node or of the dev stack (env STORE_URL; default http://127.0.0.1:5001)
  --store-dir <dir>     an embedded store folder instead of --store-url (env STORE_DIR)
  --deployment <file>   contract addresses (env DEPLOYMENT; default contracts/deployments/<chainId>.json)
Wallet:
  --as <role>           a dev account on chain 31337: ${Object.keys(devRoles).join(', ')}
                        (otherwise env PRIVATE_KEY)
  -h, --help`

type Options = NonNullable<ParseArgsConfig['options']>
type Flags<O extends Options> = ReturnType<typeof parseArgs<{ options: O & typeof common }>>['values']

type ScriptContext = Awaited<ReturnType<typeof connect>>

async function connect(flags: Flags<Options>, wallet: DevRole | undefined) {
  const rpcUrl = (flags['rpc-url'] as string | undefined) ?? process.env.RPC_URL ?? 'http://127.0.0.1:8545'
  const transport = http(rpcUrl, { retryCount: 1 })
  const chainId = await createPublicClient({ transport })
    .getChainId()
    .catch(() => {
      throw new ScriptError(`no chain answers at ${rpcUrl}`, 'start the local stack with `npm run dev`, or set RPC_URL')
    })
  const chain = defineChain({ id: chainId, name: `chain ${chainId}`, nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } })
  const publicClient = createPublicClient({ chain, transport, cacheTime: 0 })

  const deploymentFile = (flags.deployment as string | undefined) ?? process.env.DEPLOYMENT ?? join(repo, 'contracts', 'deployments', `${chainId}.json`)
  if (!existsSync(deploymentFile)) throw new ScriptError(`no deployment file ${deploymentFile} for chain ${chainId}`, 'deploy with `npm run deploy`, or pass --deployment / DEPLOYMENT')
  const deployment = JSON.parse(readFileSync(deploymentFile, 'utf8')) as Deployment
  if (deployment.chainId !== chainId) throw new ScriptError(`${deploymentFile} is for chain ${deployment.chainId}, but ${rpcUrl} is chain ${chainId}`)
  if (!(await publicClient.getCode({ address: deployment.contracts.Marketplace.address })))
    throw new ScriptError(`the protocol of ${deploymentFile} is not deployed on ${rpcUrl}`, 'restart `npm run dev` (it deploys afresh), or pass the right --deployment')

  const storeDir = (flags['store-dir'] as string | undefined) ?? process.env.STORE_DIR
  const store: ContentStore = storeDir ? embeddedStore({ dir: storeDir }) : kuboStore({ url: (flags['store-url'] as string | undefined) ?? process.env.STORE_URL ?? 'http://127.0.0.1:5001' })
  const graphqlUrl = (flags['graphql-url'] as string | undefined) ?? process.env.GRAPHQL_URL ?? `http://127.0.0.1:8000/subgraphs/name/${subgraphName}`
  const market: Market = { chain, rpcUrl, publicClient: publicClient as never, deployment, store, graphqlUrl }

  let account: (Account & { name: string }) | undefined
  const role = flags.as as string | undefined
  if (role !== undefined) {
    if (!(role in devRoles)) throw new ScriptError(`unknown role ${role}`, `one of ${Object.keys(devRoles).join(', ')}`)
    if (chainId !== 31337) throw new ScriptError('--as uses the public dev accounts, only on chain 31337', 'set PRIVATE_KEY')
    account = { ...devAccounts()[role as DevRole], name: role }
  } else if (process.env.PRIVATE_KEY) {
    const key = process.env.PRIVATE_KEY as Hex
    if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new ScriptError('PRIVATE_KEY is not a 32-byte hex key (0x…)')
    const fromKey = privateKeyToAccount(key)
    account = { ...fromKey, name: fromKey.address }
  } else if (wallet) {
    if (chainId !== 31337) throw new ScriptError('this script needs a wallet', 'set PRIVATE_KEY (or --as <role> on a local chain)')
    account = { ...devAccounts()[wallet], name: wallet }
  }
  const client = clientFor(market, account)
  /** The wallet's account, for scripts that sign. */
  const signer = () => {
    if (!account) throw new ScriptError('this script needs a wallet', 'set PRIVATE_KEY (or --as <role> on a local chain)')
    return account
  }
  return { market, client, signer, graphqlUrl, deploymentFile, close: async () => (store as { close?: () => Promise<void> }).close?.() }
}

/**
 * Runs an example: parses its flags (plus the common ones), connects, runs, and turns any failure
 * into one clear message and exit code 1 (2 for bad usage).
 */
export async function runScript<O extends Options>(spec: {
  usage: string
  options: O
  /** The dev account used without --as or PRIVATE_KEY; none for read-only scripts. */
  wallet?: DevRole
  run(flags: Flags<O>, context: ScriptContext): Promise<void>
}) {
  let flags: Flags<O>
  try {
    flags = parseArgs({ options: { ...spec.options, ...common }, allowPositionals: false }).values as Flags<O>
  } catch (error) {
    console.error(`${red('error')}: ${(error as Error).message}\n\n${spec.usage}\n\n${commonHelp}`)
    process.exit(2)
  }
  if ((flags as { help?: boolean }).help) {
    console.log(`${spec.usage}\n\n${commonHelp}`)
    process.exit(0)
  }
  let context: ScriptContext | undefined
  try {
    context = await connect(flags as Flags<Options>, spec.wallet)
    await spec.run(flags, context)
    await context.close()
    process.exit(0)
  } catch (error) {
    const e = error as Error & { shortMessage?: string; hint?: string }
    console.error(`${red('error')}: ${e.shortMessage ?? e.message}`)
    if (e.hint) console.error(`hint: ${e.hint}`)
    if (!(e instanceof ScriptError) && !e.shortMessage) console.error(e.stack)
    await context?.close().catch(() => {})
    process.exit(1)
  }
}

/**
 * The registry's "no such model" reverts, decoded by the SDK's typed ContractRevertedError wherever in the
 * error's causes it is (`RegistryUnknownModel`, or `RegistryUnknownVersion` for version 0, the latest of a
 * model that has none: it does not exist), as the script's own message with a hint; other errors unchanged.
 */
export function unknownModel(modelId: bigint) {
  return (error: unknown): never => {
    for (let e = error as { errorName?: string; args?: readonly unknown[]; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
      const version = e.errorName === 'RegistryUnknownVersion' ? BigInt(e.args?.[1] as bigint) : undefined
      if (e.errorName === 'RegistryUnknownModel' || version === 0n) throw new ScriptError(`there is no model #${modelId}`, 'find one with node examples/search.ts')
      if (version !== undefined) throw new ScriptError(`model #${modelId} has no version ${version}`, 'leave out --version for the latest')
    }
    throw error
  }
}

/** A required flag, or a usage error naming it. */
export function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined || value === '') throw new ScriptError(`--${flag} is required`, 'see --help')
  return value
}

/** `--model 3` → 3n. */
export function id(value: string | undefined, flag: string): bigint {
  const text = required(value, flag)
  if (!/^\d+$/.test(text)) throw new ScriptError(`--${flag} must be a whole number, got ${text}`)
  return BigInt(text)
}

/** `--price 2.5` → 2.5 AIMT in wei. */
export function amount(value: string | undefined, flag: string): bigint {
  const text = required(value, flag)
  if (!/^\d+(\.\d{1,18})?$/.test(text)) throw new ScriptError(`--${flag} must be an amount of AIMT such as 10 or 2.5, got ${text}`)
  return parseEther(text)
}
