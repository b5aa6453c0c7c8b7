// The built `amm` against a real stack it starts itself (`amm dev`: Hardhat's EVM, the protocol,
// devnode, the embedded store): keys, the whole sale, --json, and the errors users meet.
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run, start } from './run.ts'

// this package's band of ports (46500-46599)
const ports = { rpc: 46510, graphql: 46511, store: 46512, storage: 46513 }
const alice = { address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', key: '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' }
const carol = { address: '0x90F79bf6EB2c4f870365E785982E1f101E93b906', key: '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6' }
const dave = { key: '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a' }
const password = 'correct horse battery'

let work: string
let dev: ReturnType<typeof start>
/** No user config, no user key: only what each test gives. */
let base: Record<string, string>
let sellerKeystore: string

const json = (text: string) => JSON.parse(text)

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'amm-cli-'))
  base = { HOME: work, XDG_CONFIG_HOME: join(work, 'xdg'), AMM_CONFIG: join(work, 'stack', 'config.json'), NO_COLOR: '1', AMM_PRIVATE_KEY: '', AMM_PASSWORD: '' }
  dev = start(['dev', '--dir', join(work, 'stack'), '--rpc-port', `${ports.rpc}`, '--graphql-port', `${ports.graphql}`, '--store-port', `${ports.store}`, '--storage-port', `${ports.storage}`], base)
  await dev.waitFor('amm dev ready')
  await mkdir(join(work, 'model'))
  await writeFile(
    join(work, 'model', 'README.md'),
    '---\nname: Sentiment analyzer\npipeline_tag: text-classification\nlicense: mit\ntags: [nlp, sentiment]\nprice: 10\nsummary: Positive or negative.\n---\n# Sentiment analyzer\n',
  )
  await writeFile(join(work, 'model', 'model.bin'), crypto.getRandomValues(new Uint8Array(60_000)))
  sellerKeystore = join(work, 'seller.json')
})

afterAll(async () => {
  if (dev && dev.child.exitCode === null) {
    dev.child.kill('SIGTERM')
    expect(await dev.exited).toBe(0)
    expect(dev.stderr).toContain('amm dev stopped')
  }
  if (work) await rm(work, { recursive: true, force: true })
})

describe('amm dev', () => {
  it('reports every service healthy and writes a config file for the stack', async () => {
    expect(dev.stdout).toMatch(/chain\s+ok\s+chain 31337/)
    expect(dev.stdout).toMatch(/indexer\s+ok/)
    expect(dev.stdout).toMatch(/store\s+ok/)
    expect(dev.stdout).toMatch(/storage\s+ok/)
    const config = json(await readFile(join(work, 'stack', 'config.json'), 'utf8'))
    expect(config).toMatchObject({ defaultNetwork: 'local', networks: { local: { rpcUrl: `http://127.0.0.1:${ports.rpc}`, deployment: 'deployments/31337.json', storeUrl: `http://127.0.0.1:${ports.store}` } } })
  })

  it('refuses a port in use with the real error, before deploying anything', async () => {
    const other = join(work, 'other-stack')
    const taken = await run(['dev', '--dir', other, '--rpc-port', `${ports.rpc}`, '--graphql-port', '46520', '--store-port', '46521', '--storage-port', '46522'], base)
    expect(taken.code).toBe(6)
    expect(taken.stderr).toContain(`rpc port ${ports.rpc}: listen EADDRINUSE`)
    expect(taken.stderr).toContain('hint: something already listens there')
    expect(existsSync(join(other, 'deployments'))).toBe(false)
  })

  it("never overwrites the deployment of another running stack's folder", async () => {
    const deployment = join(work, 'stack', 'deployments', '31337.json')
    const before = await stat(deployment)
    const busy = await run(['dev', '--dir', join(work, 'stack'), '--rpc-port', '46520', '--graphql-port', '46521', '--store-port', '46522', '--storage-port', '46523'], base)
    expect(busy.code).toBe(6)
    expect(busy.stderr).toMatch(/another amm dev \(pid \d+\) uses/)
    expect((await stat(deployment)).mtimeMs).toBe(before.mtimeMs)
  })
})

