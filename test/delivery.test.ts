// Provable key delivery on the EVM, checked against an independent off-chain computation (noble-curves):
// good and wrong keys, malformed delivery points, wrong or out-of-range secrets, random deliveries
// agreeing on and off chain, and orders made before the upgrade.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { secp256k1 } from '@noble/curves/secp256k1'
import { type Hex, bytesToHex, encodeAbiParameters, keccak256, parseEther, toHex } from 'viem'
import { buyerKey, commitment, encryptKey, N, openKey, scalar } from './delivery.ts'
import { BUYER_SECRET, KEY_COMMITMENT, KEY_SALT, MODEL_KEY, PRICE, createProtocol, proof } from './helpers.ts'

const { viem, networkHelpers, publicClient, accounts, load, list, buy, delivery, delivered, disputed } =
  await createProtocol()
const { seller, buyer, other, deployer } = accounts
const Status = { Created: 1, Delivered: 2, Completed: 3, Refunded: 4, Disputed: 5 }
const WRONG_KEY = keccak256(toHex('a key that opens nothing'))
const P = secp256k1.CURVE.Fp.ORDER
type Protocol = Awaited<ReturnType<typeof load>>

/** An x-coordinate below n with no point on the curve. */
function offCurveX(): bigint {
  for (let x = 5n; ; x++) {
    try {
      secp256k1.ProjectivePoint.fromHex(`02${x.toString(16).padStart(64, '0')}`)
    } catch {
      return x
    }
  }
}
const point33 = (prefix: string, x: bigint) => `0x${prefix}${x.toString(16).padStart(64, '0')}` as Hex

