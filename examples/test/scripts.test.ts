// Every example script against a dev stack (`npm run dev` on free ports) started here, in the order
// a user runs them, then the failures users meet: unknown model, not licensed, no funds, no indexer, no chain.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { examplesDir, freePort, runExample } from './run.ts'

let work: string
let dev: ChildProcessWithoutNullStreams
let devOutput = ''
let env: Record<string, string>
const scripts = ['list-model', 'publish-version', 'buy-model', 'seller-agent', 'download-model', 'dispute', 'arbiter-rule', 'review', 'search', 'analytics']

const run = (script: string, args: string[], extra: Record<string, string> = {}) => runExample(`${script}.ts`, args, { ...env, ...extra })
const sha256 = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex')
/** `key=value` lines the scripts print for other tools. */
const value = (stdout: string, key: string) => stdout.match(new RegExp(`^${key}=(\\d+)$`, 'm'))?.[1]

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'amm-examples-'))
  const [rpc, graphql, store, storage] = [await freePort(), await freePort(), await freePort(), await freePort()]
  dev = spawn(process.execPath, [join(examplesDir, 'dev.ts'), '--rpc-port', `${rpc}`, '--graphql-port', `${graphql}`, '--store-port', `${store}`, '--storage-port', `${storage}`, '--store-dir', join(work, 'ipfs'), '--deployment-dir', join(work, 'deployments'), '--web-config', join(work, 'web-config.json'), '--no-tls', '--no-web'], { cwd: examplesDir })
  await new Promise<void>((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      devOutput += chunk.toString()
      if (devOutput.includes('dev stack ready')) resolve()
    }
    dev.stdout.on('data', collect)
    dev.stderr.on('data', collect)
    dev.once('exit', (code) => reject(new Error(`dev stack exited (${code}):\n${devOutput}`)))
  })
  env = {
    RPC_URL: `http://127.0.0.1:${rpc}`,
    GRAPHQL_URL: `http://127.0.0.1:${graphql}/subgraphs/name/ai-model-marketplace`,
    STORE_URL: `http://127.0.0.1:${store}`,
    DEPLOYMENT: join(work, 'deployments', '31337.json'),
  }
  await mkdir(join(work, 'model'))
  await writeFile(join(work, 'model', 'config.json'), '{"labels":["neg","pos"]}')
  await writeFile(join(work, 'model', 'model.bin'), crypto.getRandomValues(new Uint8Array(60_000)))
  await mkdir(join(work, 'model-v2'))
  await writeFile(join(work, 'model-v2', 'model.bin'), crypto.getRandomValues(new Uint8Array(50_000)))
}, 600_000)

afterAll(async () => {
  if (dev && dev.exitCode === null) {
    const exited = new Promise<number | null>((resolve) => dev.once('exit', resolve))
    dev.kill('SIGINT')
    expect(await exited).toBe(0)
    expect(devOutput).toContain('dev stack stopped')
  }
  await rm(work, { recursive: true, force: true })
})

describe('the dev stack', () => {
  it('prints its endpoints and the funded dev accounts, and writes the web app settings', async () => {
    expect(devOutput).toContain(`chain RPC    ${env.RPC_URL}  (chain id 31337)`)
    expect(devOutput).toContain(`GraphQL      ${env.GRAPHQL_URL}`)
    expect(devOutput).toMatch(/carol\s+0x90F79bf6EB2c4f870365E785982E1f101E93b906\s+0x7c852118/)
    const config = JSON.parse(await readFile(join(work, 'web-config.json'), 'utf8'))
    expect(config).toMatchObject({ chain: { id: 31337, rpcUrl: env.RPC_URL }, graphqlUrl: env.GRAPHQL_URL, deployment: { chainId: 31337 } })
  })
})