describe('amm key', () => {
  it('creates an encrypted keystore (Web3 Secret Storage) and shows its address without the password', async () => {
    const keystore = join(work, 'new.json')
    const created = await run(['key', 'new', '--keystore', keystore, '--json'], { ...base, AMM_PASSWORD: password })
    expect(created.code, created.stderr).toBe(0)
    const { address } = json(created.stdout)
    const file = json(await readFile(keystore, 'utf8'))
    expect(file.version).toBe(3)
    // ethers writes the section as `Crypto`, as geth does; the specification reads either
    const section = file.crypto ?? file.Crypto
    expect(section.kdf).toBe('scrypt')
    expect(section.cipher).toBe('aes-128-ctr')
    expect(((await stat(keystore)).mode & 0o777).toString(8)).toBe('600')
    const shown = await run(['key', 'address', '--keystore', keystore], base)
    expect(shown.stdout.trim()).toBe(address)
    const again = await run(['key', 'new', '--keystore', keystore], { ...base, AMM_PASSWORD: password })
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('already holds a key')
  })

  it('imports a key from stdin (never a flag), and a wrong password is a setup error with a hint', async () => {
    const imported = await run(['key', 'import', '--keystore', sellerKeystore], { ...base, AMM_PASSWORD: password }, `${alice.key}\n`)
    expect(imported.code, imported.stderr).toBe(0)
    expect(imported.stdout).toContain(alice.address)
    const bad = await run(['key', 'import', '--keystore', join(work, 'bad.json')], { ...base, AMM_PASSWORD: password }, 'not a key\n')
    expect(bad.code).toBe(3)
    expect(bad.stderr).toContain('is not a 32-byte hex private key')
    const wrong = await run(['withdraw', '--keystore', sellerKeystore], { ...base, AMM_PASSWORD: 'wrong password' })
    expect(wrong.code).toBe(3)
    expect(wrong.stderr).toContain('cannot decrypt')
    expect(wrong.stderr).toContain('hint: check the password')
  })
})

