// npm run bench -w examples/web [-- --json] [--models N] [--mib M]
// Prints the gzipped size of the initial JS, the time to first results on Browse with N listed
// models (default 10,000), and in-browser download + decrypt throughput for an M MiB model
// (default 256), all against the dev stack with the production build.
import { randomFillSync } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { modelRegistryAbi } from '@ai-model-marketplace/contracts'
import { chromium } from '@playwright/test'
import { createPublicClient, createWalletClient, encodeFunctionData, type Hex, http, parseEther, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { createMarketplaceClient, subgraphIndexer } from '../../../sdk/src/index.ts'
import { startStack } from '../test/stack.ts'
import { installWallet } from '../test/wallet.ts'

const args = process.argv.slice(2)
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`)
  return i === -1 ? fallback : Number(args[i + 1])
}
const json = args.includes('--json')
const modelCount = option('models', 10_000)
const mib = option('mib', 256)
// progress goes to stderr, so `--json` keeps stdout to the one result line
const log = (line: string) => console.error(line)
const dist = join(import.meta.dirname, '..', 'dist')

/** The scripts a first visit loads before anything else: the entry and its modulepreloads. */
async function initialJsGzip(): Promise<number> {
  const html = await readFile(join(dist, 'index.html'), 'utf8')
  const files = [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="\/?([^"]+\.js)"/g)].map((m) => m[1] as string)
  let total = 0
  for (const file of new Set(files)) total += gzipSync(await readFile(join(dist, file)), { level: 9 }).length
  return total
}

const stack = await startStack({ appPort: Number(process.env.PORT ?? 41740), preview: true })
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
})
try {
  const gzipBytes = await initialJsGzip()
  log(`initial JS: ${(gzipBytes / 1024).toFixed(1)} KiB gzipped`)

  const transport = http(stack.rpcUrl)
  const publicClient = createPublicClient({ transport })
  const seller = createWalletClient({ account: privateKeyToAccount(stack.keys.seller), transport })
  const buyer = createWalletClient({ account: privateKeyToAccount(stack.keys.buyer), transport })
  const deployment = stack.deployment as { chainId: number; contracts: Record<string, { address: Hex; blockNumber: number }> }
  const indexer = subgraphIndexer({ url: stack.graphqlUrl })
  const addressOf = (name: string) => {
    const contract = deployment.contracts[name]
    if (!contract) throw new Error(`the deployment has no ${name}`)
    return contract.address
  }

  // N listings straight through the registry (the files behind them are not needed to browse):
  // signed here and sent raw with automine off, then mined in full blocks, to list 10,000 in minutes
  log(`listing ${modelCount} models…`)
  const tasks = ['text-classification', 'image-classification', 'translation', 'summarization']
  const rpc = (method: string, params: unknown[] = []) => publicClient.request({ method: method as never, params: params as never })
  let nonce = await publicClient.getTransactionCount({ address: seller.account.address })
  const fees = await publicClient.estimateFeesPerGas()
  await rpc('evm_setAutomine', [false])
  const pending: Promise<unknown>[] = []
  for (let i = 0; i < modelCount; i++) {
    const data = encodeFunctionData({
      abi: modelRegistryAbi,
      functionName: 'listModel',
      args: [
        { name: `Bench model ${i}`, summary: `Synthetic listing number ${i}`, tags: ['bench', `t${i % 50}`], task: tasks[i % tasks.length] as string, license: 'MIT', commercialUse: i % 2 === 0, metadataURI: '' },
        { contentCID: toHex(randomFillSync(new Uint8Array(36))), sha256: toHex(randomFillSync(new Uint8Array(32))), size: 1000n, semver: '1.0.0', changelogURI: '' },
        addressOf('PlatformToken'),
        parseEther(String(1 + (i % 100))),
        // a paid listing commits to its key (any non-zero value: these are never bought)
        toHex(randomFillSync(new Uint8Array(32))),
      ],
    } as never)
    const raw = await seller.account.signTransaction({
      chainId: stack.chainId,
      type: 'eip1559',
      to: addressOf('ModelRegistry'),
      data,
      nonce: nonce++,
      gas: 1_000_000n,
      maxFeePerGas: fees.maxFeePerGas * 2n,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    })
    pending.push(rpc('eth_sendRawTransaction', [raw]))
    if (pending.length === 50) await Promise.all(pending.splice(0))
    if (i % 1000 === 999) log(`  ${i + 1} sent`)
  }
  await Promise.all(pending)
  // mine until the pool is empty (as many listings per block as the block gas limit allows)
  while (Number(await publicClient.getTransactionCount({ address: seller.account.address })) < nonce) await rpc('evm_mine')
  await rpc('evm_setAutomine', [true])
  const blockNumber = await publicClient.getBlockNumber()
  const indexedBy = performance.now()
  for (;;) {
    if ((await indexer.blockNumber()) >= Number(blockNumber)) break
    await new Promise((r) => setTimeout(r, 500))
  }
  log(`  indexed in ${((performance.now() - indexedBy) / 1000).toFixed(1)} s after the last listing`)

  // first results: from navigation start to the first card in the page, median of 5 cold loads;
  // the page notes the moment itself, so the driver's round trips are not counted
  const times: number[] = []
  for (let run = 0; run < 5; run++) {
    const context = await browser.newContext({ ignoreHTTPSErrors: true })
    await context.addInitScript(() => {
      const seen = new MutationObserver(() => {
        if (!document.querySelector('[data-testid="results"] li')) return
        ;(window as { firstResultsAt?: number }).firstResultsAt = performance.now()
        seen.disconnect()
      })
      seen.observe(document, { childList: true, subtree: true })
    })
    const page = await context.newPage()
    await page.goto(stack.appUrl)
    await page.locator('[data-testid="results"] li').first().waitFor({ timeout: 60_000 })
    times.push(await page.evaluate(() => (window as { firstResultsAt?: number }).firstResultsAt as number))
    await context.close()
  }
  const firstResultsMs = times.sort((a, b) => a - b)[2] as number
  log(`first results on Browse with ${modelCount} models: ${firstResultsMs.toFixed(0)} ms (median of 5)`)

  // in-browser download + decrypt of an M MiB model: listed and delivered from Node, downloaded in the page
  const sellerClient = createMarketplaceClient({ publicClient: publicClient as never, walletClient: seller as never, deployment: deployment as never, store: stack.store, indexer })
  const buyerClient = createMarketplaceClient({ publicClient: publicClient as never, walletClient: buyer as never, deployment: deployment as never, store: stack.store, indexer })
  const piece = randomFillSync(new Uint8Array(1 << 20))
  const size = mib * 1024 * 1024
  log(`listing a ${mib} MiB model…`)
  const { modelId } = await sellerClient.listModel({
    name: 'Big bench model',
    task: 'text-generation',
    license: 'MIT',
    price: parseEther('1'),
    files: [{ path: 'weights.bin', size, content: () => (function* () { for (let i = 0; i < mib; i++) yield piece })() }],
  })
  const { orderId } = await buyerClient.buyModel({ modelId })
  await sellerClient.deliverOrder({ orderId })
  const context = await browser.newContext({ ignoreHTTPSErrors: true })
  await installWallet(context, { key: stack.keys.buyer, rpcUrl: stack.rpcUrl, chainId: stack.chainId })
  const page = await context.newPage()
  await page.goto(`${stack.appUrl}#/model/${modelId}`)
  await page.getByRole('button', { name: 'Connect wallet' }).click()
  await page.getByRole('button', { name: 'Test Wallet' }).click()
  await page.getByRole('button', { name: /^Download Big bench model/ }).click({ timeout: 60_000 })
  const verified = await page.getByTestId('download-verified').textContent({ timeout: 600_000 })
  const decryptMBps = Number(/\(([\d.]+) MB\/s\)/.exec(verified ?? '')?.[1])
  log(`in-browser download + decrypt of ${mib} MiB: ${decryptMBps} MB/s`)
  await context.close()

  const result = { initialJsGzipBytes: gzipBytes, models: modelCount, firstResultsMs: Math.round(firstResultsMs), decryptMiB: mib, decryptMBps }
  console.log(json ? JSON.stringify(result) : result)
} finally {
  await browser.close()
  await stack.stop()
}
