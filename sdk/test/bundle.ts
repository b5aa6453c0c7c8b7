import { readFile } from 'node:fs/promises'
import { builtinModules } from 'node:module'
import { join, relative } from 'node:path'
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
 * Bundles the main entry for browsers, minified and split as an app's bundler would, with viem (a
 * peer dependency) left out. `gzipBytes` counts what a page loads up front (the entry and the
 * chunks it imports statically); `lazyGzipBytes` what loads on first use (`import()`: the UnixFS
 * importer on a first upload, the WebAssembly hash on a first model hashed). Any import of a Node
 * built-in makes esbuild fail, and is also looked for in the metafile.
 */
export async function bundleBrowserEntry(): Promise<{ gzipBytes: number; lazyGzipBytes: number; nodeImports: string[] }> {
  const result = await build({
    entryPoints: [join(import.meta.dirname, '..', 'src', 'index.ts')],
    bundle: true,
    minify: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: 'bundle',
    write: false,
    metafile: true,
    logLevel: 'silent',
    external: ['viem', 'viem/*'],
    plugins: [dedupe()],
  })
  const nodeImports = Object.values(result.metafile.inputs).flatMap((input) =>
    input.imports.filter((i) => nodeBuiltins.has(i.path) || i.path.startsWith('node:')).map((i) => i.path),
  )
  const gzipped = new Map(result.outputFiles.map((f) => [relative(process.cwd(), f.path), gzipSync(f.contents, { level: 9 }).length]))
  const outputs = result.metafile.outputs
  const initial = new Set<string>()
  const visit = (file: string) => {
    if (initial.has(file)) return
    initial.add(file)
    for (const i of outputs[file]?.imports ?? []) if (i.kind === 'import-statement' && i.path in outputs) visit(i.path)
  }
  visit(Object.keys(outputs).find((file) => outputs[file]?.entryPoint) as string)
  let gzipBytes = 0
  let lazyGzipBytes = 0
  for (const file of Object.keys(outputs)) {
    if (!file.endsWith('.js')) continue
    const size = gzipped.get(file) ?? 0
    if (initial.has(file)) gzipBytes += size
    else lazyGzipBytes += size
  }
  return { gzipBytes, lazyGzipBytes, nodeImports }
}