describe('Provable delivery', () => {
  it('refunds a wrong key in full from the contract alone, records the seller’s fault, and stays under 100,000 gas', async () => {
    const p = await load()
    const { orderId, modelId, point, encryptedKey } = await delivered(p, WRONG_KEY)
    const context = { chainId: 31337, marketplace: p.marketplace.address, orderId }
    assert.equal(openKey(context, BUYER_SECRET, point, encryptedKey), WRONG_KEY) // the buyer's local check
    const before = await p.token.read.balanceOf([buyer.account.address])
    const tx = p.marketplace.write.proveBadDelivery([orderId, proof(BUYER_SECRET, point, encryptedKey, KEY_COMMITMENT, seller.account.address)], {
      account: buyer.account,
    })
    await viem.assertions.emitWithArgs(tx, p.reputation, 'BadDeliveryRecorded', [orderId, modelId, seller.account.address])
    await viem.assertions.emitWithArgs(tx, p.marketplace, 'OrderRefunded', [orderId, buyer.account.address, PRICE, 3])
    const receipt = await publicClient.getTransactionReceipt({ hash: await tx })
    assert.ok(receipt.gasUsed <= 100_000n, `proveBadDelivery used ${receipt.gasUsed} gas`)
    assert.equal((await p.marketplace.read.getOrder([orderId])).status, Status.Refunded)
    assert.equal(await p.token.read.balanceOf([buyer.account.address]), before + PRICE)
    assert.equal(await p.token.read.balanceOf([p.marketplace.address]), 0n)
    assert.equal(await p.marketplace.read.hasLicense([modelId, buyer.account.address]), false)
  })

  it('refuses to "prove" a good delivery (the SDK never sends one: it would publish the key)', async () => {
    const p = await load()
    const { orderId, point, encryptedKey } = await delivered(p)
    assert.equal(openKey({ chainId: 31337, marketplace: p.marketplace.address, orderId }, BUYER_SECRET, point, encryptedKey), MODEL_KEY)
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.proveBadDelivery([orderId, proof(BUYER_SECRET, point, encryptedKey, KEY_COMMITMENT, seller.account.address)]),
      p.marketplace,
      'MarketplaceDeliveryNotBad',
      [orderId],
    )
  })

  it('works while Disputed: refund, dispute cancelled, arbitration fee back to the buyer; a copied proof pays the buyer', async () => {
    const p = await load()
    await p.arbitration.write.setArbitrationCost([parseEther('0.5')], { account: deployer.account })
    const { orderId, point, encryptedKey } = await delivered(p, WRONG_KEY)
    await p.marketplace.write.dispute([orderId, 'ipfs://e'], { account: buyer.account, value: parseEther('0.5') })
    const tokensBefore = await p.token.read.balanceOf([buyer.account.address])
    // Someone else sends the buyer's proof (copied from the mempool): the buyer is still the one refunded.
    await viem.assertions.balancesHaveChanged(
      p.marketplace.write.proveBadDelivery([orderId, proof(BUYER_SECRET, point, encryptedKey, KEY_COMMITMENT, seller.account.address)], {
        account: other.account,
      }),
      [{ address: buyer.account.address, amount: parseEther('0.5') }],
    )
    assert.equal(await p.token.read.balanceOf([buyer.account.address]), tokensBefore + PRICE)
    assert.equal((await p.arbitration.read.getDispute([1n])).cancelled, true)
    assert.equal(await p.arbitration.read.heldFees(), 0n)
  })

  it('refuses a proof outside Delivered and Disputed, and one with a wrong, zero or out-of-range b, R, c or commitment', async () => {
    const p = await load()
    const { orderId, point, encryptedKey } = await delivered(p, WRONG_KEY)
    const prove = (b: bigint, R: Hex = point, c: Hex = encryptedKey, C: Hex = KEY_COMMITMENT) =>
      p.marketplace.write.proveBadDelivery([orderId, proof(b, R, c, C, seller.account.address)])
    for (const b of [0n, N, N + 1n, 2n ** 256n - 1n]) {
      await viem.assertions.revertWithCustomError(prove(b), p.marketplace, 'MarketplaceInvalidBuyerSecret')
    }
    // Another secret, the secret of another order (same buyer, another key), b + 1, and b - n (mod n is b but b - n < 0 is not a uint).
    const otherOrder = await buy(p, await list(p))
    const otherSecret = scalar('another order key')
    assert.notEqual(otherSecret, BUYER_SECRET)
    for (const b of [otherSecret, BUYER_SECRET + 1n, N - BUYER_SECRET]) {
      await viem.assertions.revertWithCustomErrorWithArgs(prove(b), p.marketplace, 'MarketplaceProofMismatch', [orderId])
    }
    const flipped = toHex(BigInt(encryptedKey) ^ 1n, { size: 32 })
    const otherPoint = delivery(p, orderId, WRONG_KEY, 12345n).point
    for (const [R, c, C] of [
      [point, flipped, KEY_COMMITMENT],
      [otherPoint, encryptedKey, KEY_COMMITMENT],
      [point, encryptedKey, commitment(WRONG_KEY)],
      [point.slice(0, 66) as Hex, encryptedKey, KEY_COMMITMENT],
    ] as const) {
      await viem.assertions.revertWithCustomErrorWithArgs(prove(BUYER_SECRET, R, c, C), p.marketplace, 'MarketplaceProofMismatch', [orderId])
    }
    // The fault is bound to whoever delivered: the proof cannot name someone else.
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.proveBadDelivery([orderId, proof(BUYER_SECRET, point, encryptedKey, KEY_COMMITMENT, other.account.address)]),
      p.marketplace,
      'MarketplaceProofMismatch',
      [orderId],
    )
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.proveBadDelivery([otherOrder, proof(BUYER_SECRET, point, encryptedKey, KEY_COMMITMENT, seller.account.address)]),
      p.marketplace,
      'MarketplaceWrongStatus',
      [otherOrder, Status.Created],
    )
    await p.marketplace.write.confirm([orderId], { account: buyer.account })
    await viem.assertions.revertWithCustomErrorWithArgs(prove(BUYER_SECRET), p.marketplace, 'MarketplaceWrongStatus', [
      orderId,
      Status.Completed,
    ])
  })

  it('refuses malformed delivery points: length, prefix, x = 0, x >= n, x off the curve', async () => {
    const p = await load()
    const orderId = await buy(p, await list(p))
    const { point, encryptedKey } = delivery(p, orderId)
    const x = BigInt(`0x${point.slice(4)}`)
    const cases: Hex[] = [
      '0x',
      point.slice(0, 66) as Hex, // 32 bytes
      `${point}00`, // 34 bytes
      point33('04', x),
      point33('00', x),
      point33('02', 0n),
      point33('02', N),
      point33('03', P - 1n),
      point33('02', offCurveX()),
      point33('03', offCurveX()),
    ]
    for (const bad of cases) {
      await viem.assertions.revertWithCustomError(
        p.marketplace.write.deliver([orderId, bad, encryptedKey], { account: seller.account }),
        p.marketplace,
        'MarketplaceInvalidDeliveryPoint',
      )
    }
    await p.marketplace.write.deliver([orderId, point, encryptedKey], { account: seller.account })
  })

  it('refuses buyer keys that are not 64 bytes of a point with 0 < x < n', async () => {
    const p = await load()
    const modelId = await list(p)
    await p.token.write.approve([p.marketplace.address, PRICE], { account: buyer.account })
    const good = buyerKey(BUYER_SECRET)
    const x = BigInt(good.slice(0, 66))
    const y = BigInt(`0x${good.slice(66)}`)
    const word = (v: bigint) => v.toString(16).padStart(64, '0')
    const cases: Hex[] = [
      '0x',
      good.slice(0, 66) as Hex,
      `0x${word(x)}${word(P - y)}00`,
      `0x${word(x)}${word((y + 1n) % P)}`, // off the curve
      `0x${word(0n)}${word(y)}`,
      `0x${word(x)}${word(y + P)}`.slice(0, 130) as Hex, // y + p overflows 32 bytes: take the truncation (off the curve)
      `0x${word(x + N)}${word(y)}`.slice(0, 130) as Hex,
    ]
    for (const bad of cases) {
      await viem.assertions.revertWithCustomError(
        p.marketplace.write.purchase([modelId, p.token.address, PRICE, KEY_COMMITMENT, bad, KEY_SALT], { account: buyer.account }),
        p.marketplace,
        'MarketplaceInvalidBuyerKey',
      )
    }
    // The negated point (x, p - y) is a valid key.
    await p.marketplace.write.purchase([modelId, p.token.address, PRICE, KEY_COMMITMENT, `0x${word(x)}${word(P - y)}`, KEY_SALT], {
      account: buyer.account,
    })
  })

  it('refuses a paid purchase of a model without key commitment (one listed before the upgrade)', async () => {
    const p = await load()
    const modelId = await list(p)
    // The registry's namespace; `models` is its second slot and the commitment the third of a Model.
    const location = 0x2108d460419fba51b5a08a04b88c6798d7a3f2e479c44a52f594e9dddf1e6900n
    const base = BigInt(keccak256(encodeAbiParameters([{ type: 'uint256' }, { type: 'uint256' }], [modelId, location + 1n])))
    const slot = toHex(base + 2n, { size: 32 })
    assert.equal(await publicClient.getStorageAt({ address: p.registry.address, slot }), KEY_COMMITMENT)
    await networkHelpers.setStorageAt(p.registry.address, slot, toHex(0n, { size: 32 }))
    await p.token.write.approve([p.marketplace.address, PRICE], { account: buyer.account })
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.purchase([modelId, p.token.address, PRICE, KEY_COMMITMENT, buyerKey(BUYER_SECRET), KEY_SALT], { account: buyer.account }),
      p.marketplace,
      'MarketplaceNoKeyCommitment',
      [modelId],
    )
    await p.registry.write.setKeyCommitment([modelId, KEY_COMMITMENT], { account: seller.account })
    await p.marketplace.write.purchase([modelId, p.token.address, PRICE, KEY_COMMITMENT, buyerKey(BUYER_SECRET), KEY_SALT], { account: buyer.account })
  })

  it('a commitment change applies to future orders only: open orders keep their snapshot', async () => {
    const p = await load()
    const modelId = await list(p)
    const orderId = await buy(p, modelId)
    const newKey = keccak256(toHex('rotated key'))
    await p.registry.write.setKeyCommitment([modelId, commitment(newKey)], { account: seller.account })
    // The seller now delivers the new key to the old order: provably bad against the snapshot.
    const { point, encryptedKey } = delivery(p, orderId, newKey)
    await p.marketplace.write.deliver([orderId, point, encryptedKey], { account: seller.account })
    await p.marketplace.write.proveBadDelivery([orderId, proof(BUYER_SECRET, point, encryptedKey, KEY_COMMITMENT, seller.account.address)])
    assert.equal((await p.marketplace.read.getOrder([orderId])).status, Status.Refunded)
    // And a seller who delivers the old key then changes the commitment cannot make it look bad or good.
    const later = await buy(p, modelId)
    const { point: p2, encryptedKey: c2 } = delivery(p, later, newKey)
    await p.marketplace.write.deliver([later, p2, c2], { account: seller.account })
    await p.registry.write.setKeyCommitment([modelId, KEY_COMMITMENT], { account: seller.account })
    await viem.assertions.revertWithCustomError(
      p.marketplace.write.proveBadDelivery([later, proof(BUYER_SECRET, p2, c2, commitment(newKey), seller.account.address)]),
      p.marketplace,
      'MarketplaceDeliveryNotBad',
    )
  })

  it('40 random deliveries agree on and off chain (good keys refused, wrong keys refunded)', async () => {
    const p = await load()
    const modelId = await list(p)
    await p.token.write.approve([p.marketplace.address, PRICE * 40n], { account: buyer.account })
    for (let i = 0; i < 40; i++) {
      const b = BigInt(bytesToHex(secp256k1.utils.randomPrivateKey()))
      const r = BigInt(bytesToHex(secp256k1.utils.randomPrivateKey()))
      const B = buyerKey(b)
      if (BigInt(B.slice(0, 66)) >= N) continue // probability ~2^-128
      await p.marketplace.write.purchase([modelId, p.token.address, PRICE, KEY_COMMITMENT, B, KEY_SALT], { account: buyer.account })
      const orderId = await p.marketplace.read.orderCount()
      const context = { chainId: 31337, marketplace: p.marketplace.address, orderId }
      const key = i % 2 === 0 ? MODEL_KEY : keccak256(toHex(`wrong ${i}`))
      const { point, encryptedKey } = encryptKey(context, B, key, r)
      await p.marketplace.write.deliver([orderId, point, encryptedKey], { account: seller.account })
      assert.equal(openKey(context, b, point, encryptedKey), key)
      const prove = p.marketplace.write.proveBadDelivery([orderId, proof(b, point, encryptedKey, KEY_COMMITMENT, seller.account.address)])
      if (key === MODEL_KEY) {
        await viem.assertions.revertWithCustomError(prove, p.marketplace, 'MarketplaceDeliveryNotBad')
      } else {
        await prove
        assert.equal((await p.marketplace.read.getOrder([orderId])).status, Status.Refunded)
      }
    }
  })

  it('matches the SDK’s pinned test vector byte for byte', () => {
    // From the SDK helper's sdk/src/crypto/delivery.ts vector (seed 0x01*32, salt 0x02*32).
    const b = 0x50cceb21b4aabcf6c4d6ce250d89dcbaba71035111f6a3761108eed90e5dc12bn
    const context = { chainId: 31337, marketplace: '0x5FbDB2315678afecb367f032d93F642f64180aa3' as const, orderId: 7n }
    const B = buyerKey(b)
    assert.equal(
      B,
      '0xfd09b0b4732871e3337038ef3a826f11d8fdb1f08ad6b16e89f372e9baf0df92cfe5ac7c2c6463462be412618876744d1b6f9061276d6d41cd172be81820c94f',
    )
    const key = `0x${'42'.repeat(32)}` as Hex
    const { point, encryptedKey } = encryptKey(context, B, key, BigInt(`0x${'03'.repeat(32)}`))
    assert.equal(point, '0x02531fe6068134503d2723133227c867ac8fa6c83c537e9a44c3c5bdbdcb1fe337')
    assert.equal(encryptedKey, '0x118fa2224a994c91a3cef694390155c83e8db78209aaa4213e62b04ffbef7ada')
    assert.equal(commitment(key), '0xaced9c278b2bf3bb22ad7235d178e6a6809f255e3ea1961de1ef2059f0cb4652')
  })
})

