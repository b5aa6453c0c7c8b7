// `amm` runs as users run it: built JavaScript. Builds the SDK when its dist/ is missing or older
// than its sources (contracts, devnode and evaluator resolve through the dist/ stubs `npm install`
// writes), the subgraph when stale, then the CLI itself.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { ensureSubgraphBuild } from '../../subgraph/scripts/ensure-build.ts'

const repo = join(import.meta.dirname, '..', '..')
const env = { ...process.env, PATH: `${join(repo, 'node_modules', '.bin')}:${process.env.PATH}` }

function newest(path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))))
}

export default function setup() {
  ensureSubgraphBuild()
  const sdkDist = join(repo, 'sdk', 'dist', 'index.js')
  if (!existsSync(sdkDist) || statSync(sdkDist).mtimeMs < newest(join(repo, 'sdk', 'src'))) execFileSync('npm', ['run', 'build', '-w', 'sdk'], { cwd: repo, env, stdio: 'inherit' })
  execFileSync('tsup', [], { cwd: join(repo, 'cli'), env, stdio: 'inherit' })
}
