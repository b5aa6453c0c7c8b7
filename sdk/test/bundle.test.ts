import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { bundleBrowserEntry } from './bundle.ts'

const readmes = { sdk: join(import.meta.dirname, '..', 'README.md'), root: join(import.meta.dirname, '..', '..', 'README.md') }

describe('browser bundle of `@ai-model-marketplace/sdk`', () => {
  it('imports no Node built-in, loads under 100 KiB gzipped up front (viem excluded), and both READMEs give its size', async () => {
    const { gzipBytes, lazyGzipBytes, nodeImports } = await bundleBrowserEntry()
    expect(nodeImports).toEqual([])
    expect(gzipBytes / 1024).toBeLessThan(100)
    // the SDK README's sentence and the root README's benchmark row state the same figures, within 2 KiB of today's build
    const sdk = (await readFile(readmes.sdk, 'utf8')).match(/bundles to ([\d.]+) KiB gzipped up front[\s\S]*?; ([\d.]+) KiB more load/)
    const root = (await readFile(readmes.root, 'utf8')).match(/\| SDK browser entry[^|]*\|[^|]*\| ([\d.]+) KiB up front, ([\d.]+) KiB more/)
    expect(sdk?.slice(1)).toEqual(root?.slice(1))
    expect(Math.abs(Number(sdk?.[1]) - gzipBytes / 1024)).toBeLessThan(2)
    expect(Math.abs(Number(sdk?.[2]) - lazyGzipBytes / 1024)).toBeLessThan(2)
  }, 60_000)
})
