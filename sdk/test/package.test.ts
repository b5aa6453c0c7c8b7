import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const sdk = join(import.meta.dirname, '..')
const bin = (name: string) => join(sdk, '..', 'node_modules', '.bin', name)

describe('published package', () => {
  it('builds ESM + CJS + types per entry, passes publint and arethetypeswrong, and packs only dist, README and LICENSE', async () => {
    await run('npm', ['run', 'build'], { cwd: sdk })
    const publint = await run(bin('publint'), [], { cwd: sdk })
    expect(publint.stdout).toMatch(/All good/)
    // exits non-zero on any problem in every resolution: node10 (`moduleResolution: node`, where the
    // /node entry's types come from typesVersions), node16 CJS and ESM, and bundler
    await run(bin('attw'), ['--pack', '.', '--format', 'ascii'], { cwd: sdk })
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json'], { cwd: sdk })
    const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? []
    expect(files.filter((f) => !f.startsWith('dist/') && f !== 'README.md' && f !== 'LICENSE' && f !== 'package.json')).toEqual([])
    for (const entry of ['index', 'node']) for (const ext of ['js', 'cjs', 'd.ts', 'd.cts']) expect(files).toContain(`dist/${entry}.${ext}`)
    // the built files run: store and read a file through each module system
    for (const [flag, load] of [
      ['--input-type=commonjs', "const sdk = require('./dist/index.cjs'); const node = require('./dist/node.cjs')"],
      ['--input-type=module', "const sdk = await import('./dist/index.js'); const node = await import('./dist/node.js')"],
    ] as const) {
      const script = `(async () => { ${load}
        const dir = require('node:fs').mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'amm-pkg-'))
        const store = node.embeddedStore({ dir })
        const { cid } = await store.add(new TextEncoder().encode('hello world'))
        let text = ''
        for await (const c of store.cat(cid)) text += new TextDecoder().decode(c)
        await store.close()
        require('node:fs').rmSync(dir, { recursive: true })
        console.log(cid.toString(), text, typeof sdk.encryptStream)
      })()`
      const code = flag === '--input-type=module' ? `import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); ${script}` : script
      const out = await run(process.execPath, [flag, '-e', code], { cwd: sdk })
      expect(out.stdout.trim()).toBe('bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e hello world function')
    }
  }, 300_000)
})
