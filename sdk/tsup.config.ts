import { defineConfig, type Options } from 'tsup'

const shared: Options = {
  entry: { index: 'src/index.ts', node: 'src/node.ts' },
  target: 'es2023',
  sourcemap: true,
  treeshake: true,
  // entries share chunks, so a class (e.g. an error) has one identity whichever entry it comes from
  splitting: true,
}

export default defineConfig([
  { ...shared, format: 'esm' },
  // types for both module systems (.d.ts and .d.cts) from one declaration build
  { entry: shared.entry, format: ['esm', 'cjs'], dts: { only: true } },
  {
    ...shared,
    format: 'cjs',
    // most IPFS and @noble packages ship ESM only, without a `require` export: the CJS build
    // carries them inside; viem (a peer) and Node built-ins stay outside
    noExternal: [/^(?!viem(\/|$))/],
    platform: 'node',
  },
])
