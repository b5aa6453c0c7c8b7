import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { getAddress } from 'viem'
import { createProtocol } from './helpers.ts'

const { viem, accounts, load, list, buy, delivered, disputed } = await createProtocol()
const { seller, buyer, other, arbiter, seller2 } = accounts

describe('Reputation: reviews', () => {
  it('takes one review by the buyer of a completed order and aggregates per model and per seller', async () => {
    const p = await load()
    const { orderId, modelId } = await delivered(p)
    await p.marketplace.write.confirm([orderId], { account: buyer.account })
    await viem.assertions.emitWithArgs(
      p.reputation.write.review([orderId, 4, 'ipfs://review'], { account: buyer.account }),
      p.reputation,
      'ReviewSubmitted',
      [orderId, modelId, buyer.account.address, seller.account.address, 4, 'ipfs://review', true],
    )
    assert.deepEqual(await p.reputation.read.modelRating([modelId]), [4n, 1n])
    assert.deepEqual(await p.reputation.read.sellerRating([seller.account.address]), [4n, 1n])
    assert.equal(await p.reputation.read.isReviewed([orderId]), true)
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.reputation.write.review([orderId, 5, ''], { account: buyer.account }),
      p.reputation,
      'ReputationAlreadyReviewedModel',
      [modelId, getAddress(buyer.account.address)],
    )
  })

  it('refuses unlicensed reviewers, uncompleted orders, and bad ratings', async () => {
    const p = await load()
    const { orderId } = await delivered(p)
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.reputation.write.review([orderId, 5, ''], { account: buyer.account }),
      p.reputation,
      'ReputationOrderNotCompleted',
      [orderId],
    )
    await p.marketplace.write.confirm([orderId], { account: buyer.account })
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.reputation.write.review([orderId, 5, ''], { account: other.account }),
      p.reputation,
      'ReputationNotOrderBuyer',
      [orderId, other.account.address],
    )
    for (const rating of [0, 6]) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        p.reputation.write.review([orderId, rating, ''], { account: buyer.account }),
        p.reputation,
        'ReputationInvalidRating',
        [rating],
      )
    }
    await viem.assertions.revertWithCustomError(
      p.reputation.write.review([orderId, 5, 'x'.repeat(257)], { account: buyer.account }),
      p.reputation,
      'ReputationInvalidURI',
    )
    await viem.assertions.revertWithCustomError(
      p.reputation.write.review([999n, 5, ''], { account: buyer.account }),
      p.marketplace,
      'MarketplaceUnknownOrder',
    )
  })

  it('accepts a review of a resolved dispute and of a free model, credited to the current owner', async () => {
    const p = await load()
    const { orderId, disputeId, modelId } = await disputed(p)
    await p.arbitration.write.giveRuling([disputeId, 2n], { account: arbiter.account })
    await p.registry.write.transferFrom([seller.account.address, seller2.account.address, modelId], {
      account: seller.account,
    })
    await p.reputation.write.review([orderId, 2, ''], { account: buyer.account })
    assert.deepEqual(await p.reputation.read.sellerRating([seller2.account.address]), [2n, 1n])
    const free = await list(p, { price: 0n })
    await p.marketplace.write.claimFree([free], { account: other.account })
    await p.reputation.write.review([await p.marketplace.read.orderCount(), 5, ''], { account: other.account })
    assert.deepEqual(await p.reputation.read.modelRating([free]), [5n, 1n])
  })

  it('records dispute outcomes only from the marketplace (PROTOCOL role)', async () => {
    const p = await load()
    await viem.assertions.revertWithCustomError(
      p.reputation.write.recordDisputeOutcome([1n, buyer.account.address, seller.account.address, false], {
        account: buyer.account,
      }),
      p.reputation,
      'AccessManagedUnauthorized',
    )
    const { disputeId } = await disputed(p)
    await p.arbitration.write.giveRuling([disputeId, 3n + 4000n], { account: arbiter.account })
    // A split counts as neither won nor lost.
    assert.deepEqual(await p.reputation.read.disputeRecord([buyer.account.address]), [0n, 0n])
  })
})

describe('Reputation: profiles', () => {
  it('sets a unique handle and a profile URI; releasing the handle frees it', async () => {
    const p = await load()
    await viem.assertions.emitWithArgs(
      p.reputation.write.setProfile(['alice_01', 'ipfs://profile'], { account: buyer.account }),
      p.reputation,
      'ProfileUpdated',
      [buyer.account.address, 'alice_01', 'ipfs://profile'],
    )
    assert.equal(await p.reputation.read.ownerOfHandle(['alice_01']), getAddress(buyer.account.address))
    assert.deepEqual(await p.reputation.read.profileOf([buyer.account.address]), ['alice_01', 'ipfs://profile'])
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.reputation.write.setProfile(['alice_01', ''], { account: other.account }),
      p.reputation,
      'ReputationHandleTaken',
      ['alice_01', buyer.account.address],
    )
    await p.reputation.write.setProfile(['alice_02', 'ipfs://profile'], { account: buyer.account })
    await p.reputation.write.setProfile(['alice_01', ''], { account: other.account })
    await p.reputation.write.setProfile(['', ''], { account: other.account })
    assert.equal(await p.reputation.read.ownerOfHandle(['alice_01']), '0x0000000000000000000000000000000000000000')
  })

  it('refuses handles outside 3-32 characters of a-z, 0-9 and _', async () => {
    const p = await load()
    for (const handle of ['ab', 'x'.repeat(33), 'Alice', 'bob-smith', 'émile']) {
      await viem.assertions.revertWithCustomError(
        p.reputation.write.setProfile([handle, ''], { account: buyer.account }),
        p.reputation,
        'ReputationInvalidHandle',
      )
    }
    await buy(p, await list(p)) // unrelated activity keeps the fixture realistic
  })
})
