// `amm key new|import|address` and `amm config show|set`.
import { type Command, positional, text } from '../command.ts'
import type { NetworkConfig } from '../config.ts'
import { writeConfig } from '../config.ts'
import { settings } from '../context.ts'
import { usageError } from '../errors.ts'
import { importKey, keystoreAddress, newKey } from '../keys.ts'
import { privateKeyToAccount } from 'viem/accounts'
import { result } from '../ui.ts'

export const key: Command = {
  name: 'key',
  summary: 'create, import or show your key (encrypted keystore)',
  usage: 'amm key new | amm key import | amm key address',
  description: [
    'new      creates a random key and writes it encrypted (Web3 Secret Storage: scrypt, AES-128-CTR) to the keystore',
    'import   reads a private key from stdin (hidden when typed) and writes it encrypted; never pass a key as a flag',
    'address  prints the address (no password needed; AMM_PRIVATE_KEY wins when set)',
    'The password is asked on the terminal, or read from AMM_PASSWORD_FILE / AMM_PASSWORD.',
  ].join('\n'),
  options: {},
  optionHelp: [],
  examples: ['amm key new', 'amm key import < ./key.txt', 'amm key address --json', 'amm key new --keystore ./seller.json'],
  async run(_flags, positionals, global) {
    const sub = positional(positionals, 0, 'new|import|address')
    const { keystore } = settings(global)
    if (sub === 'address') {
      const address = process.env.AMM_PRIVATE_KEY ? privateKeyToAccount(process.env.AMM_PRIVATE_KEY.replace(/^(0x)?/, '0x') as `0x${string}`).address : keystoreAddress(keystore)
      result(Boolean(global.json), { address, keystore: process.env.AMM_PRIVATE_KEY ? null : keystore }, () => address)
      return
    }
    if (sub !== 'new' && sub !== 'import') throw usageError(`unknown key command ${sub}`, 'amm key new | import | address')
    const address = sub === 'new' ? await newKey(keystore) : await importKey(keystore)
    result(Boolean(global.json), { address, keystore }, () => `${address} (encrypted in ${keystore})`)
  },
}

const networkFields = { 'rpc-url': 'rpcUrl', deployment: 'deployment', 'indexer-url': 'indexerUrl', 'store-url': 'storeUrl', 'store-dir': 'storeDir', 'gateway-url': 'gatewayUrl' } as const

export const config: Command = {
  name: 'config',
  summary: 'show the config file, or set a network in it',
  usage: 'amm config show | amm config set <network> [--rpc-url <url>] [--deployment <file>] [--indexer-url <url>] [--store-url <url>] [--default]',
  description: [
    'One JSON file holds every network: { "defaultNetwork": "…", "networks": { "<name>": { rpcUrl, deployment,',
    'indexerUrl, storeUrl | storeDir | gatewayUrl } }, "keystore": "…" }. Relative paths are read from the file\'s',
    'folder; without "deployment" the SDK\'s known deployment of the chain is used. `amm dev` writes one for its stack.',
  ].join('\n'),
  options: {
    'rpc-url': { type: 'string' },
    deployment: { type: 'string' },
    'indexer-url': { type: 'string' },
    'store-url': { type: 'string' },
    'store-dir': { type: 'string' },
    'gateway-url': { type: 'string' },
    default: { type: 'boolean' },
  },
  optionHelp: [
    '--rpc-url <url>       JSON-RPC endpoint',
    '--deployment <file>   the deployment JSON (addresses and blocks)',
    '--indexer-url <url>   the subgraph GraphQL endpoint',
    '--store-url <url>     a Kubo RPC API; or --store-dir <dir> (embedded store) or --gateway-url <url> (read-only)',
    '--default             make it the default network',
  ],
  examples: ['amm config show --json', 'amm config set sepolia --rpc-url https://rpc.example --indexer-url https://graph.example/subgraphs/name/ai-model-marketplace --store-url http://127.0.0.1:5001 --default'],
  async run(flags, positionals, global) {
    const sub = positional(positionals, 0, 'show|set')
    const { file, config: current, keystore } = settings(global)
    if (sub === 'show') {
      result(Boolean(global.json), { file, keystore, ...current }, () => `${file}\n${JSON.stringify(current, null, 2)}\nkeystore ${keystore}`)
      return
    }
    if (sub !== 'set') throw usageError(`unknown config command ${sub}`, 'amm config show | set <network>')
    const name = positional(positionals, 1, 'network')
    const network: Partial<NetworkConfig> = { ...current.networks[name] }
    for (const [option, field] of Object.entries(networkFields)) {
      const value = text(flags, option)
      if (value !== undefined) (network as Record<string, string>)[field] = value
    }
    if (!network.rpcUrl) throw usageError(`network "${name}" needs --rpc-url`)
    const next = { ...current, networks: { ...current.networks, [name]: network as NetworkConfig }, ...(flags.default ? { defaultNetwork: name } : {}) }
    await writeConfig(file, next)
    result(Boolean(global.json), { file, network: name, ...network }, () => `network "${name}" saved in ${file}`)
  },
}
