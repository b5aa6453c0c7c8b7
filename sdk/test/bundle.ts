import { readFile } from 'node:fs/promises'
import { builtinModules } from 'node:module'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { build, type Plugin } from 'esbuild'

const nodeBuiltins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)])

/**
 * Makes every copy of the same package version resolve to one file, as npm's deduplicated install
 * of the SDK alone would; the monorepo nests several identical copies because other workspaces
 * pin other majors at the top level.
 */
function dedupe(): Plugin {
  const canonical = new Map<string, string>()
  return {
    name: 'dedupe',
    setup(build) {
      build.onResolve({ filter: /^[@a-z]/ }, async (args) => {
        if (args.pluginData === 'dedupe' || /^(viem|node:)/.test(args.path)) return undefined
        const resolved = await build.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: 'dedupe' })
        const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(resolved.path)
        if (resolved.errors.length || !match) return resolved
        const [, root, rest] = match as unknown as [string, string, string]
        const { name, version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'))
        const key = `${name}@${version}`
        if (!canonical.has(key)) canonical.set(key, root)
        return { ...resolved, path: join(canonical.get(key) as string, rest) }
      })
    },
  }
}

/**
 * Bundles the main entry for browsers, minified, with viem (a peer dependency) left out; any
 * import of a Node built-in makes esbuild fail, and is also looked for in the metafile.
 */
export async function bundleBrowserEntry(): Promise<{ bytes: number; gzipBytes: number; nodeImports: string[]; inputs: Record<string, { bytesInOutput: number }> }> {
  const result = await build({
    entryPoints: [join(import.meta.dirname, '..', 'src', 'index.ts')],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    external: ['viem', 'viem/*'],
    plugins: [dedupe()],
  })
  const code = result.outputFiles[0]?.contents ?? new Uint8Array()
  const nodeImports = Object.values(result.metafile.inputs).flatMap((input) =>
    input.imports.filter((i) => nodeBuiltins.has(i.path) || i.path.startsWith('node:')).map((i) => i.path),
  )
  const output = Object.values(result.metafile.outputs)[0]
  return { bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, nodeImports, inputs: output?.inputs ?? {} }
}
