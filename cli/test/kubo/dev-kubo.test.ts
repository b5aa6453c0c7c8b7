// `amm dev --kubo`: the local stack storing in a real Kubo daemon (the user's node), the storage
// service in front of it; a model listed, bought, delivered and downloaded with amm. Part of
// `npm run test:kubo -w cli` (KUBO_BIN names an ipfs binary; scripts/install-kubo.sh builds one).
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type KuboDaemon, kuboBin, startKubo } from '../../../sdk/test/kubo/daemon.ts'
import { run, start } from '../run.ts'

if (!kuboBin) throw new Error('Set KUBO_BIN to an ipfs binary (scripts/install-kubo.sh builds one).')

// Hardhat's development accounts 1 (seller) and 3 (buyer): public keys, funded by amm dev
const seller = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'
const buyer = '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6'

let work: string
let kubo: KuboDaemon
let dev: ReturnType<typeof start>
let base: Record<string, string>

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'amm-cli-kubo-'))
  kubo = await startKubo()
  base = { HOME: work, XDG_CONFIG_HOME: join(work, 'xdg'), AMM_CONFIG: join(work, 'stack', 'config.json'), NO_COLOR: '1', AMM_PASSWORD: '' }
  const ports = ['--rpc-port', '0', '--graphql-port', '0', '--store-port', '0', '--storage-port', '0']
  dev = start(['dev', '--dir', 'stack', '--kubo', kubo.apiUrl, ...ports], base, work)
  await dev.waitFor('amm dev ready')
  await mkdir(join(work, 'model'))
  await writeFile(join(work, 'model', 'README.md'), '---\nname: Kubo-stored model\npipeline_tag: text-classification\nlicense: mit\nprice: 2\n---\n')
  await writeFile(join(work, 'model', 'model.bin'), randomBytes(500_000))
})

afterAll(async () => {
  if (dev && dev.child.exitCode === null) {
    dev.child.kill('SIGTERM')
    expect(await dev.exited).toBe(0)
  }
  await kubo?.stop()
  if (work) await rm(work, { recursive: true, force: true })
})

it('stores in the given Kubo: list, buy, agent, download, with the archive pinned in Kubo', async () => {
  expect(dev.stdout + dev.stderr).toContain(`${kubo.apiUrl} (your Kubo)`)
  const listed = await run(['list', join(work, 'model'), '--json'], { ...base, AMM_PRIVATE_KEY: seller })
  expect(listed.code, listed.stderr).toBe(0)
  const { modelId, contentCID } = JSON.parse(listed.stdout)
  // the encrypted archive is pinned in the user's node, under the CID the registry records
  const pins = await promisify(execFile)(kuboBin as string, ['pin', 'ls', '--type=recursive', '--quiet'], { env: { ...process.env, IPFS_PATH: kubo.repo } })
  expect(pins.stdout.split('\n')).toContain(contentCID)

  expect((await run(['buy', modelId, '--yes'], { ...base, AMM_PRIVATE_KEY: buyer })).code).toBe(0)
  const agent = await run(['agent', '--once'], { ...base, AMM_PRIVATE_KEY: seller })
  expect(agent.code, agent.stderr).toBe(0)
  const downloaded = await run(['download', modelId, '--to', join(work, 'bought')], { ...base, AMM_PRIVATE_KEY: buyer })
  expect(downloaded.code, downloaded.stderr).toBe(0)
  expect(await readFile(join(work, 'bought', 'model.bin'))).toEqual(await readFile(join(work, 'model', 'model.bin')))
})

it('refuses a --kubo address where no Kubo answers, with a hint, before anything listens', async () => {
  const refused = await run(['dev', '--dir', join(work, 'other'), '--kubo', 'http://127.0.0.1:9', '--rpc-port', '0', '--graphql-port', '0', '--storage-port', '0'], base)
  expect(refused.code).toBe(6)
  expect(refused.stderr).toContain('no Kubo RPC API answers at http://127.0.0.1:9')
  expect(refused.stderr).toContain('hint: start your node')
})
