// The SDK ships copies of the contracts' ABIs and deployments; these fail when a copy is stale
// (`npm run generate-contracts -w sdk`; `npm run build -w sdk` runs it).
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import * as contractAbis from '@ai-model-marketplace/contracts/abi'
import * as sdkAbis from '../../src/contracts/abis.ts'
import { deployments } from '../../src/contracts/deployments.ts'

describe('generated contract data', () => {
  it('carries every ABI of contracts/abi.ts unchanged', () => {
    // Spread into plain objects: same keys and deep-equal ABIs, the diff naming any stale one.
    expect({ ...sdkAbis }).toEqual({ ...contractAbis })
  })

  it('carries every public deployment of contracts/deployments, and no local chain', () => {
    // 31337.json (hardhat node, anvil) is each developer's own deployment, generated and never published
    const dir = join(dirname(fileURLToPath(import.meta.resolve('@ai-model-marketplace/contracts/package.json'))), 'deployments')
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json') && f !== '31337.json') : []
    const expected = Object.fromEntries(files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8'))).map((d) => [d.chainId, d]))
    expect(deployments).toEqual(expected)
    expect(deployments[31337]).toBeUndefined()
  })
})
