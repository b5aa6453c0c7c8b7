// `npm run dev` over taken ports and stopped by npm's pid: it refuses with the system's error before
// deploying anything (a chain already on its RPC port gets no second protocol, no deployment file is
// written), and killing npm, even with SIGKILL, stops the whole stack.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { network } from 'hardhat'
import { createPublicClient, http } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { examplesDir, freePort, runExample } from './run.ts'

const repo = join(examplesDir, '..')
let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'amm-dev-stack-'))
})
afterAll(() => rm(work, { recursive: true, force: true }))

const answers = (url: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}' }).then(
    () => true,
    () => false,
  )

async function devFlags() {
  const [rpc, graphql, store, storage] = [await freePort(), await freePort(), await freePort(), await freePort()]
  const flags = ['--rpc-port', `${rpc}`, '--graphql-port', `${graphql}`, '--store-port', `${store}`, '--storage-port', `${storage}`]
  const dirs = ['--store-dir', join(work, 'ipfs'), '--deployment-dir', join(work, 'deployments'), '--web-config', join(work, 'web-config.json'), '--no-tls', '--no-web']
  return { rpc, graphql, flags: [...flags, ...dirs] }
}

describe('npm run dev', () => {
  it('refuses a taken RPC port with the real error, deploying nothing on the chain already there and writing no deployment', async () => {
    const { flags, rpc } = await devFlags()
    const server = await network.createServer('default', '127.0.0.1', rpc)
    await server.listen()
    try {
      const chain = createPublicClient({ transport: http(`http://127.0.0.1:${rpc}`) })
      const before = await chain.getBlockNumber()
      const { code, stderr } = await runExample('dev.ts', flags)
      expect(code).toBe(1)
      expect(stderr).toMatch(new RegExp(`dev stack failed: --rpc-port ${rpc}: listen EADDRINUSE: address already in use 127\\.0\\.0\\.1:${rpc}`))
      expect(stderr).toMatch(/hint: another process listens there/)
      expect(await chain.getBlockNumber()).toBe(before)
      expect(existsSync(join(work, 'deployments'))).toBe(false)
    } finally {
      await server.close()
    }
  })

  it('refuses a taken GraphQL port the same way, before deploying', async () => {
    const { flags, graphql, rpc } = await devFlags()
    const squatter = createServer()
    await new Promise<void>((resolve) => squatter.listen(graphql, '127.0.0.1', resolve))
    try {
      const { code, stderr } = await runExample('dev.ts', flags)
      expect(code).toBe(1)
      expect(stderr).toContain(`--graphql-port ${graphql}: listen EADDRINUSE`)
      expect(existsSync(join(work, 'deployments'))).toBe(false)
      expect(await answers(`http://127.0.0.1:${rpc}`)).toBe(false)
    } finally {
      squatter.close()
    }
  })

  it('stops the whole stack when npm is killed by its pid, even with SIGKILL', async () => {
    const { flags, rpc, graphql } = await devFlags()
    const npm = spawn('npm', ['run', 'dev', '--', ...flags], { cwd: repo, env: { ...process.env, PATH: `${join(repo, 'node_modules', '.bin')}:${process.env.PATH}` }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    await new Promise<void>((resolve, reject) => {
      const collect = (chunk: Buffer) => {
        output += chunk
        if (output.includes('dev stack ready')) resolve()
      }
      npm.stdout.on('data', collect)
      npm.stderr.on('data', collect)
      npm.once('exit', (code) => reject(new Error(`npm run dev exited (${code}):\n${output}`)))
    })
    expect(output).not.toMatch(/unreachable/)
    expect(await answers(`http://127.0.0.1:${rpc}`)).toBe(true)
    npm.kill('SIGKILL')
    let up = true
    for (let i = 0; i < 60 && up; i++) {
      await new Promise((r) => setTimeout(r, 500))
      up = (await answers(`http://127.0.0.1:${rpc}`)) || (await answers(`http://127.0.0.1:${graphql}/subgraphs/name/ai-model-marketplace`))
    }
    expect(up).toBe(false)
  }, 300_000)
})
