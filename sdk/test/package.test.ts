import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const sdk = join(import.meta.dirname, '..')
const bin = (name: string) => join(sdk, '..', 'node_modules', '.bin', name)

describe('published package', () => {
  it('builds ESM + CJS + types per entry, passes publint and arethetypeswrong, and packs only dist + README', async () => {
    await run(bin('tsup'), [], { cwd: sdk })
    const publint = await run(bin('publint'), [], { cwd: sdk })
    expect(publint.stdout).toMatch(/All good/)
    // exits non-zero on any problem in the node16 (CJS and ESM) and bundler resolutions
    await run(bin('attw'), ['--pack', '.', '--profile', 'node16', '--format', 'ascii'], { cwd: sdk })
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json'], { cwd: sdk })
    const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? []
    expect(files.filter((f) => !f.startsWith('dist/') && f !== 'README.md' && f !== 'package.json')).toEqual([])
    for (const entry of ['index', 'node']) for (const ext of ['js', 'cjs', 'd.ts', 'd.cts']) expect(files).toContain(`dist/${entry}.${ext}`)
  }, 240_000)
})