describe('Orders made before the upgrade', () => {
  // The marketplace's ERC-7201 namespace; `orders` is its fifth slot. An order made before the upgrade
  // had two slots: its third (version and delivery check) reads zero.
  const LOCATION = 0x903204d85f4f358fc1e77931e6c72fda2f060dec763b3d34835bd02f3d87ec00n
  async function makeLegacy(p: Protocol, orderId: bigint) {
    const base = BigInt(
      keccak256(encodeAbiParameters([{ type: 'uint256' }, { type: 'uint256' }], [orderId, LOCATION + 4n])),
    )
    const third = toHex(base + 2n, { size: 32 })
    assert.notEqual(await publicClient.getStorageAt({ address: p.marketplace.address, slot: third }), toHex(0n, { size: 32 }))
    await networkHelpers.setStorageAt(p.marketplace.address, third, toHex(0n, { size: 32 }))
    const order = await p.marketplace.read.getOrder([orderId])
    assert.equal(order.version, 0)
    assert.equal(order.deliveryCheck, `0x${'0'.repeat(56)}`)
  }

  it('are delivered in the old format only, cannot be proven, and keep the dispute path', async () => {
    const p = await load()
    const orderId = await buy(p, await list(p))
    const newOrder = await buy(p, await list(p))
    await makeLegacy(p, orderId)
    const { point, encryptedKey } = delivery(p, orderId)
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.deliver([orderId, point, encryptedKey], { account: seller.account }),
      p.marketplace,
      'MarketplaceWrongDeliveryFormat',
      [orderId],
    )
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.deliverWrapped([newOrder, `0x${'ab'.repeat(80)}`], { account: seller.account }),
      p.marketplace,
      'MarketplaceWrongDeliveryFormat',
      [newOrder],
    )
    const wrapped = `0x${'ab'.repeat(80)}` as Hex
    await viem.assertions.emitWithArgs(
      p.marketplace.write.deliverWrapped([orderId, wrapped], { account: seller.account }),
      p.marketplace,
      'OrderDeliveredWrapped',
      [orderId, wrapped, (d: bigint) => d > 0n],
    )
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.marketplace.write.proveBadDelivery([orderId, proof(BUYER_SECRET, point, encryptedKey, KEY_COMMITMENT, seller.account.address)]),
      p.marketplace,
      'MarketplaceWrongDeliveryFormat',
      [orderId],
    )
    await p.marketplace.write.dispute([orderId, 'ipfs://e'], { account: buyer.account })
    await p.arbitration.write.giveRuling([await p.arbitration.read.disputeCount(), 1n], { account: accounts.arbiter.account })
    assert.equal((await p.marketplace.read.getOrder([orderId])).status, Status.Refunded)
  })

  it('a disputed order keeps its dispute when proven bad delivery is impossible', async () => {
    const p = await load()
    const { orderId } = await disputed(p)
    assert.equal((await p.marketplace.read.getOrder([orderId])).status, Status.Disputed)
  })
})
