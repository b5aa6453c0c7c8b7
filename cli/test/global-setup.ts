// `amm` runs as users run it: built JavaScript importing the built packages. Builds whatever is
// missing or older than its sources (the SDK, contracts, devnode, the subgraph), then the CLI.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { ensureSubgraphBuild } from '../../subgraph/scripts/ensure-build.ts'

const repo = join(import.meta.dirname, '..', '..')
const env = { ...process.env, PATH: `${join(repo, 'node_modules', '.bin')}:${process.env.PATH}` }

function newest(path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(stat.mtimeMs, ...readdirSync(path).filter((name) => !['dist', 'node_modules', 'test', 'bench', 'artifacts', 'deployments'].includes(name)).map((name) => newest(join(path, name))))
}

function buildIfStale(workspace: string) {
  const dir = join(repo, workspace)
  const manifest = readFileSync(join(dir, 'package.json'), 'utf8')
  // only packages whose exports point at a build
  if (!manifest.includes('./dist/')) return
  const dist = join(dir, 'dist')
  if (existsSync(dist) && statSync(dist).mtimeMs >= newest(dir)) return
  execFileSync('npm', ['run', 'build', '-w', workspace], { cwd: repo, env, stdio: 'inherit' })
}

export default function setup() {
  ensureSubgraphBuild()
  for (const workspace of ['sdk', 'contracts', 'devnode']) buildIfStale(workspace)
  execFileSync('tsup', [], { cwd: join(repo, 'cli'), env, stdio: 'inherit' })
}
