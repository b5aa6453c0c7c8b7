// Writes each published workspace package's dist/ entry files as one-line re-exports of its
// TypeScript sources (the "stub" build of unbuild and similar tools), so code in this repository
// resolves the packages' published entry points (dist/…) to the sources, with no build and never
// stale. Run by `npm install` (the root `prepare` script) and `npm run stub`; `npm run build` and
// the pack check write the real build over them (the pack check puts the stubs back afterwards).
// Plain JavaScript: `prepare` may run on a Node without type stripping.
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'

const root = join(import.meta.dirname, '..')

/** Per package: entry name in dist/ → its source, and which entries are bins (JavaScript only). */
export const packages = {
  contracts: { entries: { index: 'index.ts', abi: 'abi.ts', deploy: 'deploy/index.ts', upgrade: 'deploy/upgrade.ts' }, bins: [] },
  devnode: { entries: { index: 'src/index.ts', store: 'src/store/index.ts', cli: 'src/cli.ts' }, bins: ['cli'] },
  evaluator: { entries: { index: 'src/index.ts', cli: 'src/cli.ts' }, bins: ['cli'] },
}

for (const [name, { entries, bins }] of Object.entries(packages)) {
  const dist = join(root, name, 'dist')
  rmSync(dist, { recursive: true, force: true })
  mkdirSync(dist, { recursive: true })
  for (const [entry, source] of Object.entries(entries)) {
    if (bins.includes(entry)) {
      writeFileSync(join(dist, `${entry}.js`), `#!/usr/bin/env node\nimport '../${source}'\n`, { mode: 0o755 })
      continue
    }
    writeFileSync(join(dist, `${entry}.js`), `export * from '../${source}'\n`)
    writeFileSync(join(dist, `${entry}.d.ts`), `export * from '../${source}'\n`)
  }
}
// npm links a bin only if its file exists when it installs, which is before `prepare` writes the stubs:
// link the packages' bins (devnode, evaluator) into node_modules/.bin as npm would
const binDir = join(root, 'node_modules', '.bin')
if (existsSync(binDir)) {
  for (const name of Object.keys(packages)) {
    const { bin = {} } = JSON.parse(readFileSync(join(root, name, 'package.json'), 'utf8'))
    for (const [command, target] of Object.entries(bin)) {
      const link = join(binDir, command)
      rmSync(link, { force: true })
      symlinkSync(relative(binDir, join(root, name, target)), link)
    }
  }
}

console.log(`dist/ stubs (re-exports of the sources) for ${Object.keys(packages).join(', ')}`)
