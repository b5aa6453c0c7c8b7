// `npm run demo` end to end: the whole story on a fresh chain, store and indexer, within 3 minutes.
import { expect, it } from 'vitest'
import { runExample } from './run.ts'

it('plays the story and ends with "demo complete"', async () => {
  const started = performance.now()
  const { code, stdout, stderr } = await runExample('demo.ts', [], {}, 240_000)
  expect(stderr.includes('demo failed') ? stderr : '').toBe('')
  expect(code).toBe(0)
  expect(stdout.trimEnd().endsWith('demo complete')).toBe(true)
  // the story's checkpoints, as the user reads them
  expect(stdout).toMatch(/#1 "MNIST digit MLP" v1 · 3 files/)
  expect(stdout).toMatch(/#4 ResNet-18 ImageNet\s+pickle\s+FAIL/)
  expect(stdout).toMatch(/#3 Gesture classifier\s+onnx\s+PASS\s+0\.92\s+accuracy 92\.0% on its eval set/)
  expect(stdout).toContain('#4 "ResNet-18 ImageNet" failed the checks and is filtered out')
  expect(stdout).toContain("model.safetensors  sha256")
  expect(stdout).not.toContain("≠ the seller's file")
  expect(stdout).toContain('opened with the key delivered for order #1: no new purchase')
  expect(stdout).toContain('the arbiter split it 50/50: dave refunded 2.5 AIMT, bob 2.4375 AIMT, fee 0.0625 AIMT')
  expect(stdout).toMatch(/#3\s+WordPiece tokenizer 30k\s+dave\s+bob\s+5 AIMT\s+0\.0625 AIMT\s+2\.5 AIMT\s+Resolved/)
  // the refunded order 4 counts in the volume paid in, not in the fees
  expect(stdout).toMatch(/volume 33 AIMT · fees 0\.6875 AIMT · orders 4/)
  // a wrong key: caught by the buyer's SDK, proven, refunded by the contract alone
  expect(stdout).toMatch(/dave's SDK checked the key against the model's on-chain commitment before fetching a byte: wrong key \(order #\d+\)/)
  expect(stdout).toContain("the contract checked dave's proof and refunded 3 AIMT in full")
  expect(stdout).toMatch(/#\d+\s+ResNet-18 ImageNet\s+dave\s+mallory\s+3 AIMT\s+0 AIMT\s+3 AIMT\s+Refunded/)
  expect(performance.now() - started).toBeLessThan(180_000)
}, 240_000)

it('explains itself with --help', async () => {
  const { code, stdout } = await runExample('demo.ts', ['--help'])
  expect(code).toBe(0)
  expect(stdout).toContain('--keep')
})
