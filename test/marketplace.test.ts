import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { encodeFunctionData, parseEther, zeroAddress, zeroHash } from 'viem'
import { BUYER_KEY, DAY, KEY_COMMITMENT, KEY_SALT, PRICE, createProtocol, signPermit } from './helpers.ts'

const { viem, networkHelpers, accounts, load, list, buy, delivery, delivered, disputed } = await createProtocol()
const { seller, buyer, arbiter, treasury, other, seller2, deployer } = accounts
const { time } = networkHelpers
const Status = { None: 0, Created: 1, Delivered: 2, Completed: 3, Refunded: 4, Disputed: 5, Resolved: 6 }
const FEE = (PRICE * 250n) / 10_000n

/** deliver's arguments for an honest delivery of the committed key on `orderId`. */
function deliveryArgs(p: Parameters<typeof delivery>[0], orderId: bigint) {
  const { point, encryptedKey } = delivery(p, orderId)
  return [orderId, point, encryptedKey] as const
}

describe('Marketplace: purchase', () => {
  it('escrows the price, records the version, the buyer key, the key commitment and the delivery deadline', async () => {
    const p = await load()
    const modelId = await list(p)
    await p.token.write.approve([p.marketplace.address, PRICE], { account: buyer.account })
    const tx = p.marketplace.write.purchase([modelId, p.token.address, PRICE, KEY_COMMITMENT, BUYER_KEY, KEY_SALT], { account: buyer.account })
    await viem.assertions.emitWithArgs(tx, p.marketplace, 'OrderCreated', [
      1n,
      modelId,
      buyer.account.address,
      seller.account.address,
      p.token.address,
      PRICE,
      FEE,
      1,
      BUYER_KEY,
      KEY_SALT,
      KEY_COMMITMENT,
      (d: bigint) => d > 0n,
    ])
    const order = await p.marketplace.read.getOrder([1n])
    assert.equal(order.status, Status.Created)
    assert.equal(order.version, 1)
    assert.notEqual(order.deliveryCheck, `0x${'0'.repeat(56)}`)
    assert.equal(order.amount, PRICE)
    assert.equal(order.feeBps, 250)
    assert.equal(await p.token.read.balanceOf([p.marketplace.address]), PRICE)
    assert.equal(await p.marketplace.read.hasLicense([modelId, buyer.account.address]), false)
  })

  it('reverts when a reprice put the price above maxPrice', async () => {
    const p = await load()
    const modelId = await list(p)
    await p.registry.write.setPrice([modelId, p.token.address, PRICE * 2n], { account: seller.account })
    await p.token.write.approve([p.marketplace.address, PRICE * 2n], { account: buyer.account })
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.purchase([modelId, p.token.address, PRICE, KEY_COMMITMENT, BUYER_KEY, KEY_SALT], { account: buyer.account }),
      p.marketplace,
      'MarketplacePriceAboveMax',
      [modelId, PRICE * 2n, PRICE],
    )
  })

  it('reverts without allowance, when paused, inactive, for the seller, without a key, or for a disallowed token', async () => {
    const p = await load()
    const modelId = await list(p)
    await viem.assertions.revertWithCustomError(
      p.marketplace.write.purchase([modelId, p.token.address, PRICE, KEY_COMMITMENT, BUYER_KEY, KEY_SALT], { account: buyer.account }),
      p.token,
      'ERC20InsufficientAllowance',
    )
    await p.token.write.approve([p.marketplace.address, PRICE], { account: buyer.account })
    await viem.assertions.revertWithCustomError(
      p.marketplace.write.purchase([modelId, p.token.address, PRICE, KEY_COMMITMENT, `0x${'0'.repeat(128)}`, KEY_SALT], {
        account: buyer.account,
      }),
      p.marketplace,
      'MarketplaceInvalidBuyerKey',
    )
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.purchase([modelId, p.token.address, PRICE, KEY_COMMITMENT, BUYER_KEY, KEY_SALT], { account: seller.account }),
      p.marketplace,
      'MarketplaceSellerCannotBuy',
      [modelId],
    )
    await p.marketplace.write.pause({ account: deployer.account })
    await viem.assertions.revertWithCustomError(
      p.marketplace.write.purchase([modelId, p.token.address, PRICE, KEY_COMMITMENT, BUYER_KEY, KEY_SALT], { account: buyer.account }),
      p.marketplace,
      'EnforcedPause',
    )
    await p.marketplace.write.unpause({ account: deployer.account })
    await p.registry.write.setActive([modelId, false], { account: seller.account })
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.purchase([modelId, p.token.address, PRICE, KEY_COMMITMENT, BUYER_KEY, KEY_SALT], { account: buyer.account }),
      p.marketplace,
      'MarketplaceModelInactive',
      [modelId],
    )
    await p.registry.write.setActive([modelId, true], { account: seller.account })
    await p.registry.write.setPaymentTokenAllowed([p.token.address, false], { account: deployer.account })
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.purchase([modelId, p.token.address, PRICE, KEY_COMMITMENT, BUYER_KEY, KEY_SALT], { account: buyer.account }),
      p.marketplace,
      'MarketplacePaymentTokenNotAllowed',
      [p.token.address],
    )
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.purchase([99n, p.token.address, PRICE, KEY_COMMITMENT, BUYER_KEY, KEY_SALT], { account: buyer.account }),
      p.registry,
      'RegistryUnknownModel',
      [99n],
    )
  })

  it('licenses a free model at once, through purchase or claimFree, with no escrow', async () => {
    const p = await load()
    const modelId = await list(p, { price: 0n })
    const tx = p.marketplace.write.claimFree([modelId], { account: buyer.account })
    await viem.assertions.emitWithArgs(tx, p.marketplace, 'LicenseGranted', [modelId, buyer.account.address, 1n])
    assert.equal((await p.marketplace.read.getOrder([1n])).status, Status.Completed)
    await p.marketplace.write.purchase([modelId, zeroAddress, 0n, zeroHash, '0x', KEY_SALT], { account: other.account })
    assert.equal(await p.marketplace.read.hasLicense([modelId, other.account.address]), true)
    const zero = `0x${'0'.repeat(64)}` as const
    await p.marketplace.write.purchaseWithPermit([modelId, zeroAddress, 0n, zeroHash, '0x', zero, 0n, 0, zero, zero], { account: seller2.account })
    assert.equal(await p.marketplace.read.hasLicense([modelId, seller2.account.address]), true)
    assert.equal(await p.token.read.balanceOf([p.marketplace.address]), 0n)
    const paid = await list(p)
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.claimFree([paid], { account: buyer.account }),
      p.marketplace,
      'MarketplaceNotFree',
      [paid, PRICE],
    )
  })

  it('buys with an EIP-2612 permit instead of an approval', async () => {
    const p = await load()
    const modelId = await list(p)
    const deadline = BigInt((await time.latest()) + 3600)
    const { v, r, s } = await signPermit(buyer, p.token.address, p.marketplace.address, PRICE, 0n, deadline)
    await p.marketplace.write.purchaseWithPermit([modelId, p.token.address, PRICE, KEY_COMMITMENT, BUYER_KEY, KEY_SALT, deadline, v, r, s], {
      account: buyer.account,
    })
    assert.equal((await p.marketplace.read.getOrder([1n])).status, Status.Created)
    // The same permit again is ignored; without allowance the transfer fails.
    await viem.assertions.revertWithCustomError(
      p.marketplace.write.purchaseWithPermit([modelId, p.token.address, PRICE, KEY_COMMITMENT, BUYER_KEY, KEY_SALT, deadline, v, r, s], {
        account: buyer.account,
      }),
      p.token,
      'ERC20InsufficientAllowance',
    )
  })

  it('still buys when someone front-ran the permit (the allowance it set is used)', async () => {
    const p = await load()
    const modelId = await list(p)
    const deadline = BigInt((await time.latest()) + 3600)
    const { v, r, s } = await signPermit(buyer, p.token.address, p.marketplace.address, PRICE, 0n, deadline)
    await p.token.write.permit([buyer.account.address, p.marketplace.address, PRICE, deadline, v, r, s], {
      account: other.account,
    })
    await p.marketplace.write.purchaseWithPermit([modelId, p.token.address, PRICE, KEY_COMMITMENT, BUYER_KEY, KEY_SALT, deadline, v, r, s], {
      account: buyer.account,
    })
    assert.equal(await p.token.read.balanceOf([p.marketplace.address]), PRICE)
  })

  it('quotes the price, the fee and the seller proceeds', async () => {
    const p = await load()
    const modelId = await list(p)
    const quote = await p.marketplace.read.quote([modelId])
    assert.deepEqual(quote, { token: p.token.address, price: PRICE, fee: FEE, sellerProceeds: PRICE - FEE, feeBps: 250 })
  })
})

