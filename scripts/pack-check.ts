// The pack-and-install check (CI: .ci/run, after npm test; kept out of npm test): builds and packs every
// public package, installs the tarballs in a new project outside the repository with their dependencies
// from the registry (nothing from the workspace), starts a local stack from the installed packages only
// (`amm dev`), runs the README's "use it from your own project" quick start against it, then a seller's
// and a buyer's round with `amm`, the `devnode` and `evaluator` bins, and stops the stack with SIGTERM.
// Prints progress and the set-up time of the fresh project (install + `amm dev` ready).
//   npm run pack-check [-- --keep]    --keep leaves the temporary project for inspection
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { parseArgs } from 'node:util'

const repo = join(import.meta.dirname, '..')
const { values: flags } = parseArgs({ options: { keep: { type: 'boolean', default: false } } })

/** The public packages, in build order (each one's build may read the one before). */
const packages = ['contracts', 'sdk', 'devnode', 'subgraph', 'evaluator', 'cli']
const started = performance.now()
const seconds = (from: number) => `${((performance.now() - from) / 1000).toFixed(1)} s`
const step = (text: string) => console.log(`pack-check: ${text}`)

class CheckFailed extends Error {
  override name = 'CheckFailed'
}

// npm and every child run on this Node (the repository's pinned one in CI): npm skips optional
// dependencies whose engines exclude the Node it runs on (Hardhat's EDR binary needs Node 22 or later)
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}` }

/** Runs a command to completion; its output is shown only if it fails (graph-cli and npm are verbose). */
function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number; exitCodes?: number[] }) {
  return new Promise<string>((resolve, reject) => {
    execFile(command, args, { cwd: options.cwd, env: options.env ?? env, timeout: options.timeout ?? 600_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error && !options.exitCodes?.includes(error.code as number)) reject(new CheckFailed(`${command} ${args.join(' ')} (in ${options.cwd}) failed: ${error.message}\n${stdout}\n${stderr}`))
      else resolve(stdout)
    })
  })
}

/** Starts `amm dev` on free ports and resolves with its JSON summary once it printed "amm dev ready". */
function startStack(project: string): Promise<{ child: ChildProcess; summary: StackSummary }> {
  const child = spawn(process.execPath, [join(project, 'node_modules', '.bin', 'amm'), 'dev', '--json', '--dir', '.amm-dev', '--rpc-port', '0', '--graphql-port', '0', '--store-port', '0', '--storage-port', '0'], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!`${stdout}${stderr}`.includes('amm dev ready')) return
      const json = stdout.slice(stdout.indexOf('{'), stdout.lastIndexOf('}') + 1)
      try {
        resolve({ child, summary: JSON.parse(json) as StackSummary })
      } catch (error) {
        reject(new CheckFailed(`amm dev --json printed no JSON summary (${(error as Error).message}):\n${stdout}`))
      }
    }
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk
      check()
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk
      check()
    })
    child.once('exit', (code) => reject(new CheckFailed(`amm dev exited (code ${code}) before it was ready:\n${stdout}\n${stderr}`)))
  })
}

type StackSummary = {
  rpcUrl: string
  chainId: number
  graphqlUrl: string
  storeUrl: string
  deploymentFile: string
  configFile: string
  accounts: Record<string, { address: string; privateKey: string }>
}

const project = await mkdtemp(join(tmpdir(), 'amm-pack-check-'))
let stack: ChildProcess | undefined
try {
  step(`building and packing ${packages.join(', ')}`)
  let t = performance.now()
  await run(join(repo, 'node_modules', '.bin', 'hardhat'), ['build', '--quiet', '--no-tests'], { cwd: repo })
  const tarballs = join(project, 'tarballs')
  await mkdir(tarballs)
  const packed: string[] = []
  for (const name of packages) {
    const at = performance.now()
    await run('npm', ['run', 'build', '-w', name], { cwd: repo })
    await run(join(repo, 'node_modules', '.bin', 'publint'), ['--strict'], { cwd: join(repo, name) })
    // packed right after its build: an `npm install` in the workspace meanwhile would put the dist/ stubs back
    const [{ filename, size, files }] = JSON.parse(await run('npm', ['pack', '--json', '--pack-destination', tarballs, '-w', name], { cwd: repo })) as { filename: string; size: number; files: { path: string; size: number }[] }[]
    const stub = files.find(({ path, size }) => path.startsWith('dist/') && path.endsWith('.js') && size < 64)
    if (stub) throw new CheckFailed(`${filename} holds a dist/ stub (${stub.path}), not the build`)
    packed.push(filename)
    step(`  ${name}: built, publint --strict clean, packed ${filename} (${(size / 1024).toFixed(0)} KiB) in ${seconds(at)}`)
  }
  step(`built and packed in ${seconds(t)}`)

  // A dApp team's project: nothing but the tarballs, the optional peers `amm dev` runs on, and viem.
  const setUp = performance.now()
  t = setUp
  const hardhatVersion = JSON.parse(await readFile(join(repo, 'node_modules', 'hardhat', 'package.json'), 'utf8')).version as string
  await writeFile(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'my-dapp', private: true, type: 'module', allowScripts: { 'onnxruntime-node': false } }, null, 2)}\n`,
  )
  step(`installing the tarballs and their dependencies from the registry into ${project}`)
  await run('npm', ['install', '--no-audit', '--no-fund', ...packed.map((filename) => join(tarballs, filename)), `hardhat@${hardhatVersion}`, 'viem'], { cwd: project, timeout: 1_200_000 })
  const installed = seconds(t)
  step(`installed in ${installed}`)
  if (existsSync(join(project, 'node_modules', '@ai-model-marketplace', 'sdk', 'src'))) throw new CheckFailed('the installed SDK holds its sources: packed from the wrong folder')

  t = performance.now()
  const dev = await startStack(project)
  stack = dev.child
  const { summary } = dev
  const ready = seconds(t)
  step(`amm dev ready in ${ready}: chain ${summary.chainId} at ${summary.rpcUrl}, GraphQL ${summary.graphqlUrl}, store ${summary.storeUrl}`)
  step(`set-up of a fresh project to a running local stack: ${seconds(setUp)} (install ${installed}, amm dev ${ready})`)

  const stackEnv = {
    ...env,
    RPC_URL: summary.rpcUrl,
    GRAPHQL_URL: summary.graphqlUrl,
    STORE_URL: summary.storeUrl,
    DEPLOYMENT: summary.deploymentFile,
    SELLER_KEY: summary.accounts.alice?.privateKey,
    BUYER_KEY: summary.accounts.carol?.privateKey,
  }
  const readme = await readFile(join(repo, 'README.md'), 'utf8')
  const quickstart = readme.match(/```js quickstart\n([\s\S]*?)```/)?.[1]
  if (!quickstart) throw new CheckFailed('README.md has no ```js quickstart block')
  await writeFile(join(project, 'quickstart.mjs'), quickstart)
  t = performance.now()
  const output = await run(process.execPath, ['quickstart.mjs'], { cwd: project, env: stackEnv, timeout: 300_000 })
  if (!/^order \d+: downloaded "weights", confirmed and reviewed$/m.test(output)) throw new CheckFailed(`the quick start did not finish:\n${output}`)
  step(`README quick start ran against it in ${seconds(t)}:\n${output.trim().replace(/^/gm, '    ')}`)

  // the contracts README's deployment with plain viem clients: the whole protocol again, from the package alone
  const deployScript = (await readFile(join(repo, 'contracts', 'README.md'), 'utf8')).match(/```js deploy\n([\s\S]*?)```/)?.[1]
  if (!deployScript) throw new CheckFailed('contracts/README.md has no ```js deploy block')
  await writeFile(join(project, 'deploy.mjs'), deployScript)
  t = performance.now()
  const deployed = await run(process.execPath, ['deploy.mjs'], { cwd: project, env: { ...stackEnv, DEPLOYER_KEY: summary.accounts.bob?.privateKey }, timeout: 300_000 })
  const marketplace = deployed.match(/^Marketplace (0x[0-9a-fA-F]{40}), fee \d+ bps$/m)?.[1]
  if (!marketplace) throw new CheckFailed(`the contracts README's deployment did not finish:\n${deployed}`)
  step(`contracts README deployment (viem clients only) ran in ${seconds(t)}: Marketplace ${marketplace}`)

  // `amm` as a seller (alice) and a buyer (carol) would run it.
  t = performance.now()
  const amm = (args: string[], role: 'alice' | 'carol') =>
    run(process.execPath, [join(project, 'node_modules', '.bin', 'amm'), ...args], { cwd: project, env: { ...stackEnv, AMM_CONFIG: summary.configFile, AMM_PRIVATE_KEY: summary.accounts[role]?.privateKey }, timeout: 300_000 })
  await mkdir(join(project, 'my-model'))
  await writeFile(join(project, 'my-model', 'README.md'), '---\nlicense: mit\npipeline_tag: text-classification\n---\n# Tiny classifier\n')
  await writeFile(join(project, 'my-model', 'model.safetensors'), 'not really weights')
  const listed = JSON.parse(await amm(['list', 'my-model', '--name', 'Tiny classifier', '--task', 'text-classification', '--license', 'MIT', '--price', '5', '--json'], 'alice')) as { modelId: string }
  const bought = JSON.parse(await amm(['buy', String(listed.modelId), '--yes', '--json'], 'carol')) as { orderId: string }
  await amm(['agent', '--once', '--json'], 'alice')
  await amm(['download', String(listed.modelId), '--to', 'bought', '--json'], 'carol')
  if ((await readFile(join(project, 'bought', 'model.safetensors'), 'utf8')) !== 'not really weights') throw new CheckFailed('amm download wrote other bytes than amm list read')
  await amm(['confirm', String(bought.orderId), '--json'], 'carol')
  step(`amm list, buy, agent --once, download, confirm: model ${listed.modelId}, order ${bought.orderId} (${seconds(t)})`)

  // the other bins run from node_modules (Node refuses to strip types there: they must be JavaScript);
  // the evaluator's evaluation set runs in its built inference child process (dist/infer-child.js)
  const sample = `import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { onnxSample } from '@ai-model-marketplace/evaluator'
for (const file of onnxSample().files) {
  await mkdir(dirname(join('onnx-model', file.path)), { recursive: true })
  await writeFile(join('onnx-model', file.path), file.content)
}`
  await writeFile(join(project, 'sample.mjs'), sample)
  await run(process.execPath, ['sample.mjs'], { cwd: project })
  const report = JSON.parse(await run(process.execPath, [join(project, 'node_modules', '.bin', 'evaluator'), 'check', 'onnx-model', '--json'], { cwd: project })) as { verdict?: string; metrics?: { accuracy?: number; samples?: number } }
  if (report.metrics?.accuracy === undefined) throw new CheckFailed(`evaluator check ran no evaluation set: ${JSON.stringify(report)}`)
  await run(process.execPath, [join(project, 'node_modules', '.bin', 'devnode'), '--help'], { cwd: project })
  step(`evaluator check (verdict ${report.verdict}, accuracy ${report.metrics.accuracy} over ${report.metrics.samples} samples) and devnode --help run from node_modules`)

  const exited = new Promise<number | null>((resolve) => stack?.once('exit', (code) => resolve(code)))
  stack.kill('SIGTERM')
  const code = await Promise.race([exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000))])
  if (code !== 0) throw new CheckFailed(`amm dev did not exit 0 within 30 s of SIGTERM (${code})`)
  const rpcAnswers = await fetch(summary.rpcUrl, { method: 'POST', body: '{}' }).then(
    () => true,
    () => false,
  )
  if (rpcAnswers) throw new CheckFailed('the chain still answers after amm dev stopped')
  step(`amm dev stopped on SIGTERM (exit 0, its chain no longer answers); whole check ${seconds(started)}`)
  console.log('pack-check passed')
} catch (error) {
  console.error(`pack-check FAILED: ${error instanceof CheckFailed ? error.message : (error as Error).stack}`)
  process.exitCode = 1
} finally {
  if (stack && stack.exitCode === null) stack.kill('SIGKILL')
  // the workspace resolves its packages to their sources again
  await run(process.execPath, [join(repo, 'scripts', 'stub-dist.mjs')], { cwd: repo })
  if (flags.keep) step(`kept ${project}`)
  else await rm(project, { recursive: true, force: true })
}