describe('the example scripts, in the order a user runs them', () => {
  it('every script explains itself with --help', async () => {
    const helps = await Promise.all(scripts.map((script) => runExample(`${script}.ts`, ['--help'])))
    for (const [i, { code, stdout }] of helps.entries()) {
      expect(code, scripts[i]).toBe(0)
      expect(stdout, scripts[i]).toContain(`Usage: node examples/${scripts[i]}.ts`)
    }
  })

  it('lists, buys, delivers, downloads (verified), publishes v2, reviews', async () => {
    const listed = await run('list-model', ['--dir', join(work, 'model'), '--name', 'Sentiment analyzer', '--task', 'text-classification', '--license', 'MIT', '--price', '10', '--tags', 'nlp,sentiment'])
    expect(listed.stdout).toContain('alice listed model #1 "Sentiment analyzer" v1 (2 files')
    expect(value(listed.stdout, 'modelId')).toBe('1')
    const free = await run('list-model', ['--dir', join(work, 'model-v2'), '--name', 'Free baseline', '--task', 'text-classification', '--license', 'MIT', '--price', '0', '--as', 'bob'])
    expect(free.stdout).toContain('bob listed model #2 "Free baseline" v1 (1 files, 48.8 KiB) at no cost (public files)')

    const found = await run('search', ['--text', 'senti'])
    expect(found.stdout).toContain('1 model(s)')
    expect(found.stdout).toMatch(/#1\s+Sentiment analyzer\s+text-classification\s+nlp,sentiment\s+10 AIMT/)
    const cheap = await run('search', ['--max-price', '5'])
    expect(cheap.stdout).toMatch(/#2\s+Free baseline/)
    expect(cheap.stdout).not.toContain('Sentiment analyzer')

    const bought = await run('buy-model', ['--model', '1'])
    expect(bought.stdout).toContain('carol bought model #1: order #1, 10 AIMT in escrow (permit)')
    const agent = await run('seller-agent', ['--once'])
    expect(agent.stdout).toContain('delivered order #1 (model #1)')
    const downloaded = await run('download-model', ['--model', '1', '--out', join(work, 'carol')])
    expect(downloaded.code).toBe(0)
    expect(downloaded.stdout).toContain('carol downloaded model #1 v1')
    for (const file of ['config.json', 'model.bin']) expect(downloaded.stdout).toContain(`sha256 0x${await sha256(join(work, 'model', file))}`)
    expect(await sha256(join(work, 'carol', 'model.bin'))).toBe(await sha256(join(work, 'model', 'model.bin')))

    const published = await run('publish-version', ['--model', '1', '--dir', join(work, 'model-v2'), '--semver', '1.1.0', '--changelog', 'Smaller.'])
    expect(published.stdout).toContain('alice published model #1 v2 (1.1.0')
    const updated = await run('download-model', ['--model', '1', '--out', join(work, 'carol-v2')])
    expect(updated.stdout).toContain('carol downloaded model #1 v2')
    expect(updated.stdout).toContain('order #1)')
    expect(await sha256(join(work, 'carol-v2', 'model.bin'))).toBe(await sha256(join(work, 'model-v2', 'model.bin')))

    const reviewed = await run('review', ['--order', '1', '--rating', '4', '--comment', 'Works.'])
    expect(reviewed.stdout).toContain('carol confirmed order #1')
    expect(reviewed.stdout).toContain('carol rated order #1 ★★★★☆')
  })

  it('disputes with evidence from both sides, and the arbiter splits', async () => {
    expect((await run('buy-model', ['--model', '1', '--as', 'dave'])).stdout).toContain('dave bought model #1: order #2')
    expect((await run('seller-agent', ['--once'])).stdout).toContain('delivered order #2')
    const disputed = await run('dispute', ['--order', '2', '--reason', 'Wrong model', '--description', 'Not the listed architecture.', '--as', 'dave'])
    expect(disputed.stdout).toContain('dave disputed order #2: dispute #1, evidence ipfs://')
    const answered = await run('dispute', ['--order', '2', '--reason', 'Hashes match', '--evidence-only', '--as', 'alice'])
    expect(answered.stdout).toContain('alice added evidence to the dispute over order #2')
    const ruled = await run('arbiter-rule', ['--order', '2', '--ruling', 'split', '--buyer-share', '40'])
    expect(ruled.stdout).toContain('arbiter ruled on dispute #1 (order #2): split 40% to the buyer')
    expect(ruled.stdout).toContain('buyer refunded 4 AIMT, seller credited 5.85 AIMT, platform fee 0.15 AIMT')
  })

  it('runs the analyst queries', async () => {
    const { code, stdout } = await run('analytics', [])
    expect(code).toBe(0)
    expect(stdout).toContain('2 orders: 2 licensed, 0 open, 0 refunded · 1 disputes (0 open) · 1 reviews')
    expect(stdout).toMatch(/#1 Sentiment analyzer\s+2\s+15\.6 AIMT/)
    expect(stdout).toMatch(/0x70997970c51812dc3a010c7d01b50e0d17dc79c8\s+2\s+4\.00 \(1\)/)
    expect(stdout).toContain('1 disputes opened for 2 orders: 50.0% (1 resolved)')
  })
})

describe('failures, each a clear message and exit code 1', () => {
  it('an unknown model', async () => {
    const { code, stderr } = await run('buy-model', ['--model', '99'])
    expect(code).toBe(1)
    expect(stderr).toContain('error: there is no model #99')
  })

  it('an unknown model to download: the message and hint of the script, not a raw revert', async () => {
    const { code, stderr } = await run('download-model', ['--model', '99', '--out', join(work, 'nothing')])
    expect(code).toBe(1)
    expect(stderr).toContain('error: there is no model #99\nhint: find one with node examples/search.ts')
    expect(stderr).not.toMatch(/revert|0x[0-9a-f]{8}/i)
  })

  it('a download without a license', async () => {
    const { code, stderr } = await run('download-model', ['--model', '1', '--out', join(work, 'bob'), '--as', 'bob'])
    expect(code).toBe(1)
    expect(stderr).toContain('cannot download model 1: it has not bought it')
  })

  it('a wallet without funds', async () => {
    const { code, stderr } = await run('buy-model', ['--model', '1'], { PRIVATE_KEY: `0x${'11'.repeat(32)}` })
    expect(code).toBe(1)
    expect(stderr).toContain('has 0 AIMT, the model costs 10 AIMT')
  })

  it('no indexer, no chain, a missing flag', async () => {
    const indexer = await run('search', ['--text', 'x'], { GRAPHQL_URL: `http://127.0.0.1:${await freePort()}/subgraphs/name/ai-model-marketplace` })
    expect(indexer.code).toBe(1)
    expect(indexer.stderr).toContain('is unavailable')
    const analytics = await run('analytics', [], { GRAPHQL_URL: `http://127.0.0.1:${await freePort()}/subgraphs/name/ai-model-marketplace` })
    expect(analytics.code).toBe(1)
    const chain = await run('search', [], { RPC_URL: `http://127.0.0.1:${await freePort()}` })
    expect(chain.code).toBe(1)
    expect(chain.stderr).toContain('no chain answers at')
    const usage = await run('buy-model', [])
    expect(usage.code).toBe(1)
    expect(usage.stderr).toContain('--model is required')
  })
})
