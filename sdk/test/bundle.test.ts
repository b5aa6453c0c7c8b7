import { describe, expect, it } from 'vitest'
import { bundleBrowserEntry } from './bundle.ts'

describe('browser bundle of `@ai-model-marketplace/sdk`', () => {
  it('imports no Node built-in and loads under 100 KiB gzipped up front (viem excluded)', async () => {
    const { gzipBytes, nodeImports } = await bundleBrowserEntry()
    expect(nodeImports).toEqual([])
    expect(gzipBytes / 1024).toBeLessThan(100)
  }, 60_000)
})
