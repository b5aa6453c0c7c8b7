// searchModels latency over 10,000 listed models through the local indexer (devnode running the
// built subgraph) on Hardhat's in-process chain. `node bench/search.ts [--json] [--models N]`;
// `npm run bench -w sdk` runs it after the storage figures (bench/index.ts).
import { deployProtocol } from '@ai-model-marketplace/contracts/deploy'
import { network } from 'hardhat'
import { mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeFunctionData, parseEther, toHex } from 'viem'
import { startIndexer } from '../test/e2e-sdk/indexer.ts'
import { createMarketplaceClient } from '../src/client/createMarketplaceClient.ts'
import { modelRegistryAbi } from '../src/contracts/abis.ts'
import type { Deployment } from '../src/contracts/types.ts'
import { subgraphIndexer } from '../src/indexer/subgraph.ts'
import { embeddedStore } from '../src/storage/node/embedded.ts'
import type { SearchModelsParameters } from '../src/actions/public/searchModels.ts'

const words = ['sentiment', 'vision', 'speech', 'tiny', 'large', 'fast', 'robust', 'medical', 'legal', 'code', 'chat', 'embedding', 'detector', 'tagger', 'translator', 'summarizer']
const tasks = ['text-classification', 'image-classification', 'automatic-speech-recognition', 'text-generation', 'translation', 'summarization', 'feature-extraction', 'object-detection']
const licenses = ['MIT', 'Apache-2.0', 'CC-BY-4.0', 'OpenRAIL']
const pick = <T>(list: T[], i: number) => list[i % list.length] as T

const PER_BLOCK = 25

/**
 * Lists `count` models straight through the registry, PER_BLOCK per block (EDR re-runs the pending
 * transactions for each new one, so larger blocks cost quadratic time), and returns when mined.
 */
async function listModels(count: number) {
  const { viem, provider } = await network.connect()
  const publicClient = await viem.getPublicClient()
  const [admin, seller] = await viem.getWalletClients()
  if (!admin || !seller) throw new Error('the Hardhat network needs an admin and a seller account')
  const deployment = (await deployProtocol({ walletClient: admin, publicClient: publicClient as never })) as Deployment
  await provider.request({ method: 'evm_setAutomine', params: [false] })
  const nonce = await publicClient.getTransactionCount({ address: seller.account.address })
  const cid = '0x01551220b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9' as const
  const listing = (i: number) => {
    // Raw eth_sendTransaction with gas and nonce given: viem's writeContract would add several RPC round trips per listing.
    const data = encodeFunctionData({
      abi: modelRegistryAbi,
      functionName: 'listModel',
      args: [
        {
          name: `${pick(words, i)} ${pick(words, Math.floor(i / 16) + 3)} ${i}`,
          summary: `A ${pick(words, i + 5)} model for ${pick(tasks, i)}`,
          tags: [pick(words, i), pick(words, i * 7 + 1)],
          task: pick(tasks, i),
          license: pick(licenses, i),
          commercialUse: i % 2 === 0,
          metadataURI: '',
        },
        { contentCID: cid, sha256: `0x${'11'.repeat(32)}`, size: 1000n, semver: '1.0.0', changelogURI: '' },
        deployment.contracts.PlatformToken.address,
        i % 10 === 0 ? 0n : parseEther(String((i % 97) + 1)),
        // a key commitment, required for a price above 0 (nothing is bought here)
        i % 10 === 0 ? `0x${'00'.repeat(32)}` : `0x${'22'.repeat(32)}`,
      ],
    })
    return provider.request({
      method: 'eth_sendTransaction',
      params: [{ from: seller.account.address, to: deployment.contracts.ModelRegistry.address, data, gas: toHex(1_000_000), nonce: toHex(nonce + i) }],
    })
  }
  for (let start = 0; start < count; start += PER_BLOCK) {
    // A block's transactions are sent together (nonces given), so no round trip waits on another.
    await Promise.all(Array.from({ length: Math.min(PER_BLOCK, count - start) }, (_, k) => listing(start + k)))
    await provider.request({ method: 'evm_mine', params: [] })
  }
  await provider.request({ method: 'evm_setAutomine', params: [true] })
  // A reverted listing would go unnoticed in a batch: the count says every one was mined.
  const listed = await publicClient.readContract({ address: deployment.contracts.ModelRegistry.address, abi: modelRegistryAbi, functionName: 'modelCount' })
  if (listed !== BigInt(count)) throw new Error(`listed ${listed} of ${count} models`)
  return { provider, publicClient, deployment }
}

