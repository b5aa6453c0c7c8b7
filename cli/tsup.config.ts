import { defineConfig } from 'tsup'

// ESM for Node; every dependency and peer stays external (installed beside it), so `amm` runs from
// node_modules on plain JavaScript. `stack` is also a library entry (with types) for other tools.
export default defineConfig([
  {
    entry: { amm: 'src/amm.ts' },
    format: 'esm',
    target: 'es2023',
    platform: 'node',
    sourcemap: true,
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    entry: { stack: 'src/stack.ts' },
    format: 'esm',
    target: 'es2023',
    platform: 'node',
    sourcemap: true,
    dts: true,
  },
])
