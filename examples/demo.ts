// `npm run demo [-- --keep]`: the whole marketplace in one process, on embedded defaults. Hardhat's
// simulated chain, the protocol, an embedded IPFS store and the subgraph indexed by devnode, then a
// story: two sellers list three models (and a third a malicious pickle), the evaluator agent checks
// them all, a buyer searches, buys, downloads, verifies and reviews, a new version is delivered for
// free, a dispute is split by the arbiter, a wrong key is refunded by the contract alone, and an
// analyst reads the market.
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { network } from 'hardhat'
import { type Address, parseEther } from 'viem'
import { bestSellers, disputeRate, topModelsByRevenue } from './lib/analytics.ts'
import { clientFor, type Market, tokenBalances } from './lib/client.ts'
import { maliciousPickleSample, onnxSample, SUITE, startEvaluatorAgent } from '@ai-model-marketplace/evaluator'
import { writeDigitMlp, writeFiles, writeTokenizer } from './lib/models.ts'
import { archiveInputsFromPath, BadDeliveryError, downloadModelTo, marketplaceAbi, wrapDeliveryKey } from './lib/sdk.ts'
import { startLocalStack } from './lib/stack.ts'
import { aimt, bold, bytes, green, heading, line, ok, progressBar, red, table, tokenAmount } from './lib/ui.ts'

const usage = `Usage: npm run demo [-- --keep]

Plays the marketplace's story on a local chain, store and indexer started in this process.
  --keep    leave the chain (HTTP), the store and the GraphQL endpoint running; Ctrl-C stops them
  -h, --help`

const { values: flags } = parseArgs({ options: { keep: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } })
if (flags.help) {
  console.log(usage)
  process.exit(0)
}

const started = performance.now()
const seconds = () => ((performance.now() - started) / 1000).toFixed(1)
const cleanups: (() => Promise<unknown>)[] = []
async function cleanup() {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch((error) => console.error(error))
}

const sha256File = async (path: string) => {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk)
  return hash.digest('hex')
}
const short = (text: string, n = 10) => (text.length > 2 * n + 1 ? `${text.slice(0, n)}…${text.slice(-6)}` : text)

