import { defineConfig } from 'tsup'

// The published build: ESM with declarations, one file per entry (shared code in chunks, so an error
// class has one identity whichever entry it comes from). viem and the upgrade checker stay dependencies.
export default defineConfig({
  entry: { index: 'index.ts', abi: 'abi.ts', deploy: 'deploy/index.ts', upgrade: 'deploy/upgrade.ts' },
  format: 'esm',
  target: 'es2023',
  platform: 'node',
  dts: true,
  sourcemap: true,
  splitting: true,
  clean: true,
})
