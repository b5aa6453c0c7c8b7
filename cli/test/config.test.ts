// The config file without a stack: networks written and read back, and the errors of a network that
// is missing or does not answer.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { run } from './run.ts'

let work: string
let env: Record<string, string>

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'amm-config-'))
  env = { HOME: work, XDG_CONFIG_HOME: join(work, 'xdg'), NO_COLOR: '1', AMM_CONFIG: '', AMM_PRIVATE_KEY: '' }
})
afterAll(() => rm(work, { recursive: true, force: true }))

it('writes networks into ~/.config/amm/config.json and shows them', async () => {
  // port 9 (discard): nothing answers JSON-RPC there
  const set = await run(['config', 'set', 'testnet', '--rpc-url', 'http://127.0.0.1:9', '--indexer-url', 'http://127.0.0.1:9/subgraphs/name/x', '--gateway-url', 'http://127.0.0.1:9', '--default'], env)
  expect(set.code, set.stderr).toBe(0)
  const file = join(work, 'xdg', 'amm', 'config.json')
  expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
    networks: { testnet: { rpcUrl: 'http://127.0.0.1:9', indexerUrl: 'http://127.0.0.1:9/subgraphs/name/x', gatewayUrl: 'http://127.0.0.1:9' } },
    defaultNetwork: 'testnet',
  })
  const shown = JSON.parse((await run(['config', 'show', '--json'], env)).stdout)
  expect(shown).toMatchObject({ file, keystore: join(work, 'xdg', 'amm', 'keystore.json'), defaultNetwork: 'testnet' })
  const incomplete = await run(['config', 'set', 'other', '--indexer-url', 'http://127.0.0.1:9'], env)
  expect(incomplete.code).toBe(2)
  expect(incomplete.stderr).toContain('needs --rpc-url')
})

it('a chain that does not answer is exit 6; an unknown network is exit 3, each with a hint', async () => {
  const down = await run(['search', '--json'], env)
  expect(down.code).toBe(6)
  expect(JSON.parse(down.stdout).error).toMatchObject({ code: 'CHAIN_UNAVAILABLE', hint: expect.stringContaining('check rpcUrl of "testnet"') })
  const unknown = await run(['search', '--network', 'mainnet'], env)
  expect(unknown.code).toBe(3)
  expect(unknown.stderr).toContain('no network "mainnet"')
  expect(unknown.stderr).toContain('hint: one of testnet')
})