export async function measureSearch(count = 10_000, rounds = 300) {
  const started = performance.now()
  const { provider, publicClient, deployment } = await listModels(count)
  const listedSeconds = (performance.now() - started) / 1000
  const indexer = await startIndexer(provider, deployment, { pollIntervalMs: 200 })
  const dir = await mkdtemp(join(tmpdir(), 'amm-search-bench-'))
  try {
    const head = Number(await publicClient.getBlockNumber())
    const indexingStarted = performance.now()
    await indexer.node.waitForBlock(head, { timeoutMs: 3_600_000 })
    const indexedSeconds = (performance.now() - indexingStarted) / 1000
    const subgraph = subgraphIndexer({ url: indexer.url, timeout: 120_000 })
    const client = createMarketplaceClient({ publicClient: publicClient as never, deployment, store: embeddedStore({ dir }), indexer: subgraph })
    const queries: SearchModelsParameters[] = [
      { text: 'sentiment' },
      { text: 'robust trans' },
      { tags: ['vision'], orderBy: 'price', orderDirection: 'asc' },
      { task: 'translation', maxPrice: parseEther('20') },
      { minPrice: parseEther('10'), maxPrice: parseEther('50'), orderBy: 'newest' },
      { license: 'MIT', orderBy: 'sales' },
      { text: 'medical', tags: ['legal'], first: 50 },
      { orderBy: 'newest', first: 20, after: '200' },
    ]
    process.stderr.write(`listed ${count} in ${Math.round(listedSeconds)} s, indexed in ${Math.round(indexedSeconds)} s\n`)
    const total = (await client.searchModels({ first: 100 })).models.length
    for (const q of queries) await client.searchModels(q) // warm up caches as a running service would be
    const times: number[] = []
    const byQuery = queries.map(() => [] as number[])
    for (let i = 0; i < rounds; i++) {
      const t = performance.now()
      await client.searchModels(pick(queries, i))
      const ms = performance.now() - t
      times.push(ms)
      pick(byQuery, i).push(ms)
    }
    // The same pages with scalar fields only: how much of the time goes to resolving references row by row.
    const scalarTimes: number[] = []
    for (let i = 0; i < rounds / 3; i++) {
      const t = performance.now()
      await subgraph.query(`{ models(first: 21, orderBy: createdAt, orderDirection: desc, where: { active: true }) { modelId name summary tags task license price } }`)
      scalarTimes.push(performance.now() - t)
    }
    const at = (list: number[], q: number) => {
      const sorted = [...list].sort((a, b) => a - b)
      return Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number) * 10) / 10
    }
    return { models: count, firstPage: total, searchP50Ms: at(times, 0.5), searchP95Ms: at(times, 0.95), queryP95Ms: Object.fromEntries(queries.map((q, i) => [JSON.stringify(q, (_, v) => (typeof v === 'bigint' ? String(v) : v)), at(pick(byQuery, i), 0.95)])), scalarPageP95Ms: at(scalarTimes, 0.95), listedSeconds: Math.round(listedSeconds), indexedSeconds: Math.round(indexedSeconds), loadAverage: loadavg()[0] ?? 0 }
  } finally {
    await indexer.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

if (import.meta.main) {
  const n = process.argv.indexOf('--models')
  const result = await measureSearch(n > 0 ? Number(process.argv[n + 1]) : 10_000)
  if (process.argv.includes('--json')) console.log(JSON.stringify(result))
  else
    console.log(
      `searchModels over ${result.models} models through the local indexer: p50 ${result.searchP50Ms} ms, p95 ${result.searchP95Ms} ms; a scalar-only page p95 ${result.scalarPageP95Ms} ms (listed in ${result.listedSeconds} s, indexed in ${result.indexedSeconds} s, load ${result.loadAverage.toFixed(2)})`,
    )
  process.exit(0)
}