describe('Marketplace: delivery, confirmation, release, refunds', () => {
  it('delivers, confirms, credits the seller and the treasury, licenses the buyer, and pays out on withdraw', async () => {
    const p = await load()
    const modelId = await list(p)
    const orderId = await buy(p, modelId)
    const [, point, encryptedKey] = deliveryArgs(p, orderId)
    await viem.assertions.emitWithArgs(
      p.marketplace.write.deliver([orderId, point, encryptedKey], { account: seller.account }),
      p.marketplace,
      'OrderDelivered',
      [orderId, seller.account.address, point, encryptedKey, (d: bigint) => d > 0n],
    )
    await viem.assertions.emitWithArgs(
      p.marketplace.write.confirm([orderId], { account: buyer.account }),
      p.marketplace,
      'OrderCompleted',
      [orderId, seller.account.address, PRICE - FEE, FEE, true],
    )
    assert.equal(await p.marketplace.read.hasLicense([modelId, buyer.account.address]), true)
    assert.equal(await p.marketplace.read.payoutOf([seller.account.address, p.token.address]), PRICE - FEE)
    assert.equal(await p.marketplace.read.payoutOf([treasury.account.address, p.token.address]), FEE)
    const before = await p.token.read.balanceOf([seller.account.address])
    await viem.assertions.emitWithArgs(
      p.marketplace.write.withdraw([p.token.address], { account: seller.account }),
      p.marketplace,
      'PayoutWithdrawn',
      [seller.account.address, p.token.address, PRICE - FEE],
    )
    assert.equal(await p.token.read.balanceOf([seller.account.address]), before + PRICE - FEE)
    await p.marketplace.write.withdraw([p.token.address], { account: treasury.account })
    assert.equal(await p.token.read.balanceOf([p.marketplace.address]), 0n)
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.withdraw([p.token.address], { account: seller.account }),
      p.marketplace,
      'MarketplaceNothingToWithdraw',
      [seller.account.address, p.token.address],
    )
  })

  it('refuses delivery by anyone but the seller, twice, with no point, or after the delivery deadline', async () => {
    const p = await load()
    const orderId = await buy(p, await list(p))
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.deliver([...deliveryArgs(p, orderId)], { account: other.account }),
      p.marketplace,
      'MarketplaceNotSeller',
      [orderId, other.account.address],
    )
    await viem.assertions.revertWithCustomError(
      p.marketplace.write.deliver([orderId, '0x', KEY_SALT], { account: seller.account }),
      p.marketplace,
      'MarketplaceInvalidDeliveryPoint',
    )
    const { deadline } = await p.marketplace.read.getOrder([orderId])
    await time.setNextBlockTimestamp(deadline)
    await p.marketplace.write.deliver([...deliveryArgs(p, orderId)], { account: seller.account }) // on the deadline: in time
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.deliver([...deliveryArgs(p, orderId)], { account: seller.account }),
      p.marketplace,
      'MarketplaceWrongStatus',
      [orderId, Status.Delivered],
    )
    const late = await buy(p, await list(p))
    await time.increase(3n * DAY + 1n)
    await viem.assertions.revertWithCustomError(
      p.marketplace.write.deliver([...deliveryArgs(p, late)], { account: seller.account }),
      p.marketplace,
      'MarketplaceDeadlinePassed',
    )
  })

  it('confirms only by the buyer and only a delivered order', async () => {
    const p = await load()
    const orderId = await buy(p, await list(p))
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.confirm([orderId], { account: buyer.account }),
      p.marketplace,
      'MarketplaceWrongStatus',
      [orderId, Status.Created],
    )
    await p.marketplace.write.deliver([...deliveryArgs(p, orderId)], { account: seller.account })
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.confirm([orderId], { account: other.account }),
      p.marketplace,
      'MarketplaceNotBuyer',
      [orderId, other.account.address],
    )
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.read.getOrder([42n]),
      p.marketplace,
      'MarketplaceUnknownOrder',
      [42n],
    )
  })

  it('releases to anyone after the dispute window, not before', async () => {
    const p = await load()
    const { orderId } = await delivered(p)
    const { deadline } = await p.marketplace.read.getOrder([orderId])
    await time.setNextBlockTimestamp(deadline)
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.release([orderId], { account: other.account }),
      p.marketplace,
      'MarketplaceDeadlineNotReached',
      [orderId, BigInt(deadline)],
    )
    await time.setNextBlockTimestamp(deadline + 1)
    await viem.assertions.emitWithArgs(
      p.marketplace.write.release([orderId], { account: other.account }),
      p.marketplace,
      'OrderCompleted',
      [orderId, seller.account.address, PRICE - FEE, FEE, false],
    )
  })

  it('refunds an undelivered order after the delivery deadline, not before', async () => {
    const p = await load()
    const orderId = await buy(p, await list(p))
    await viem.assertions.revertWithCustomError(
      p.marketplace.write.refund([orderId], { account: other.account }),
      p.marketplace,
      'MarketplaceDeadlineNotReached',
    )
    await time.increase(3n * DAY + 1n)
    const before = await p.token.read.balanceOf([buyer.account.address])
    await p.marketplace.write.refund([orderId], { account: other.account })
    assert.equal(await p.token.read.balanceOf([buyer.account.address]), before + PRICE)
    const order = await p.marketplace.read.getOrder([orderId])
    assert.equal(order.status, Status.Refunded)
    assert.equal(await p.token.read.balanceOf([p.marketplace.address]), 0n)
    assert.equal(await p.marketplace.read.hasLicense([BigInt(order.modelId), buyer.account.address]), false)
  })

  it('lets only the seller decline, refunding the buyer in full', async () => {
    const p = await load()
    const orderId = await buy(p, await list(p))
    await viem.assertions.revertWithCustomError(
      p.marketplace.write.declineOrder([orderId], { account: buyer.account }),
      p.marketplace,
      'MarketplaceNotSeller',
    )
    const before = await p.token.read.balanceOf([buyer.account.address])
    await viem.assertions.emitWithArgs(
      p.marketplace.write.declineOrder([orderId], { account: seller.account }),
      p.marketplace,
      'OrderRefunded',
      [orderId, buyer.account.address, PRICE, 1],
    )
    assert.equal(await p.token.read.balanceOf([buyer.account.address]), before + PRICE)
  })

  it('keeps refunds, deliveries, releases and withdrawals working while paused', async () => {
    const p = await load()
    const { orderId } = await delivered(p)
    const undelivered = await buy(p, await list(p))
    await p.marketplace.write.pause({ account: deployer.account })
    await p.marketplace.write.confirm([orderId], { account: buyer.account })
    await p.marketplace.write.withdraw([p.token.address], { account: seller.account })
    await p.marketplace.write.deliver([...deliveryArgs(p, undelivered)], { account: seller.account })
    await time.increase(3n * DAY + 1n)
    await p.marketplace.write.release([undelivered])
    assert.equal((await p.marketplace.read.getOrder([undelivered])).status, Status.Completed)
  })

  it('credits a refund the buyer cannot receive instead of blocking the order', async () => {
    const p = await load()
    const usd = await viem.deployContract('MockERC20')
    await p.registry.write.setPaymentTokenAllowed([usd.address, true], { account: deployer.account })
    const modelId = await list(p, { token: usd.address })
    await usd.write.mint([buyer.account.address, PRICE])
    const orderId = await buy(p, modelId)
    await usd.write.setBlocked([buyer.account.address, true])
    await p.marketplace.write.declineOrder([orderId], { account: seller.account })
    assert.equal(await p.marketplace.read.payoutOf([buyer.account.address, usd.address]), PRICE)
    await usd.write.setBlocked([buyer.account.address, false])
    await p.marketplace.write.withdraw([usd.address], { account: buyer.account })
    assert.equal(await usd.read.balanceOf([buyer.account.address]), PRICE)
  })

  it('refuses fee-on-transfer tokens', async () => {
    const p = await load()
    const fot = await viem.deployContract('FeeOnTransferToken')
    await p.registry.write.setPaymentTokenAllowed([fot.address, true], { account: deployer.account })
    const modelId = await list(p, { token: fot.address })
    await fot.write.mint([buyer.account.address, PRICE])
    await fot.write.approve([p.marketplace.address, PRICE], { account: buyer.account })
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.purchase([modelId, fot.address, PRICE, KEY_COMMITMENT, BUYER_KEY, KEY_SALT], { account: buyer.account }),
      p.marketplace,
      'MarketplaceTransferAmountMismatch',
      [PRICE, PRICE - PRICE / 100n],
    )
  })

  it('blocks a token that re-enters the escrow during a transfer', async () => {
    const p = await load()
    const evil = await viem.deployContract('ReentrantToken')
    await p.registry.write.setPaymentTokenAllowed([evil.address, true], { account: deployer.account })
    const modelId = await list(p, { token: evil.address })
    await evil.write.mint([buyer.account.address, PRICE * 2n])
    const orderId = await buy(p, modelId)
    // On the refund's transfer, the token calls refund again to be paid twice.
    await time.increase(3n * DAY + 1n)
    const reenter = encodeFunctionData({ abi: p.marketplace.abi, functionName: 'refund', args: [orderId] })
    await evil.write.arm([p.marketplace.address, reenter])
    await p.marketplace.write.refund([orderId], { account: other.account })
    // The push failed (re-entry reverted), so the refund was credited once, not paid twice.
    assert.equal(await p.marketplace.read.payoutOf([buyer.account.address, evil.address]), PRICE)
    assert.equal(await evil.read.balanceOf([p.marketplace.address]), PRICE)
    // Re-entering withdraw from withdraw reverts the whole withdrawal.
    const withdraw = encodeFunctionData({ abi: p.marketplace.abi, functionName: 'withdraw', args: [evil.address] })
    await evil.write.arm([p.marketplace.address, withdraw])
    await viem.assertions.revertWithCustomError(
      p.marketplace.write.withdraw([evil.address], { account: buyer.account }),
      p.marketplace,
      'ReentrancyGuardReentrantCall',
    )
    // Re-entering purchase from purchase's transferFrom reverts the purchase.
    await evil.write.approve([p.marketplace.address, PRICE], { account: buyer.account })
    const purchase = encodeFunctionData({ abi: p.marketplace.abi, functionName: 'purchase', args: [modelId, evil.address, PRICE, KEY_COMMITMENT, BUYER_KEY, KEY_SALT] })
    await evil.write.arm([p.marketplace.address, purchase])
    await viem.assertions.revertWithCustomError(
      p.marketplace.write.purchase([modelId, evil.address, PRICE, KEY_COMMITMENT, BUYER_KEY, KEY_SALT], { account: buyer.account }),
      p.marketplace,
      'ReentrancyGuardReentrantCall',
    )
  })

  it('treats the model’s new owner as the seller after a transfer', async () => {
    const p = await load()
    const modelId = await list(p)
    const orderId = await buy(p, modelId)
    await p.registry.write.transferFrom([seller.account.address, seller2.account.address, modelId], {
      account: seller.account,
    })
    await viem.assertions.revertWithCustomError(
      p.marketplace.write.deliver([...deliveryArgs(p, orderId)], { account: seller.account }),
      p.marketplace,
      'MarketplaceNotSeller',
    )
    await p.marketplace.write.deliver([...deliveryArgs(p, orderId)], { account: seller2.account })
    await p.marketplace.write.confirm([orderId], { account: buyer.account })
    assert.equal(await p.marketplace.read.payoutOf([seller2.account.address, p.token.address]), PRICE - FEE)
  })
})

