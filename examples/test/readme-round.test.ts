// The examples README's full round, run line by line as written (from the repository's root, on the
// shipped sample model) against a fresh local stack: list, buy, deliver, download, review, a second
// purchase disputed with evidence from both sides (`--evidence-only`), the arbiter's split, analytics.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startLocalStack } from '../lib/stack.ts'
import { examplesDir } from './run.ts'

const repo = join(examplesDir, '..')
const block = (await readFile(join(examplesDir, 'README.md'), 'utf8')).match(/A full round against `npm run dev`[\s\S]*?```sh\n([\s\S]*?)```/)?.[1] ?? ''

/** A shell line's words: double-quoted words kept whole, a trailing `# comment` dropped. */
function words(line: string) {
  return [...line.replace(/\s+#.*$/, '').matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '')
}

let work: string
let stack: Awaited<ReturnType<typeof startLocalStack>>
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'amm-readme-round-'))
  stack = await startLocalStack({ storeDir: join(work, 'ipfs'), deploymentDir: work })
}, 600_000)
afterAll(async () => {
  await stack?.stop()
  await rm(work, { recursive: true, force: true })
})

it('runs every line of the full round as written', async () => {
  const lines = block.trim().split('\n')
  expect(lines.length).toBeGreaterThan(8)
  const env = { ...process.env, RPC_URL: stack.rpcUrl, GRAPHQL_URL: stack.graphqlUrl, STORE_URL: stack.storeUrl, DEPLOYMENT: stack.deploymentFile }
  const outputs: string[] = []
  for (const line of lines) {
    const [node, script, ...args] = words(line)
    expect(node, line).toBe('node')
    // the one change: the download goes to a temporary folder, not into the repository
    const resolved = args.map((arg) => (arg === './bought' ? join(work, 'bought') : arg))
    const { stdout } = await promisify(execFile)(process.execPath, [script as string, ...resolved], { cwd: repo, env, timeout: 120_000 }).catch((error) => {
      throw new Error(`${line}\n${error.stdout}\n${error.stderr}`)
    })
    outputs.push(stdout)
  }
  const all = outputs.join('\n')
  expect(all).toContain('alice listed model #1 "Sentiment analyzer" v1 (3 files')
  expect(all).toContain('carol downloaded model #1 v1')
  expect(await readFile(join(work, 'bought', 'model.safetensors'))).toEqual(await readFile(join(examplesDir, 'my-model', 'model.safetensors')))
  expect(all).toContain('dave disputed order #2: dispute #1')
  expect(all).toContain('alice added evidence to the dispute over order #2')
  expect(all).toContain('arbiter ruled on dispute #1 (order #2): split 40% to the buyer')
}, 600_000)
