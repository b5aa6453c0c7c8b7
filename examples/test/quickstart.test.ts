// The READMEs' "use it from your own project" quick start (the ```js quickstart block of the root README
// and of the SDK's), run as a user's own file against a local stack: nothing from Hardhat or the
// repository, only the SDK and viem, configured by the variables `amm dev` prints. The pack check
// (scripts/pack-check.ts) runs the same block from the packed tarballs outside the repository.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLocalStack } from '../lib/stack.ts'

const repo = join(import.meta.dirname, '..', '..')
const quickstarts = await Promise.all(
  ['README.md', 'sdk/README.md'].map(async (readme) => {
    const blocks = [...(await readFile(join(repo, readme), 'utf8')).matchAll(/```js quickstart\n([\s\S]*?)```/g)].map((m) => m[1] as string)
    return { readme, blocks }
  }),
)

const deployBlocks = [...(await readFile(join(repo, 'contracts', 'README.md'), 'utf8')).matchAll(/```js deploy\n([\s\S]*?)```/g)].map((m) => m[1] as string)

let work: string
let stack: Awaited<ReturnType<typeof startLocalStack>>
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'amm-quickstart-'))
  stack = await startLocalStack({ storeDir: join(work, 'ipfs'), deploymentDir: work })
}, 600_000)
afterAll(async () => {
  await stack?.stop()
  await rm(work, { recursive: true, force: true })
})

describe('the quick start', () => {
  it('is one block, the same in the root README and the SDK README, with no Hardhat, no repository package and no undefined variable', () => {
    for (const { readme, blocks } of quickstarts) expect(blocks, readme).toHaveLength(1)
    const [code] = quickstarts[0]?.blocks ?? []
    expect(quickstarts[1]?.blocks[0]).toBe(code)
    const imports = [...(code ?? '').matchAll(/from '([^']+)'/g)].map((m) => m[1])
    expect(imports.filter((name) => !name?.startsWith('node:'))).toEqual(['@ai-model-marketplace/sdk', '@ai-model-marketplace/sdk/node', 'viem', 'viem/accounts'])
  })

  it('runs as a file of its own against a running marketplace: list, search, buy, deliver, download, confirm, review', async () => {
    // beside this test, so `viem` resolves from the repository's node_modules as from a project's own
    const file = join(import.meta.dirname, '.quickstart.tmp.mjs')
    const code = (quickstarts[0]?.blocks[0] ?? '')
      .replaceAll("'@ai-model-marketplace/sdk/node'", `'${join(repo, 'sdk', 'src', 'node.ts')}'`)
      .replaceAll("'@ai-model-marketplace/sdk'", `'${join(repo, 'sdk', 'src', 'index.ts')}'`)
    await writeFile(file, code)
    const ran = promisify(execFile)(process.execPath, [file], {
      cwd: work,
      timeout: 180_000,
      env: {
        ...process.env,
        RPC_URL: stack.rpcUrl,
        GRAPHQL_URL: stack.graphqlUrl,
        STORE_URL: stack.storeUrl,
        DEPLOYMENT: stack.deploymentFile,
        SELLER_KEY: stack.accounts.alice.privateKey,
        BUYER_KEY: stack.accounts.carol.privateKey,
      },
    }).finally(() => rm(file, { force: true }))
    const { stdout } = await ran
    expect(stdout).toMatch(/^model 1 listed, 1 found by search$/m)
    expect(stdout).toMatch(/^order 1: downloaded "weights", confirmed and reviewed$/m)
  }, 300_000)

  it("contracts README: deploys the protocol with viem clients alone (no hardhat), resumable, and reads it back", async () => {
    expect(deployBlocks).toHaveLength(1)
    const code = deployBlocks[0] ?? ''
    expect([...code.matchAll(/from '([^']+)'/g)].map((m) => m[1]).filter((name) => !name?.startsWith('node:'))).toEqual(['@ai-model-marketplace/contracts', '@ai-model-marketplace/contracts/deploy', 'viem', 'viem/accounts'])
    // beside this test: the workspace resolves the contracts package to its sources
    const file = join(import.meta.dirname, '.deploy.tmp.mjs')
    await writeFile(file, code)
    const ran = promisify(execFile)(process.execPath, [file], { cwd: work, timeout: 180_000, env: { ...process.env, RPC_URL: stack.rpcUrl, DEPLOYER_KEY: stack.accounts.bob.privateKey } }).finally(() => rm(file, { force: true }))
    const { stdout } = await ran
    expect(stdout).toContain('step AccessManager')
    expect(stdout).toMatch(/^Marketplace 0x[0-9a-fA-F]{40}, fee 250 bps$/m)
    const written = JSON.parse(await readFile(join(work, 'deployment-31337.json'), 'utf8'))
    expect(Object.keys(written.contracts)).toHaveLength(7)
  }, 300_000)
})
