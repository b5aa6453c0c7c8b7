import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'vitest'
import { tempDir } from './helpers.ts'

// Runs every ```ts example block of the SDK's README and of the repository's, so they cannot rot.
const sdk = join(import.meta.dirname, '..')
const readmes = await Promise.all([join(sdk, 'README.md'), join(sdk, '..', 'README.md')].map((path) => readFile(path, 'utf8')))
const examples = readmes.flatMap((readme) => [...readme.matchAll(/```ts example\n([\s\S]*?)```/g)].map((m) => m[1] as string))

describe('README examples', () => {
  it.each(examples.map((code, i) => [i + 1, code] as const))('example %i runs', { timeout: 120_000 }, async (n, code) => {
    const { dir, cleanup } = await tempDir()
    const file = join(import.meta.dirname, `.readme-example-${n}.tmp.ts`)
    const source = code
      .replaceAll("'@ai-model-marketplace/sdk/node'", `'${join(sdk, 'src', 'node.ts')}'`)
      .replaceAll("'@ai-model-marketplace/sdk'", `'${join(sdk, 'src', 'index.ts')}'`)
      .replaceAll('console.assert(', 'assert(')
    await writeFile(file, `import assert from 'node:assert'\nconst workDir = ${JSON.stringify(dir)}\n${source}\nexport {}\n`)
    try {
      await import(file)
    } finally {
      await rm(file, { force: true })
      await cleanup()
    }
  })
})