describe('a sale, end to end', () => {
  let modelId: string
  let orderId: string
  let daveOrder: string
  const seller = () => ({ ...base, AMM_KEYSTORE: sellerKeystore, AMM_PASSWORD: password })
  const buyer = () => ({ ...base, AMM_PRIVATE_KEY: carol.key })

  it('lists a folder with its card from README.md front matter', async () => {
    const listed = await run(['list', join(work, 'model'), '--json'], seller())
    expect(listed.code, listed.stderr).toBe(0)
    const result = json(listed.stdout)
    expect(result).toMatchObject({ modelId: '1', version: 1 })
    expect(result.files.map((f: { path: string }) => f.path)).toEqual(['README.md', 'model.bin'])
    expect(listed.stderr).toContain('registering on-chain')
    expect(listed.stderr).toMatch(/upload .*100%/)
    modelId = result.modelId
  })

  it('finds it with search and show (--json)', async () => {
    const found = json((await run(['search', 'senti', '--json'], base)).stdout)
    expect(found.models.map((m: { modelId: string }) => m.modelId)).toContain(modelId)
    const shown = await run(['show', modelId, '--json'], base)
    expect(json(shown.stdout)).toMatchObject({ name: 'Sentiment analyzer', task: 'text-classification', license: 'mit', tags: ['nlp', 'sentiment'], price: '10000000000000000000' })
    expect((await run(['show', modelId], base)).stdout).toContain('price 10 AIMT')
  })

  it('buys after showing the quote; without --yes and without a terminal it asks for --yes', async () => {
    const unconfirmed = await run(['buy', modelId], buyer())
    expect(unconfirmed.code).toBe(2)
    expect(unconfirmed.stderr).toContain('price 10 AIMT')
    expect(unconfirmed.stderr).toContain('hint: pass --yes')
    const bought = await run(['buy', modelId, '--yes', '--json'], buyer())
    expect(bought.code, bought.stderr).toBe(0)
    expect(bought.stderr).toContain('platform fee')
    const result = json(bought.stdout)
    expect(result).toMatchObject({ modelId, price: '10000000000000000000', payment: 'permit' })
    orderId = result.orderId
  })

  it('the agent delivers (JSON log lines), the buyer downloads, verified, and confirms', async () => {
    const agent = await run(['agent', '--once'], seller())
    expect(agent.code, agent.stderr).toBe(0)
    const events = agent.stdout.trim().split('\n').map(json)
    expect(events.find((e) => e.event === 'delivered')).toMatchObject({ level: 'info', orderId, modelId })
    expect(events.at(-1)).toMatchObject({ event: 'stopped', delivered: 1, failed: 0 })
    const downloaded = await run(['download', modelId, '--to', join(work, 'bought'), '--json'], buyer())
    expect(downloaded.code, downloaded.stderr).toBe(0)
    expect(downloaded.stderr).toMatch(/download .*100%/)
    expect(json(downloaded.stdout)).toMatchObject({ version: 1, orderId })
    expect(await readFile(join(work, 'bought', 'model.bin'))).toEqual(await readFile(join(work, 'model', 'model.bin')))
    const confirmed = await run(['confirm', orderId, '--json'], buyer())
    expect(confirmed.code, confirmed.stderr).toBe(0)
    const orders = json((await run(['orders', '--json'], buyer())).stdout)
    expect(orders.orders[0]).toMatchObject({ orderId, status: 'Completed' })
    const reviewed = await run(['review', orderId, '--rating', '5', '--comment', 'Works.'], buyer())
    expect(reviewed.code, reviewed.stderr).toBe(0)
    const withdrawn = await run(['withdraw', '--json'], seller())
    expect(json(withdrawn.stdout).amount).toBe('9750000000000000000')
  })

  it('runs the agent as a long-running process and stops it cleanly on SIGTERM', async () => {
    const agent = start(['agent', '--interval', '200'], seller())
    await agent.waitFor('"event":"started"')
    const bought = await run(['buy', modelId, '--yes', '--json'], { ...base, AMM_PRIVATE_KEY: dave.key })
    expect(bought.code, bought.stderr).toBe(0)
    daveOrder = json(bought.stdout).orderId
    await agent.waitFor(`"event":"delivered","orderId":"${daveOrder}"`, 60_000)
    agent.child.kill('SIGTERM')
    expect(await agent.exited).toBe(0)
    expect(agent.stdout).toContain('"event":"stopping","signal":"SIGTERM"')
    expect(agent.stdout).toContain('"event":"stopped"')
  })

  it('the buyer disputes a delivered order with evidence and the seller answers', async () => {
    const opened = await run(['dispute', daveOrder, '--reason', 'Wrong architecture', '--description', 'Not the listed model.', '--json'], { ...base, AMM_PRIVATE_KEY: dave.key })
    expect(opened.code, opened.stderr).toBe(0)
    expect(json(opened.stdout)).toMatchObject({ orderId: daveOrder, disputeId: expect.any(String), evidenceURI: expect.stringMatching(/^ipfs:\/\//) })
    const answered = await run(['dispute', daveOrder, '--reason', 'The hashes match the listing', '--evidence-only'], seller())
    expect(answered.code, answered.stderr).toBe(0)
    expect(answered.stdout).toContain(`evidence added to the dispute over order #${daveOrder}`)
    const twice = await run(['dispute', daveOrder, '--reason', 'again'], { ...base, AMM_PRIVATE_KEY: dave.key })
    expect(twice.code).toBe(5)
    expect(twice.stderr).toContain('MarketplaceWrongStatus')
  })

  it('changes the price and publishes version 2, which the buyer opens with the same license', async () => {
    expect((await run(['price', modelId, '12.5'], seller())).code).toBe(0)
    await mkdir(join(work, 'model-v2'))
    await writeFile(join(work, 'model-v2', 'model.bin'), 'v2 weights')
    const published = await run(['publish', modelId, join(work, 'model-v2'), '--semver', '1.1.0', '--json'], seller())
    expect(published.code, published.stderr).toBe(0)
    expect(json(published.stdout).version).toBe(2)
    const downloaded = await run(['download', modelId, '--to', join(work, 'bought-v2')], buyer())
    expect(downloaded.code, downloaded.stderr).toBe(0)
    expect(await readFile(join(work, 'bought-v2', 'model.bin'), 'utf8')).toBe('v2 weights')
    expect(json((await run(['show', modelId, '--json'], base)).stdout).price).toBe('12500000000000000000')
  })
})

describe('errors: exit code, message and hint', () => {
  it('an unknown model is exit 4 for show, buy and download', async () => {
    for (const args of [['show', '999'], ['buy', '999', '--yes'], ['download', '999', '--to', join(work, 'none')]]) {
      const failed = await run(args, { ...base, AMM_PRIVATE_KEY: carol.key })
      expect(failed.code, args.join(' ')).toBe(4)
      expect(failed.stderr).toContain('there is no model #999')
      expect(failed.stderr).toContain('hint: find one with `amm search`')
    }
    expect(existsSync(join(work, 'none'))).toBe(false)
  })

  it('no key is exit 3 with how to make one; --json prints the error as JSON', async () => {
    const failed = await run(['buy', '1', '--yes', '--json'], base)
    expect(failed.code).toBe(3)
    expect(failed.stderr).toContain('hint: create one with `amm key new`')
    expect(json(failed.stdout).error).toMatchObject({ code: 'NO_KEY', message: 'no key to sign with' })
  })

  it('not enough funds is exit 5, refused before anything is signed', async () => {
    const pauper = `0x${'11'.repeat(32)}`
    const failed = await run(['buy', '1', '--yes', '--json'], { ...base, AMM_PRIVATE_KEY: pauper })
    expect(failed.code).toBe(5)
    expect(json(failed.stdout).error).toMatchObject({ code: 'INSUFFICIENT_FUNDS' })
    expect(failed.stderr).toContain('hint: fund the account with AIMT first')
  })

  it('a download without a license is exit 5 (NOT_LICENSED, the SDK hint) and leaves no folder behind', async () => {
    const failed = await run(['download', '1', '--to', join(work, 'unlicensed')], { ...base, AMM_PRIVATE_KEY: `0x${'22'.repeat(32)}` })
    expect(failed.code).toBe(5)
    expect(failed.stderr).toContain('hint: Buy the model first')
    expect(existsSync(join(work, 'unlicensed'))).toBe(false)
  })

  it('data damaged in the store is exit 7 (INTEGRITY, the SDK hint) and nothing is kept', async () => {
    const name = `damaged-${Date.now()}.bin`
    await mkdir(join(work, 'free'))
    await writeFile(join(work, 'free', name), crypto.getRandomValues(new Uint8Array(10_000)))
    const listed = await run(['list', join(work, 'free'), '--name', 'Free model', '--task', 'text-generation', '--license', 'MIT', '--price', '0', '--json'], { ...base, AMM_PRIVATE_KEY: alice.key })
    expect(listed.code, listed.stderr).toBe(0)
    // a free archive is stored in the clear: flip the first byte of its magic in the stack's store, on disk
    const storeDir = join(work, 'stack', 'ipfs')
    let damaged = 0
    for (const pack of (await readdir(storeDir, { recursive: true })).filter((f) => f.endsWith('.pack'))) {
      const bytes = await readFile(join(storeDir, pack))
      for (let at = bytes.indexOf('AMMARCH1'); at >= 0; at = bytes.indexOf('AMMARCH1', at + 1)) {
        if (!bytes.subarray(at, at + 4096).includes(name)) continue
        const file = await open(join(storeDir, pack), 'r+')
        await file.write(Buffer.from([(bytes[at] as number) ^ 1]), 0, 1, at)
        await file.close()
        damaged++
      }
    }
    expect(damaged).toBe(1)
    const failed = await run(['download', json(listed.stdout).modelId, '--to', join(work, 'damaged'), '--json'], { ...base, AMM_PRIVATE_KEY: carol.key })
    expect(failed.code, failed.stderr).toBe(7)
    expect(json(failed.stdout).error.code).toBe('INTEGRITY')
    expect(failed.stderr).toContain('hint: ')
    expect(existsSync(join(work, 'damaged'))).toBe(false)
  })

  it('an indexer that does not answer is exit 6 with the SDK hint', async () => {
    const config = json(await readFile(join(work, 'stack', 'config.json'), 'utf8'))
    config.networks.local.indexerUrl = 'http://127.0.0.1:9/subgraphs/name/ai-model-marketplace'
    config.networks.local.deployment = join(work, 'stack', 'deployments', '31337.json')
    await writeFile(join(work, 'no-indexer.json'), JSON.stringify(config))
    const down = await run(['search', '--json'], { ...base, AMM_CONFIG: join(work, 'no-indexer.json') })
    expect(down.code).toBe(6)
    expect(json(down.stdout).error.code).toBe('INDEXER_UNAVAILABLE')
    expect(down.stderr).toContain('hint: Check the subgraph URL')
  })

  it('no network configured, an unknown command and a missing argument', async () => {
    const none = await run(['search'], { ...base, AMM_CONFIG: join(work, 'absent.json') })
    expect(none.code).toBe(3)
    expect(none.stderr).toContain('hint: start a local one with `amm dev`')
    expect((await run(['frobnicate'], base)).code).toBe(2)
    const missing = await run(['show'], base)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('<modelId> is required')
  })

  it('every command explains itself with --help, examples included', async () => {
    const main = await run(['--help'], base)
    const names = [...main.stdout.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1] as string)
    expect(names).toEqual(expect.arrayContaining(['search', 'show', 'buy', 'download', 'confirm', 'dispute', 'review', 'orders', 'list', 'publish', 'price', 'agent', 'withdraw', 'key', 'config', 'dev']))
    for (const name of names) {
      const help = await run([name, '--help'], base)
      expect(help.code, name).toBe(0)
      expect(help.stdout, name).toContain(`Usage: amm ${name}`)
      expect(help.stdout, name).toMatch(/Examples:\n {2}amm /)
    }
  })
})
