import { defineConfig } from 'tsup'

// One ESM file with a shebang; every dependency and peer stays external (installed beside it),
// so `amm` runs from node_modules on plain JavaScript.
export default defineConfig({
  entry: { amm: 'src/amm.ts' },
  format: 'esm',
  target: 'es2023',
  platform: 'node',
  sourcemap: true,
  clean: true,
  banner: { js: '#!/usr/bin/env node' },
})