describe('Marketplace: disputes', () => {
  it('opens a dispute within the window only, by the buyer only, with the arbitration fee', async () => {
    const p = await load()
    const { orderId } = await delivered(p)
    await viem.assertions.revertWithCustomError(
      p.marketplace.write.dispute([orderId, 'ipfs://e'], { account: other.account }),
      p.marketplace,
      'MarketplaceNotBuyer',
    )
    await p.arbitration.write.setArbitrationCost([parseEther('0.01')], { account: deployer.account })
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.dispute([orderId, 'ipfs://e'], { account: buyer.account }),
      p.marketplace,
      'MarketplaceWrongArbitrationFee',
      [0n, parseEther('0.01')],
    )
    const tx = p.marketplace.write.dispute([orderId, 'ipfs://e'], { account: buyer.account, value: parseEther('0.01') })
    await viem.assertions.emitWithArgs(tx, p.marketplace, 'Dispute', [p.arbitration.address, 1n, 0n, orderId])
    assert.equal((await p.marketplace.read.getOrder([orderId])).status, Status.Disputed)
    assert.equal(await p.marketplace.read.orderOfDispute([1n]), orderId)
    // The dispute fee is held by the arbitrator until the ruling, then the treasurer may send it on.
    assert.equal(await p.arbitration.read.heldFees(), parseEther('0.01'))
    await viem.assertions.balancesHaveChanged(
      p.arbitration.write.withdrawFees([treasury.account.address], { account: deployer.account }),
      [{ address: treasury.account.address, amount: 0n }],
    )
    await viem.assertions.revertWithCustomError(
      p.arbitration.write.withdrawFees([other.account.address], { account: other.account }),
      p.arbitration,
      'AccessManagedUnauthorized',
    )
    await p.arbitration.write.giveRuling([1n, 2n], { account: arbiter.account })
    assert.equal(await p.arbitration.read.heldFees(), 0n)
    await viem.assertions.balancesHaveChanged(
      p.arbitration.write.withdrawFees([treasury.account.address], { account: deployer.account }),
      [{ address: treasury.account.address, amount: parseEther('0.01') }],
    )
    const late = await delivered(p)
    await time.increase(3n * DAY + 1n)
    await viem.assertions.revertWithCustomError(
      p.marketplace.write.dispute([late.orderId, 'ipfs://e'], { account: buyer.account, value: parseEther('0.01') }),
      p.marketplace,
      'MarketplaceDeadlinePassed',
    )
  })

  it('accepts evidence from both parties only', async () => {
    const p = await load()
    const { orderId } = await disputed(p)
    await viem.assertions.emitWithArgs(
      p.marketplace.write.submitEvidence([orderId, 'ipfs://seller'], { account: seller.account }),
      p.marketplace,
      'Evidence',
      [p.arbitration.address, orderId, seller.account.address, 'ipfs://seller'],
    )
    await viem.assertions.revertWithCustomError(
      p.marketplace.write.submitEvidence([orderId, 'ipfs://x'], { account: other.account }),
      p.marketplace,
      'MarketplaceNotParty',
    )
  })

  it('rules for the buyer: full refund, no license, dispute won by the buyer', async () => {
    const p = await load()
    const { orderId, disputeId, modelId } = await disputed(p)
    const before = await p.token.read.balanceOf([buyer.account.address])
    await viem.assertions.emitWithArgs(
      p.arbitration.write.giveRuling([disputeId, 1n], { account: arbiter.account }),
      p.marketplace,
      'DisputeResolved',
      [orderId, disputeId, 1n, PRICE, 0n, 0n, false],
    )
    assert.equal((await p.marketplace.read.getOrder([orderId])).status, Status.Refunded)
    assert.equal(await p.token.read.balanceOf([buyer.account.address]), before + PRICE)
    assert.equal(await p.marketplace.read.hasLicense([modelId, buyer.account.address]), false)
    assert.deepEqual(await p.reputation.read.disputeRecord([buyer.account.address]), [1n, 0n])
    assert.deepEqual(await p.reputation.read.disputeRecord([seller.account.address]), [0n, 1n])
  })

  it('rules for the seller: release minus the fee, license granted', async () => {
    const p = await load()
    const { orderId, disputeId, modelId } = await disputed(p)
    await p.arbitration.write.giveRuling([disputeId, 2n], { account: arbiter.account })
    assert.equal((await p.marketplace.read.getOrder([orderId])).status, Status.Resolved)
    assert.equal(await p.marketplace.read.payoutOf([seller.account.address, p.token.address]), PRICE - FEE)
    assert.equal(await p.marketplace.read.hasLicense([modelId, buyer.account.address]), true)
    assert.deepEqual(await p.reputation.read.disputeRecord([seller.account.address]), [1n, 0n])
  })

  it('splits: the buyer gets its share back, the fee is taken on the seller’s part only', async () => {
    const p = await load()
    const { orderId, disputeId } = await disputed(p)
    const buyerRefund = (PRICE * 2500n) / 10_000n
    const fee = ((PRICE - buyerRefund) * 250n) / 10_000n
    await viem.assertions.emitWithArgs(
      p.arbitration.write.giveRuling([disputeId, 3n + 2500n], { account: arbiter.account }),
      p.marketplace,
      'DisputeResolved',
      [orderId, disputeId, 2503n, buyerRefund, PRICE - buyerRefund - fee, fee, false],
    )
    assert.equal(await p.token.read.balanceOf([p.marketplace.address]), PRICE - buyerRefund)
  })

  it('applies the default 50/50 rule when the arbitrator refuses (ruling 0)', async () => {
    const p = await load()
    const { orderId, disputeId } = await disputed(p)
    const half = PRICE / 2n
    const fee = (half * 250n) / 10_000n
    await viem.assertions.emitWithArgs(
      p.arbitration.write.giveRuling([disputeId, 0n], { account: arbiter.account }),
      p.marketplace,
      'DisputeResolved',
      [orderId, disputeId, 0n, half, half - fee, fee, true],
    )
  })

  it('settles an unruled dispute by the default rule after the ruling deadline, not before', async () => {
    const p = await load()
    const { orderId, disputeId } = await disputed(p)
    await viem.assertions.revertWithCustomError(
      p.marketplace.write.settleExpiredDispute([orderId]),
      p.marketplace,
      'MarketplaceDeadlineNotReached',
    )
    await time.increase(14n * DAY + 1n)
    await p.marketplace.write.settleExpiredDispute([orderId], { account: other.account })
    assert.equal((await p.marketplace.read.getOrder([orderId])).status, Status.Resolved)
    // The dispute was cancelled at the arbitrator, which can no longer rule on it.
    assert.equal((await p.arbitration.read.getDispute([disputeId])).cancelled, true)
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.arbitration.write.giveRuling([disputeId, 1n], { account: arbiter.account }),
      p.arbitration,
      'ArbitrationDisputeCancelled',
      [disputeId],
    )
  })

  it('refuses rulings from non-arbiters, invalid rulings, appeals, and direct calls to rule', async () => {
    const p = await load()
    const { disputeId } = await disputed(p)
    await viem.assertions.revertWithCustomError(
      p.arbitration.write.giveRuling([disputeId, 1n], { account: buyer.account }),
      p.arbitration,
      'AccessManagedUnauthorized',
    )
    await viem.assertions.revertWithCustomError(
      p.arbitration.write.giveRuling([disputeId, 10_004n], { account: arbiter.account }),
      p.arbitration,
      'ArbitrationInvalidRuling',
    )
    await viem.assertions.revertWithCustomError(
      p.arbitration.write.appeal([disputeId, '0x'], { account: buyer.account }),
      p.arbitration,
      'ArbitrationAppealsUnsupported',
    )
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.rule([disputeId, 2n], { account: seller.account }),
      p.marketplace,
      'MarketplaceNotArbitrator',
      [seller.account.address],
    )
    await p.arbitration.write.giveRuling([disputeId, 2n], { account: arbiter.account })
    assert.equal(await p.arbitration.read.disputeStatus([disputeId]), 2)
    assert.equal(await p.arbitration.read.currentRuling([disputeId]), 2n)
    await viem.assertions.revertWithCustomError(
      p.arbitration.write.giveRuling([disputeId, 1n], { account: arbiter.account }),
      p.arbitration,
      'ArbitrationAlreadyRuled',
    )
  })
})

