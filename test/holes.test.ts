// The holes the outside security review found. Each test here was first run against the contracts of
// the review (today's main before this change, in its old ABI) and failed there: see the commit message.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { encodeFunctionData, parseEther, zeroAddress, zeroHash } from 'viem'
import { BUYER_KEY, DAY, KEY_COMMITMENT, KEY_SALT, PRICE, createProtocol, version } from './helpers.ts'

const { viem, networkHelpers, publicClient, accounts, load, list, buy, delivered, disputed } = await createProtocol()
const { seller, buyer, arbiter, other, deployer } = accounts
const { time } = networkHelpers
const Status = { Completed: 3, Refunded: 4, Disputed: 5, Resolved: 6 }
const FEE_BPS = 250n

describe('Review holes', () => {
  it('a token switch in front of a purchase reverts: the purchase names the token it expects', async () => {
    const p = await load()
    const usd = await viem.deployContract('MockERC20')
    await p.registry.write.setPaymentTokenAllowed([usd.address, true], { account: deployer.account })
    const modelId = await list(p)
    await usd.write.mint([buyer.account.address, PRICE])
    await usd.write.approve([p.marketplace.address, PRICE], { account: buyer.account })
    await p.token.write.approve([p.marketplace.address, PRICE], { account: buyer.account })
    await p.registry.write.setPrice([modelId, usd.address, PRICE], { account: seller.account })
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.purchase([modelId, p.token.address, PRICE, KEY_COMMITMENT, BUYER_KEY, KEY_SALT], { account: buyer.account }),
      p.marketplace,
      'MarketplacePaymentTokenMismatch',
      [modelId, usd.address, p.token.address],
    )
    assert.equal(await usd.read.balanceOf([buyer.account.address]), PRICE)
  })

  it('a key commitment changed in front of a purchase reverts: the purchase names the commitment it expects (second reading, M1)', async () => {
    const p = await load()
    const modelId = await list(p)
    await p.token.write.approve([p.marketplace.address, PRICE], { account: buyer.account })
    const unchecked = `0x${'ab'.repeat(32)}` as const
    await p.registry.write.setKeyCommitment([modelId, unchecked], { account: seller.account })
    const before = await p.token.read.balanceOf([buyer.account.address])
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.purchase([modelId, p.token.address, PRICE, KEY_COMMITMENT, BUYER_KEY, KEY_SALT], { account: buyer.account }),
      p.marketplace,
      'MarketplaceKeyCommitmentMismatch',
      [modelId, unchecked, KEY_COMMITMENT],
    )
    assert.equal(await p.token.read.balanceOf([buyer.account.address]), before)
    // naming the commitment now in force buys under it
    await p.marketplace.write.purchase([modelId, p.token.address, PRICE, unchecked, BUYER_KEY, KEY_SALT], { account: buyer.account })
    assert.equal(await p.token.read.balanceOf([buyer.account.address]), before - PRICE)
  })

  it('one review per buyer and model whatever the number of orders; the review says whether it was paid', async () => {
    const p = await load()
    const free = await list(p, { price: 0n })
    await p.marketplace.write.claimFree([free], { account: buyer.account })
    await viem.assertions.emitWithArgs(
      p.reputation.write.review([1n, 5, ''], { account: buyer.account }),
      p.reputation,
      'ReviewSubmitted',
      [1n, free, buyer.account.address, seller.account.address, 5, '', false],
    )
    await p.marketplace.write.claimFree([free], { account: buyer.account })
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.reputation.write.review([2n, 5, ''], { account: buyer.account }),
      p.reputation,
      'ReputationAlreadyReviewedModel',
      [free, buyer.account.address],
    )
    assert.equal(await p.reputation.read.hasReviewedModel([free, buyer.account.address]), true)
    assert.equal(await p.reputation.read.isReviewed([2n]), true) // the buyer's review covers its other orders
    assert.equal(await p.reputation.read.isReviewed([999n]), false)
    // A paid model set to price 0 for a moment gives an unpaid order: it cannot pass for a paid review.
    const paid = await list(p)
    await p.registry.write.setPrice([paid, p.token.address, 0n], { account: seller.account })
    await p.marketplace.write.claimFree([paid], { account: other.account })
    const unpaid = await p.marketplace.read.orderCount()
    await viem.assertions.emitWithArgs(
      p.reputation.write.review([unpaid, 5, ''], { account: other.account }),
      p.reputation,
      'ReviewSubmitted',
      [unpaid, paid, other.account.address, seller.account.address, 5, '', false],
    )
  })

  it('settlement never depends on Reputation: a failing call only emits ReputationNotRecorded', async () => {
    const p = await load()
    const { orderId, disputeId } = await disputed(p)
    await p.manager.write.revokeRole([7n, p.marketplace.address], { account: deployer.account }) // PROTOCOL
    const before = await p.token.read.balanceOf([buyer.account.address])
    await viem.assertions.emitWithArgs(
      p.arbitration.write.giveRuling([disputeId, 1n], { account: arbiter.account }),
      p.marketplace,
      'ReputationNotRecorded',
      [orderId],
    )
    assert.equal((await p.marketplace.read.getOrder([orderId])).status, Status.Refunded)
    assert.equal(await p.token.read.balanceOf([buyer.account.address]), before + PRICE)
  })

  it('a caller cannot starve the Reputation call to skip it', async () => {
    const p = await load()
    const { orderId } = await disputed(p)
    await time.increase(14n * DAY + 1n)
    await viem.assertions.revertWithCustomError(
      p.marketplace.write.settleExpiredDispute([orderId], { account: other.account, gas: 150_000n }),
      p.marketplace,
      'MarketplaceInsufficientGas',
    )
    await p.marketplace.write.settleExpiredDispute([orderId], { account: other.account })
  })

  it('the arbitration fee returns to the buyer when a dispute settles by default', async () => {
    const p = await load()
    await p.arbitration.write.setArbitrationCost([parseEther('1')], { account: deployer.account })
    const { orderId } = await delivered(p)
    await p.marketplace.write.dispute([orderId, 'ipfs://e'], { account: buyer.account, value: parseEther('1') })
    await time.increase(14n * DAY + 1n)
    await viem.assertions.balancesHaveChanged(
      p.marketplace.write.settleExpiredDispute([orderId], { account: other.account }),
      [
        { address: buyer.account.address, amount: parseEther('1') },
        { address: p.arbitration.address, amount: -parseEther('1') },
      ],
    )
    assert.equal(await p.arbitration.read.heldFees(), 0n)
    assert.equal(await publicClient.getBalance({ address: p.arbitration.address }), 0n)
  })

  it('the parties settle between themselves, from Delivered or Disputed (fee returned)', async () => {
    const p = await load()
    await p.arbitration.write.setArbitrationCost([parseEther('1')], { account: deployer.account })
    const { orderId, modelId } = await delivered(p)
    await p.marketplace.write.dispute([orderId, 'ipfs://e'], { account: buyer.account, value: parseEther('1') })
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.offerSettlement([orderId, 6000], { account: other.account }),
      p.marketplace,
      'MarketplaceNotParty',
      [orderId, other.account.address],
    )
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.offerSettlement([orderId, 10_001], { account: buyer.account }),
      p.marketplace,
      'MarketplaceInvalidShare',
      [10_001n],
    )
    await p.marketplace.write.offerSettlement([orderId, 7000], { account: buyer.account })
    await p.marketplace.write.offerSettlement([orderId, 5000], { account: seller.account }) // no match yet
    assert.equal((await p.marketplace.read.getOrder([orderId])).status, Status.Disputed)
    assert.deepEqual(await p.marketplace.read.settlementOffer([orderId, seller.account.address]), [true, 5000])
    await p.marketplace.write.offerSettlement([orderId, 6000], { account: buyer.account })
    const refund = (PRICE * 6000n) / 10_000n
    const fee = ((PRICE - refund) * FEE_BPS) / 10_000n
    const tx = p.marketplace.write.offerSettlement([orderId, 6000], { account: seller.account })
    await viem.assertions.emitWithArgs(tx, p.marketplace, 'OrderSettled', [orderId, 6000, refund, PRICE - refund - fee, fee])
    assert.equal((await p.marketplace.read.getOrder([orderId])).status, Status.Resolved)
    assert.equal(await p.marketplace.read.hasLicense([modelId, buyer.account.address]), true)
    assert.equal(await p.marketplace.read.payoutOf([seller.account.address, p.token.address]), PRICE - refund - fee)
    assert.equal(await publicClient.getBalance({ address: p.arbitration.address }), 0n)
    // No win or loss for a settlement.
    assert.deepEqual(await p.reputation.read.disputeRecord([buyer.account.address]), [0n, 0n])
    // Everything back from Delivered: a refund, no license.
    const second = await delivered(p)
    await p.marketplace.write.offerSettlement([second.orderId, 10_000], { account: seller.account })
    await p.marketplace.write.offerSettlement([second.orderId, 10_000], { account: buyer.account })
    assert.equal((await p.marketplace.read.getOrder([second.orderId])).status, Status.Refunded)
    assert.equal(await p.marketplace.read.hasLicense([second.modelId, buyer.account.address]), false)
  })

  it('Evaluations honours the execution delay of the evaluator role', async () => {
    const p = await load()
    const key = `0x${'11'.repeat(32)}` as const
    await p.manager.write.grantRole([4n, other.account.address, 86_400], { account: deployer.account }) // EVALUATOR
    await viem.assertions.revertWithCustomError(
      p.evaluations.write.setEvaluatorKey([key], { account: other.account }),
      p.manager,
      'AccessManagerNotScheduled',
    )
    const data = encodeFunctionData({
      abi: p.evaluations.abi,
      functionName: 'setEvaluatorKey',
      args: [key],
    })
    await p.manager.write.schedule([p.evaluations.address, data, 0], { account: other.account })
    await time.increase(86_400n)
    await p.evaluations.write.setEvaluatorKey([key], { account: other.account })
    assert.equal(await p.evaluations.read.evaluatorKey([other.account.address]), key)
  })

  it('a 10,000-bps split is the buyer’s win and a 0-bps split the seller’s (licensing and records agree)', async () => {
    const p = await load()
    const all = await disputed(p)
    await p.arbitration.write.giveRuling([all.disputeId, 3n + 10_000n], { account: arbiter.account })
    assert.equal((await p.marketplace.read.getOrder([all.orderId])).status, Status.Refunded)
    assert.equal(await p.marketplace.read.hasLicense([all.modelId, buyer.account.address]), false)
    assert.deepEqual(await p.reputation.read.disputeRecord([buyer.account.address]), [1n, 0n])
    const none = await disputed(p)
    await p.arbitration.write.giveRuling([none.disputeId, 3n], { account: arbiter.account })
    assert.equal((await p.marketplace.read.getOrder([none.orderId])).status, Status.Resolved)
    assert.equal(await p.marketplace.read.hasLicense([none.modelId, buyer.account.address]), true)
    assert.deepEqual(await p.reputation.read.disputeRecord([seller.account.address]), [1n, 1n])
  })

  it('only an allowed arbitrable (the marketplace) opens disputes at Arbitration', async () => {
    const p = await load()
    await viem.assertions.revertWithCustomError(
      p.arbitration.write.createDispute([2n, '0x'], { account: other.account }),
      p.arbitration,
      'AccessManagedUnauthorized',
    )
    await disputed(p)
    assert.equal(await p.arbitration.read.disputeCount(), 1n)
  })

  it('an order records the version bought', async () => {
    const p = await load()
    const modelId = await list(p)
    await p.registry.write.publishVersion([modelId, version('2.0.0')], { account: seller.account })
    const orderId = await buy(p, modelId)
    assert.equal((await p.marketplace.read.getOrder([orderId])).version, 2)
    // A free license records it in its event only.
    const free = await list(p, { price: 0n })
    await viem.assertions.emitWithArgs(
      p.marketplace.write.purchase([free, zeroAddress, 0n, zeroHash, '0x', KEY_SALT], { account: other.account }),
      p.marketplace,
      'OrderCreated',
      [orderId + 1n, free, other.account.address, seller.account.address, zeroAddress, 0n, 0n, 1, '0x', zeroHash, zeroHash, 0n],
    )
  })
})