async function main() {
  heading('Starting a local marketplace (chain, protocol, store, indexer)')
  const work = await mkdtemp(join(tmpdir(), 'amm-demo-'))
  cleanups.push(() => rm(work, { recursive: true, force: true }))
  const chainServer = await network.createServer('default', '127.0.0.1', 0)
  const { port } = await chainServer.listen()
  cleanups.push(() => chainServer.close())
  const rpcUrl = `http://127.0.0.1:${port}`
  ok(`Hardhat's simulated chain at ${rpcUrl}`)
  const stack = await startLocalStack({ rpcUrl, storeDir: join(work, 'ipfs'), deploymentDir: flags.keep ? work : undefined, log: ok })
  cleanups.push(() => stack.stop())
  const market: Market = { ...stack }
  const { alice, bob, carol, dave, mallory, arbiter: arbiterAccount, evaluator, admin } = stack.accounts
  const [aliceClient, bobClient, carolClient, daveClient, malloryClient, arbiterClient, evaluatorClient] = [alice, bob, carol, dave, mallory, arbiterAccount, evaluator].map((account) => clientFor(market, account))
  const names = new Map(Object.entries({ alice, bob, carol, dave, mallory, treasury: admin }).map(([name, a]) => [a.address.toLowerCase(), name]))
  const who = (address: string) => names.get(address.toLowerCase()) ?? short(address, 6)
  const indexed = { waitForIndexer: 30_000 } as const

  const agentFailures: Error[] = []
  const agent = (client: typeof aliceClient, name: string) =>
    client.startSellerAgent({
      pollingInterval: 200,
      onProgress: (e) => {
        if (e.type === 'delivered') ok(`${name}'s seller agent delivered order #${e.orderId} (model key encrypted to the order's key, checked against its on-chain commitment first)`)
        if (e.type === 'failed') agentFailures.push(e.error)
      },
    })
  const aliceAgent = agent(aliceClient, 'alice')
  const bobAgent = agent(bobClient, 'bob')
  const agents = [aliceAgent, bobAgent]
  const delivered = async (sellerAgent: typeof aliceAgent) => {
    await sellerAgent.caughtUp()
    if (agentFailures.length) throw agentFailures[0]
  }
  cleanups.push(() => Promise.all(agents.map((a) => a.stop())))
  for (const agent of agents) await agent.caughtUp()

  // 1. Sellers
  heading('1. Two sellers set up shop and list three models')
  await aliceClient.setProfile({ handle: 'alice_ai', profile: { name: 'Alice AI', bio: 'Small, fast vision models.' } })
  await bobClient.setProfile({ handle: 'bob_tokens', profile: { name: 'Bob Labs', bio: 'Tokenizers and tabular baselines.' } })
  ok('profiles set: @alice_ai (alice), @bob_tokens (bob)')

  const list = async (client: typeof aliceClient, dir: string, fields: Omit<Parameters<typeof aliceClient.listModel>[0], 'files' | 'onProgress'>) => {
    const files = await archiveInputsFromPath(dir)
    const total = files.reduce((n, f) => n + f.size, 0)
    const bar = progressBar(`upload ${fields.name.slice(0, 15)}`)
    const listed = await client.listModel({ ...fields, files, onProgress: (p) => p.stage === 'adding' && bar.update(p.bytes, p.totalBytes) })
    bar.done(total)
    ok(`#${listed.modelId} "${fields.name}" v1 · ${files.length} files, ${bytes(total)} · ${fields.price === 0n ? 'free (public)' : `${aimt(fields.price)} (encrypted)`} · ${short(listed.contentCID)}`)
    return { ...listed, dir, name: fields.name }
  }
  const mlpDir = await writeDigitMlp(join(work, 'alice', 'digit-mlp-v1'))
  const mlp = await list(aliceClient, mlpDir, {
    name: 'MNIST digit MLP',
    summary: 'Two-layer perceptron for handwritten digits, 98% on MNIST test.',
    tags: ['vision', 'mnist', 'mlp'],
    task: 'image-classification',
    license: 'MIT',
    commercialUse: true,
    card: { description: '784 → 1024 → 10 ReLU MLP in safetensors', format: 'safetensors' },
    price: parseEther('25'),
  })
  const tokenizer = await list(bobClient, await writeTokenizer(join(work, 'bob', 'wordpiece')), {
    name: 'WordPiece tokenizer 30k',
    summary: 'Lower-cased English WordPiece vocabulary for BERT-style encoders.',
    tags: ['nlp', 'tokenizer'],
    task: 'fill-mask',
    license: 'Apache-2.0',
    commercialUse: true,
    card: { description: 'vocab.txt, tokenizer.json and configs for Hugging Face tokenizers' },
    price: parseEther('5'),
  })
  const gestureSample = onnxSample({ name: 'Gesture classifier', license: 'MIT', task: 'tabular-classification', accuracy: 0.92 })
  const gesture = await list(bobClient, await writeFiles(join(work, 'bob', 'gesture'), gestureSample.files), {
    name: 'Gesture classifier',
    summary: 'A 64-32-10 MLP in ONNX over wrist sensor features, shipped with its evaluation set: a free baseline.',
    tags: ['tabular', 'sensors', 'onnx'],
    task: gestureSample.task,
    license: gestureSample.license,
    card: { description: 'ONNX MLP; eval/ holds a labelled test set' },
    price: 0n,
  })
  line('and a third account lists a booby-trapped checkpoint:')
  const trap = maliciousPickleSample({ name: 'ResNet-18 ImageNet', license: 'MIT', task: 'image-classification' })
  const pickle = await list(malloryClient, await writeFiles(join(work, 'mallory', 'resnet'), trap.files), {
    name: 'ResNet-18 ImageNet',
    summary: 'Classic ResNet-18 weights for ImageNet, PyTorch format.',
    tags: ['vision', 'resnet', 'pytorch'],
    task: trap.task,
    license: trap.license,
    price: parseEther('3'),
  })

  // 2. Evaluator
  heading('2. The evaluator agent checks every listed model')
  const evaluatorFailures: Error[] = []
  const evaluatorAgent = await startEvaluatorAgent({
    client: evaluatorClient,
    pollingInterval: 200,
    onProgress: (e) => {
      if (e.type === 'key-published') ok('the evaluator published its key (owners wrap version keys to it)')
      if (e.type === 'failed' && !e.retrying) evaluatorFailures.push(e.error)
    },
  })
  cleanups.push(() => evaluatorAgent.stop())
  const listed = [
    { client: aliceClient, model: mlp },
    { client: bobClient, model: tokenizer },
    { client: bobClient, model: gesture },
    { client: malloryClient, model: pickle },
  ]
  for (const { client, model } of listed) await client.requestEvaluation({ modelId: model.modelId, version: 1, evaluator: evaluator.address })
  ok(`each owner asked for an evaluation of v1 (${listed.length} requests, the version key wrapped to the evaluator)`)
  for (let i = 0; evaluatorAgent.processed.length < listed.length; i++) {
    if (evaluatorFailures.length) throw evaluatorFailures[0]
    if (i > 600) throw new Error('the evaluator agent did not answer every request within 2 minutes')
    await new Promise((r) => setTimeout(r, 200))
  }
  const attested = await stack.publicClient.getBlockNumber()
  const evaluations = await Promise.all(listed.map(async ({ model }) => ({ model, evaluation: (await carolClient.getEvaluations({ modelId: model.modelId, withReports: true, minBlock: attested, ...indexed }))[0] })))
  table(
    evaluations.map(({ model, evaluation }) => {
      if (!evaluation) throw new Error(`no evaluation indexed for model #${model.modelId}`)
      const report = evaluation.report as { format?: string; findings?: { severity: string; code: string; message: string }[]; metrics?: { accuracy?: number } } | undefined
      const worst = report?.findings?.find((f) => f.severity === 'error') ?? report?.findings?.find((f) => f.severity === 'warn')
      const verdict = evaluation.verdict === 'Pass' ? green('PASS') : evaluation.verdict === 'Fail' ? red('FAIL') : 'WARN'
      return {
        model: `#${model.modelId} ${model.name}`,
        format: report?.format ?? '',
        verdict,
        score: (evaluation.score / 1e6).toFixed(2),
        note: report?.metrics?.accuracy !== undefined ? `accuracy ${(report.metrics.accuracy * 100).toFixed(1)}% on its eval set` : worst ? `${worst.code}: ${worst.message}`.slice(0, 70) : '',
      }
    }),
  )

  // 2. Buyer
  heading('3. Carol searches, buys, downloads, verifies and reviews')
  const latest = await stack.publicClient.getBlockNumber()
  const searchTable = (models: Awaited<ReturnType<typeof carolClient.searchModels>>['models']) =>
    table(models.map((m) => ({ id: `#${m.modelId}`, name: m.name, seller: who(m.owner), task: m.task, price: m.price === 0n ? 'free' : aimt(m.price), checks: m.verdicts.find((v) => v.suite === SUITE)?.verdict ?? '' })))
  const byText = await carolClient.searchModels({ text: 'digit', minBlock: latest, ...indexed })
  line(`search "digit" → ${byText.models.length} result(s)`)
  searchTable(byText.models)
  const vision = await carolClient.searchModels({ tags: ['vision'] })
  line(`tag "vision" → ${vision.models.length} results, whatever their checks say:`)
  searchTable(vision.models)
  const checked = await carolClient.searchModels({ tags: ['vision'], verdict: { suite: SUITE, verdict: 'Pass' } })
  line(`tag "vision" that passed ${SUITE} → ${checked.models.length} result(s):`)
  searchTable(checked.models)
  if (checked.models.some((m) => m.modelId === pickle.modelId)) throw new Error('the failed pickle was not filtered out')
  ok(`#${pickle.modelId} "${pickle.name}" failed the checks and is filtered out`)
  const cheap = await carolClient.searchModels({ maxPrice: parseEther('10'), orderBy: 'price', orderDirection: 'asc' })
  line('models at most 10 AIMT, cheapest first:')
  searchTable(cheap.models)
  if (byText.models[0]?.modelId !== mlp.modelId) throw new Error('the text search did not find the digit model')

  const quote = await carolClient.quote({ modelId: mlp.modelId })
  line(`quote for #${mlp.modelId}: ${aimt(quote.price)} (platform fee ${aimt(quote.fee)} on release, seller gets ${aimt(quote.sellerProceeds)})`)
  const bought = await carolClient.buyModel({ modelId: mlp.modelId, maxPrice: quote.price })
  ok(`order #${bought.orderId}: ${aimt(bought.price)} paid into escrow (${bought.payment}); the seller must deliver before ${new Date(Number(bought.deliveryDeadline) * 1000).toISOString()}`)
  await delivered(aliceAgent)

  const download = async (client: typeof carolClient, modelId: bigint, dir: string, label: string, source?: string) => {
    const bar = progressBar(`download ${label}`)
    const result = await downloadModelTo(client, { modelId, dir, onProgress: (p) => bar.update(p.bytes, p.totalBytes ?? p.bytes) })
    bar.done(result.files.reduce((n, f) => n + f.size, 0))
    line(`v${result.version} · key from the ${result.keySource === 'public' ? 'public version (none needed)' : 'chain, matching its commitment'}${result.sha256Checked ? ` · archive sha256 ${short(result.sha256)} matches the chain` : ''}`)
    if (source) {
      for (const file of result.files) {
        const original = await sha256File(join(source, file.path))
        const match = `0x${original}` === file.sha256
        line(`${match ? green('✓') : red('✗')} ${file.path.padEnd(18)} sha256 ${short(file.sha256.slice(2), 12)} ${match ? "= the seller's file" : "≠ the seller's file"}`)
        if (!match) throw new Error(`${file.path} does not match the seller's file`)
      }
    }
    return result
  }
  await download(carolClient, mlp.modelId, join(work, 'carol', 'digit-mlp'), 'digit MLP', mlpDir)
  await carolClient.confirmOrder({ orderId: bought.orderId })
  ok(`order #${bought.orderId} confirmed: escrow released to alice`)
  const review = await carolClient.reviewOrder({ orderId: bought.orderId, rating: 5, comment: 'Loads in safetensors, accurate on my scans.' })
  ok(`carol rated it 5/5 (comment ${short(review.commentURI)})`)
  const free = await carolClient.buyModel({ modelId: gesture.modelId })
  ok(`free model #${gesture.modelId} claimed: order #${free.orderId}, licensed at once`)
  await download(carolClient, gesture.modelId, join(work, 'carol', 'gesture'), 'gesture (ONNX)', gesture.dir)

  // 3. Update
  heading('4. Alice publishes version 2; Carol gets it without paying again')
  const v2Dir = await writeDigitMlp(join(work, 'alice', 'digit-mlp-v2'), { seed: 11, version: '2.0.0' })
  const v2Files = await archiveInputsFromPath(v2Dir)
  const bar = progressBar('upload digit MLP v2')
  const v2 = await aliceClient.publishVersion({
    modelId: mlp.modelId,
    files: v2Files,
    semver: '2.0.0',
    changelog: 'Retrained with elastic distortions: +0.4% accuracy.',
    onProgress: (p) => p.stage === 'adding' && bar.update(p.bytes, p.totalBytes),
  })
  bar.done(v2Files.reduce((n, f) => n + f.size, 0))
  ok(`#${mlp.modelId} v${v2.version} (2.0.0) · ${short(v2.contentCID)}`)
  const second = await download(carolClient, mlp.modelId, join(work, 'carol', 'digit-mlp-v2'), 'digit MLP v2', v2Dir)
  if (second.version !== 2 || second.orderId !== bought.orderId) throw new Error('version 2 was not opened with the first order')
  ok(`opened with the key delivered for order #${bought.orderId}: no new purchase`)

  // 4. Dispute
  heading('5. Dave disputes a purchase; the arbiter splits it')
  const disputed = await daveClient.buyModel({ modelId: tokenizer.modelId })
  ok(`dave bought #${tokenizer.modelId} "WordPiece tokenizer 30k": order #${disputed.orderId}, ${aimt(disputed.price)} in escrow`)
  await delivered(bobAgent)
  await download(daveClient, tokenizer.modelId, join(work, 'dave', 'wordpiece'), 'tokenizer')
  const opened = await daveClient.disputeOrder({ orderId: disputed.orderId, evidence: { name: 'Not an English vocabulary', description: 'The pieces are random letter strings; the card promises an English WordPiece vocabulary.' } })
  ok(`dave opened dispute #${opened.disputeId} with evidence ${short(opened.evidenceURI)}`)
  await bobClient.submitEvidence({ orderId: disputed.orderId, evidence: { name: 'Files as listed', description: 'Every file matches the listing hashes; the vocabulary is synthetic by design.' } })
  ok('bob answered with his own evidence')
  const parties = [dave.address, bob.address, admin.address] as Address[]
  const balances = async (title: string) => {
    line(title)
    table(await Promise.all(parties.map(async (address) => {
      const b = await tokenBalances(market, address)
      return { account: who(address), wallet: aimt(b.wallet), 'credited, to withdraw': aimt(b.pending) }
    })))
  }
  await balances('balances before the ruling:')
  const ruling = await arbiterClient.ruleDispute({ orderId: disputed.orderId, ruling: { buyerShareBps: 5000 } })
  ok(`the arbiter split it 50/50: dave refunded ${aimt(ruling.buyerRefund)}, bob ${aimt(ruling.sellerProceeds)}, fee ${aimt(ruling.fee)}`)
  const { amount } = await bobClient.withdraw()
  ok(`bob withdrew his credited ${aimt(amount)} (the refund went straight back to dave)`)
  await balances('balances after the ruling and the withdrawal:')

  // 5b. A wrong key
  heading('6. Mallory delivers a key that opens nothing; the contract refunds the buyer')
  const scam = await daveClient.buyModel({ modelId: pickle.modelId })
  ok(`dave bought #${pickle.modelId} "${pickle.name}" anyway: order #${scam.orderId}, ${aimt(scam.price)} in escrow`)
  // mallory bypasses her SDK, whose deliverOrder refuses a key that does not match the model's commitment
  const marketplace = market.deployment.contracts.Marketplace.address
  const wrong = wrapDeliveryKey({ key: randomBytes(32), buyerPublicKey: scam.buyerKey, chainId: market.deployment.chainId, marketplace, orderId: scam.orderId })
  const posted = await malloryClient.walletClient?.writeContract({ address: marketplace, abi: marketplaceAbi, functionName: 'deliver', args: [scam.orderId, wrong.R, wrong.c], account: mallory, chain: market.chain })
  if (!posted) throw new Error('mallory has no wallet')
  await stack.publicClient.waitForTransactionReceipt({ hash: posted })
  line(`mallory posted a delivery for order #${scam.orderId} whose key is not the one she committed to`)
  const caught = await daveClient.downloadModel({ modelId: pickle.modelId }).catch((error: unknown) => error)
  if (!(caught instanceof BadDeliveryError)) throw new Error(`the wrong key was not caught: ${String(caught)}`)
  ok(`dave's SDK checked the key against the model's on-chain commitment before fetching a byte: wrong key (order #${caught.orderId})`)
  const proven = await daveClient.proveBadDelivery({ orderId: caught.orderId })
  ok(`the contract checked dave's proof and refunded ${aimt(proven.refund)} in full: no arbiter, mallory's fault on record`)

  // 5. Analyst
  heading('7. An analyst reads the market from the subgraph')
  const head = await stack.publicClient.getBlock()
  const stats = await carolClient.marketStats({ days: 7, minBlock: head.number, ...indexed })
  const token = stats.tokens[0]
  line(`${stats.modelCount} models (${stats.versionCount} versions) · ${stats.orderCount} orders, ${stats.licensedOrderCount} licensed · ${stats.disputeCount} dispute(s) · ${stats.reviewCount} review(s) · fee ${stats.feeBps / 100}%`)
  if (token) line(`volume ${aimt(token.volume)} · settled ${aimt(token.settledVolume)} · fees ${aimt(token.fees)} · in escrow ${aimt(token.escrowed)}`)
  line('top models by revenue, last 30 days:')
  const now = Number(head.timestamp)
  table((await topModelsByRevenue(stack.graphqlUrl, { now })).map((m) => ({ model: `#${m.modelId} ${m.name}`, sales: m.salesCount, revenue: tokenAmount(m.revenue, m.token) })))
  line('best rated sellers (at least one sale):')
  table((await bestSellers(stack.graphqlUrl)).map((s) => ({ seller: s.handle ? `@${s.handle}` : who(s.id), sales: s.salesCount, rating: `${Number(s.sellerRatingAverage).toFixed(1)} (${s.sellerRatingCount})` })))
  const rate = await disputeRate(stack.graphqlUrl, { now })
  line(`dispute rate ${rate.month}: ${rate.disputesOpened}/${rate.orders} orders = ${(rate.rate * 100).toFixed(1)}%`)

  // Summary
  heading('Summary')
  const { orders } = await carolClient.getOrders({ orderDirection: 'asc' })
  table(orders.map((o) => ({ order: `#${o.orderId}`, model: o.modelName, buyer: who(o.buyer), seller: who(o.seller), paid: aimt(o.amount), fee: aimt(o.fee), refunded: aimt(o.buyerRefund), status: o.status })))
  console.log()
  const models = await Promise.all([mlp, tokenizer, gesture, pickle].map((m) => carolClient.getModel({ modelId: m.modelId })))
  table(models.flatMap((m) => (m ? m.versions.map((v) => ({ model: `#${m.modelId} ${m.name}`, version: v.semver, size: bytes(Number(v.size)), CID: v.contentCID })) : [])))
  console.log()
  if (token) line(`${bold('volume')} ${aimt(token.volume)} · ${bold('fees')} ${aimt(token.fees)} · ${bold('orders')} ${orders.length} · ${seconds()} s`)

  if (flags.keep) {
    heading('Still running (Ctrl-C stops everything)')
    line(`chain RPC   ${rpcUrl}  (chain id ${stack.chainId})`)
    line(`GraphQL     ${stack.graphqlUrl}`)
    line(`store RPC   ${stack.storeUrl}  (Kubo RPC subset; files in ${join(work, 'ipfs')}, removed on Ctrl-C)`)
    line(`storage     ${stack.storageUrl}  (browsers, Sign-In with Ethereum)`)
    line(`deployment  ${stack.deploymentFile}`)
    line(`the example scripts against it: RPC_URL=${rpcUrl} GRAPHQL_URL=${stack.graphqlUrl} STORE_URL=${stack.storeUrl} DEPLOYMENT=${stack.deploymentFile} node examples/search.ts`)
  }
  console.log('\ndemo complete')
}

try {
  await main()
} catch (error) {
  console.error(`\n${red('demo failed')}: ${(error as Error).message}`)
  if (!(error as { shortMessage?: string }).shortMessage) console.error((error as Error).stack)
  await cleanup()
  process.exit(1)
}
if (flags.keep) {
  const stop = () => cleanup().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
} else {
  await cleanup()
  process.exit(0)
}
