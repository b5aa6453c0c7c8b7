// `npm run bench:gas [-- --json] [-- --write]`: gas of the protocol's main operations on Hardhat's
// in-process EVM, including the 21,000 base (after refunds, as receipts report it), measured in
// steady state (not the first sale ever).
// --write updates contracts/gas-snapshot.json, committed so that a regression shows in the diff.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Hex } from 'viem'
import {
  BUYER_KEY,
  BUYER_SECRET,
  DAY,
  KEY_COMMITMENT,
  KEY_SALT,
  PRICE,
  createProtocol,
  fields,
  proof,
  signPermit,
  version,
} from '../test/helpers.ts'

const json = process.argv.includes('--json')
const write = process.argv.includes('--write')
const { publicClient, networkHelpers, accounts, load, list, buy, deliver, delivery } = await createProtocol()
const { seller, buyer, arbiter } = accounts
const p = await load()

const gas = async (hash: Promise<Hex>) => {
  const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash })
  if (receipt.status !== 'success') throw new Error('benchmark transaction reverted')
  return Number(receipt.gasUsed)
}
const as = (w: typeof seller) => ({ account: w.account })

// Steady state: the seller already listed, the buyer already bought and reviewed, payouts exist.
const warmModel = await list(p)
const warmOrder = await buy(p, warmModel)
await deliver(p, warmOrder)
await p.marketplace.write.confirm([warmOrder], as(buyer))
await p.reputation.write.review([warmOrder, 5, 'ipfs://review'], as(buyer))
// The seller was already proven wrong once (its fault counter exists).
const wrongKey = `0x${'0f'.repeat(32)}` as const
const warmBad = await buy(p, warmModel)
const warmDelivery = await deliver(p, warmBad, wrongKey)
await p.marketplace.write.proveBadDelivery([warmBad, proof(BUYER_SECRET, warmDelivery.point, warmDelivery.encryptedKey, KEY_COMMITMENT, seller.account.address)], as(buyer))
await p.token.write.approve([p.marketplace.address, PRICE * 1000n], as(buyer))

const result: Record<string, number> = {}
result.listModel = await gas(
  p.registry.write.listModel([fields(), version(), p.token.address, PRICE, KEY_COMMITMENT], as(seller)),
)
const modelId = await p.registry.read.modelCount()
result.publishVersion = await gas(p.registry.write.publishVersion([modelId, version('1.1.0')], as(seller)))

// As the SDK buys: approve exactly the price, so the purchase spends the allowance to zero.
await p.token.write.approve([p.marketplace.address, PRICE], as(buyer))
const purchaseArgs = [modelId, p.token.address, PRICE, KEY_COMMITMENT, BUYER_KEY, KEY_SALT] as const
result.purchase = await gas(p.marketplace.write.purchase(purchaseArgs, as(buyer)))
const orderId = await p.marketplace.read.orderCount()
// With a standing, larger allowance the allowance slot stays non-zero (no refund).
await p.token.write.approve([p.marketplace.address, PRICE * 1000n], as(buyer))
result.purchaseStandingAllowance = await gas(p.marketplace.write.purchase(purchaseArgs, as(buyer)))
const good = delivery(p, orderId)
result.deliver = await gas(p.marketplace.write.deliver([orderId, good.point, good.encryptedKey], as(seller)))
result.confirm = await gas(p.marketplace.write.confirm([orderId], as(buyer)))
result.review = await gas(p.reputation.write.review([orderId, 4, 'ipfs://bafkreireview'], as(buyer)))

// Permit: the buyer's allowance is spent first so that the permit really sets it.
await p.token.write.approve([p.marketplace.address, 0n], as(buyer))
const deadline = BigInt((await networkHelpers.time.latest()) + 3600)
const nonce = await p.token.read.nonces([buyer.account.address])
const { r, s, v } = await signPermit(buyer, p.token.address, p.marketplace.address, PRICE, nonce, deadline)
result.purchaseWithPermit = await gas(
  p.marketplace.write.purchaseWithPermit([modelId, p.token.address, PRICE, KEY_COMMITMENT, BUYER_KEY, KEY_SALT, deadline, v, r, s], as(buyer)),
)
const releaseOrder = await p.marketplace.read.orderCount()
await deliver(p, releaseOrder)
await p.token.write.approve([p.marketplace.address, PRICE * 1000n], as(buyer))
const refundOrder = await buy(p, modelId)
const disputeOrder = await buy(p, modelId)
await deliver(p, disputeOrder)
result.dispute = await gas(p.marketplace.write.dispute([disputeOrder, 'ipfs://bafkreievidence'], as(buyer)))
result.rule = await gas(p.arbitration.write.giveRuling([await p.arbitration.read.disputeCount(), 3n + 5000n], as(arbiter)))
// A wrong key, proven by the buyer: full refund and the seller's fault recorded.
const badOrder = await buy(p, modelId)
const bad = await deliver(p, badOrder, wrongKey)
result.proveBadDelivery = await gas(
  p.marketplace.write.proveBadDelivery([badOrder, proof(BUYER_SECRET, bad.point, bad.encryptedKey, KEY_COMMITMENT, seller.account.address)], as(buyer)),
)
// A settlement by the parties: the second matching offer settles.
const settleOrder = await buy(p, modelId)
await deliver(p, settleOrder)
await p.marketplace.write.offerSettlement([settleOrder, 5000], as(buyer))
result.settleByParties = await gas(p.marketplace.write.offerSettlement([settleOrder, 5000], as(seller)))
await networkHelpers.time.increase(3n * DAY + 1n)
result.release = await gas(p.marketplace.write.release([releaseOrder], as(buyer)))
result.refund = await gas(p.marketplace.write.refund([refundOrder], as(buyer)))
const free = await list(p, { price: 0n })
result.claimFree = await gas(p.marketplace.write.claimFree([free], as(buyer)))

const keys = ['listModel', 'publishVersion', 'purchase', 'purchaseStandingAllowance', 'purchaseWithPermit', 'deliver', 'confirm', 'release', 'refund', 'dispute', 'rule', 'proveBadDelivery', 'settleByParties', 'review', 'claimFree']
const ordered = Object.fromEntries(keys.map((k) => [k, result[k]]))
const targets: Record<string, number> = { listModel: 250_000, purchase: 130_000, proveBadDelivery: 100_000 }
const flow = result.purchase + result.deliver + result.confirm

if (write) writeFileSync(join(import.meta.dirname, '..', 'contracts', 'gas-snapshot.json'), `${JSON.stringify(ordered, null, 2)}\n`)
if (json) {
  console.log(JSON.stringify(ordered))
} else {
  console.log('| operation | gas (incl. 21,000 base) | target |')
  console.log('|---|---:|---:|')
  for (const k of keys) console.log(`| \`${k}\` | ${ordered[k].toLocaleString('en-US')} | ${targets[k] ? `≤ ${targets[k].toLocaleString('en-US')}` : ''} |`)
  console.log(`| purchase + deliver + confirm | ${flow.toLocaleString('en-US')} | ≤ 260,000 |`)
}