describe('Marketplace: governance', () => {
  it('caps the fee, bounds the windows, and restricts setters to their roles', async () => {
    const p = await load()
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.setFee([1001], { account: deployer.account }),
      p.marketplace,
      'MarketplaceFeeAboveCap',
      [1001n, 1000n],
    )
    await viem.assertions.revertWithCustomError(
      p.marketplace.write.setFee([100], { account: other.account }),
      p.marketplace,
      'AccessManagedUnauthorized',
    )
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.setWindows([60, 86_400, 86_400], { account: deployer.account }),
      p.marketplace,
      'MarketplaceInvalidWindow',
      [60n, 3600n, 30n * 86_400n],
    )
    await viem.assertions.revertWithCustomError(
      p.marketplace.write.setTreasury([zeroAddress], { account: deployer.account }),
      p.marketplace,
      'MarketplaceZeroAddress',
    )
    await viem.assertions.revertWithCustomError(
      p.marketplace.write.pause({ account: other.account }),
      p.marketplace,
      'AccessManagedUnauthorized',
    )
    await p.marketplace.write.setWindows([3600, 7200, 86_400], { account: deployer.account })
    assert.deepEqual(await p.marketplace.read.windows(), [3600, 7200, 86_400])
  })

  it('takes the fee snapshotted at purchase, not the fee at release', async () => {
    const p = await load()
    const { orderId } = await delivered(p)
    await p.marketplace.write.setFee([1000], { account: deployer.account })
    await p.marketplace.write.confirm([orderId], { account: buyer.account })
    assert.equal(await p.marketplace.read.payoutOf([treasury.account.address, p.token.address]), FEE)
  })
})
