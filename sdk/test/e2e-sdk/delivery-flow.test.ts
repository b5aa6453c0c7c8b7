// Provable key delivery on the real deployed proxies: the key commitment, per-order buyer keys,
// the seller's checks before delivering, the buyer's check before downloading, a wrong key refunded
// by the contract alone, wallets whose signatures are not deterministic, and the token a purchase names.
import { randomBytes } from 'node:crypto'
import { createWalletClient, custom, encodeAbiParameters, getAddress, keccak256, numberToHex, parseEther, parseEventLogs, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { marketplaceAbi, modelRegistryAbi, platformTokenAbi, reputationAbi } from '../../src/contracts/abis.ts'
import { generateDeliverySeed, keyCommitment, wrapDeliveryKey } from '../../src/crypto/delivery.ts'
import { deriveModelKey, modelKeyTypedData } from '../../src/crypto/keys.ts'
import {
  BadDeliveryError,
  ContractRevertedError,
  DeliveryNotBadError,
  DeliverySeedError,
  UndeliverableOrderError,
} from '../../src/errors/chain.ts'
import { startKuboRpcServer } from '../../src/node/kuboRpcServer.ts'
import { gatewayReader } from '../../src/storage/gateway.ts'
import { startProtocol } from '../actions/harness.ts'

let p: Awaited<ReturnType<typeof startProtocol>>
beforeAll(async () => {
  p = await startProtocol()
}, 120_000)
afterAll(() => p?.close())

const fields = { name: 'Provable', task: 'text-classification', license: 'MIT' }
const files = () => [{ path: 'model.onnx', size: 30_000, content: randomBytes(30_000) }]
const balance = (address: `0x${string}`) =>
  p.publicClient.readContract({ address: p.deployment.contracts.PlatformToken.address, abi: platformTokenAbi, functionName: 'balanceOf', args: [address] })
const nonceOf = (address: `0x${string}`) => p.publicClient.getTransactionCount({ address })

async function readAll(entries: AsyncIterable<{ content: AsyncIterable<Uint8Array> }>) {
  let bytes = 0
  for await (const entry of entries) for await (const chunk of entry.content) bytes += chunk.length
  return bytes
}

/** The seller's model key, as the SDK derives it from the seller's wallet. */
async function sellerKey(modelId: bigint) {
  const typed = modelKeyTypedData({ chainId: p.deployment.chainId, registry: p.deployment.contracts.ModelRegistry.address, modelId })
  return deriveModelKey(await p.accounts.seller.signTypedData({ account: p.accounts.seller.account, ...typed }))
}

/** A seller who bypasses the SDK and posts a delivery of `key` (a wrong one) straight to the contract. */
async function deliverRaw(orderId: bigint, buyerKey: `0x${string}`, key: Uint8Array) {
  const { R, c } = wrapDeliveryKey({
    key,
    buyerPublicKey: buyerKey,
    chainId: p.deployment.chainId,
    marketplace: p.deployment.contracts.Marketplace.address,
    orderId,
  })
  const hash = await p.accounts.seller.writeContract({
    address: p.deployment.contracts.Marketplace.address,
    abi: marketplaceAbi,
    functionName: 'deliver',
    args: [orderId, R, c],
    account: p.accounts.seller.account,
    chain: p.accounts.seller.chain,
  })
  await p.publicClient.waitForTransactionReceipt({ hash })
}

describe('a good delivery', () => {
  it('commits to the key at listing, checks it on both sides, and proves nothing', async () => {
    const listed = await p.seller.listModel({ ...fields, files: files(), price: parseEther('2') })
    expect(listed.keyCommitment).toBe(keyCommitment(await sellerKey(listed.modelId)))
    const bought = await p.buyer.buyModel({ modelId: listed.modelId })
    expect(bought.buyerKey).toMatch(/^0x[0-9a-f]{128}$/)
    expect(bought.keySalt).toMatch(/^0x[0-9a-f]{64}$/)
    const delivered = await p.seller.deliverOrder({ orderId: bought.orderId })
    expect(delivered.deliveryPoint).toMatch(/^0x0[23][0-9a-f]{64}$/)

    // the embedded store trusts its disk: the whole-archive sha256 is still checked by default
    const download = await p.buyer.downloadModel({ modelId: listed.modelId })
    expect(download).toMatchObject({ keySource: 'logs', orderId: bought.orderId, sha256Checked: true })
    expect(await readAll(download.entries)).toBe(30_000)

    // a store that checks every block against its CID: the committed key makes the second pass redundant
    const server = await startKuboRpcServer({ store: p.store as never })
    try {
      const viaGateway = p.clientOf(p.accounts.buyer, { store: gatewayReader({ url: server.gatewayUrl }) })
      const fast = await viaGateway.downloadModel({ modelId: listed.modelId })
      expect(fast.sha256Checked).toBe(false)
      expect(await readAll(fast.entries)).toBe(30_000)
      const asked = await viaGateway.downloadModel({ modelId: listed.modelId, verifySha256: true })
      expect(asked.sha256Checked).toBe(true)
      expect(await readAll(asked.entries)).toBe(30_000)
    } finally {
      await server.close()
    }

    // a proof of a good key would publish it: the SDK refuses before sending anything
    const nonce = await nonceOf(p.accounts.buyer.account.address)
    const refused = await p.buyer.proveBadDelivery({ orderId: bought.orderId }).catch((e) => e)
    expect(refused).toBeInstanceOf(DeliveryNotBadError)
    expect(refused).toMatchObject({ code: 'DELIVERY_NOT_BAD', orderId: bought.orderId })
    expect(refused.hint).toMatch(/disputeOrder/)
    expect(await nonceOf(p.accounts.buyer.account.address)).toBe(nonce)
  })
})

describe('a wrong key', () => {
  it('is refused by the seller’s SDK before anything is sent', async () => {
    const { modelId } = await p.seller.listModel({ ...fields, files: files(), price: parseEther('1') })
    const { orderId } = await p.buyer.buyModel({ modelId })
    const nonce = await nonceOf(p.accounts.seller.account.address)
    const error = await p.seller.deliverOrder({ orderId, modelKeys: new Map([[modelId, new Uint8Array(32).fill(7)]]) }).catch((e) => e)
    expect(error).toBeInstanceOf(UndeliverableOrderError)
    expect(error).toMatchObject({ code: 'ORDER_UNDELIVERABLE', reason: 'key-not-committed', orderId })
    expect(await nonceOf(p.accounts.seller.account.address)).toBe(nonce)
  })

  it('is caught by the buyer before any download, proven to the contract and refunded in full with no arbiter', async () => {
    const price = parseEther('3')
    const { modelId } = await p.seller.listModel({ ...fields, files: files(), price })
    const before = await balance(p.accounts.buyer.account.address)
    const { orderId, buyerKey } = await p.buyer.buyModel({ modelId })
    await deliverRaw(orderId, buyerKey, new Uint8Array(32).fill(9))

    const caught = await p.buyer.downloadModel({ modelId }).catch((e) => e)
    expect(caught).toBeInstanceOf(BadDeliveryError)
    expect(caught).toMatchObject({ code: 'BAD_DELIVERY', orderId, modelId })
    expect(caught.hint).toMatch(/proveBadDelivery/)

    // anyone's copy of the proof refunds the buyer only; the buyer sends it here
    const proven = await p.buyer.proveBadDelivery({ orderId: caught.orderId })
    expect(proven.refund).toBe(price)
    expect(proven.deliveredKey).toBe(toHex(new Uint8Array(32).fill(9)))
    expect(await balance(p.accounts.buyer.account.address)).toBe(before)
    // the seller's fault, recorded by Reputation in the proof's transaction
    const receipt = await p.publicClient.getTransactionReceipt({ hash: proven.hash })
    const faults = parseEventLogs({ abi: reputationAbi, eventName: 'BadDeliveryRecorded', logs: receipt.logs })
    expect(faults.map((f) => f.args)).toEqual([{ orderId, modelId, seller: getAddress(p.accounts.seller.account.address) }])
    await expect(p.buyer.downloadModel({ modelId })).rejects.toMatchObject({ code: 'NOT_LICENSED', reason: 'refunded' })
    // the order is closed: a second proof is refused before sending
    await expect(p.buyer.proveBadDelivery({ orderId })).rejects.toMatchObject({ errorName: 'MarketplaceWrongStatus' })
  })
})

/** A wallet on the real chain whose delivery-seed signatures differ every time (as MPC, passkey and smart-account wallets do). */
function nonDeterministicWallet() {
  const wallet = p.accounts.stranger
  return createWalletClient({
    account: wallet.account.address,
    transport: custom({
      async request(args: { method: string; params?: unknown }) {
        const result = await p.provider.request(args as never)
        if (args.method !== 'eth_signTypedData_v4' || !String((args.params as unknown[])[1]).includes('DeliverySeed')) return result
        // a different (r, s) each time, as a signer drawing a fresh nonce gives
        return `0x${randomBytes(64).toString('hex')}1b`
      },
    }),
  })
}

describe('wallets whose signatures are not deterministic', () => {
  it('are detected at purchase, and buy and download with a locally kept seed', async () => {
    const { modelId } = await p.seller.listModel({ ...fields, files: files(), price: parseEther('1') })
    const wallet = nonDeterministicWallet()
    const detected = await p.clientOf(wallet as never).buyModel({ modelId }).catch((e) => e)
    expect(detected).toBeInstanceOf(DeliverySeedError)
    expect(detected).toMatchObject({ code: 'DELIVERY_SEED', reason: 'not-deterministic' })
    expect(detected.hint).toMatch(/generateDeliverySeed\(\)/)

    const deliverySeed = generateDeliverySeed()
    const buyer = p.clientOf(wallet as never, { deliverySeed })
    const { orderId } = await buyer.buyModel({ modelId })
    await p.seller.deliverOrder({ orderId })
    expect(await readAll((await buyer.downloadModel({ modelId })).entries)).toBe(30_000)
    // without the seed, the wallet's own signature does not derive the order's key
    const lost = await p.clientOf(wallet as never).downloadModel({ modelId }).catch((e) => e)
    expect(lost).toBeInstanceOf(DeliverySeedError)
    expect(lost.reason).toBe('mismatch')
  })
})

describe('the purchase names its token', () => {
  it('refuses to pay in a token other than the one the buyer expects', async () => {
    const { modelId } = await p.seller.listModel({ ...fields, files: files(), price: parseEther('1') })
    const nonce = await nonceOf(p.accounts.buyer.account.address)
    const other = '0x000000000000000000000000000000000000dEaD'
    const error = await p.buyer.buyModel({ modelId, paymentToken: other }).catch((e) => e)
    expect(error).toBeInstanceOf(ContractRevertedError)
    expect(error).toMatchObject({ errorName: 'MarketplacePaymentTokenMismatch' })
    expect(error.hint).toMatch(/payment token/)
    expect(await nonceOf(p.accounts.buyer.account.address)).toBe(nonce)
    // the contract checks it too, whatever the SDK did
    await expect(
      p.publicClient.simulateContract({
        account: p.accounts.buyer.account,
        address: p.deployment.contracts.Marketplace.address,
        abi: marketplaceAbi,
        functionName: 'purchase',
        args: [modelId, other, parseEther('1'), `0x${'00'.repeat(32)}`, `0x${'00'.repeat(64)}`, `0x${'00'.repeat(32)}`],
      }),
    ).rejects.toThrow(/MarketplacePaymentTokenMismatch/)
  })
})

describe('the purchase names the key commitment the buyer saw', () => {
  it('refuses before signing when the commitment changed since it was shown, and the contract refuses a change in front of the purchase', async () => {
    const { modelId } = await p.seller.listModel({ ...fields, files: files(), price: parseEther('1') })
    const { keyCommitment: seen } = await p.buyer.quote({ modelId })
    const changed = `0x${'cd'.repeat(32)}` as const
    await p.accounts.seller.writeContract({
      chain: null,
      address: p.deployment.contracts.ModelRegistry.address,
      abi: modelRegistryAbi,
      functionName: 'setKeyCommitment',
      args: [modelId, changed],
    })
    const nonce = await nonceOf(p.accounts.buyer.account.address)
    const error = await p.buyer.buyModel({ modelId, keyCommitment: seen }).catch((e) => e)
    expect(error).toBeInstanceOf(ContractRevertedError)
    expect(error).toMatchObject({ errorName: 'MarketplaceKeyCommitmentMismatch', args: [modelId, changed, seen] })
    expect(await nonceOf(p.accounts.buyer.account.address)).toBe(nonce)
    // a change mined between the quote and the purchase: the contract refuses it
    await expect(
      p.publicClient.simulateContract({
        account: p.accounts.buyer.account,
        address: p.deployment.contracts.Marketplace.address,
        abi: marketplaceAbi,
        functionName: 'purchase',
        args: [modelId, p.deployment.contracts.PlatformToken.address, parseEther('1'), seen, `0x${'00'.repeat(64)}`, `0x${'00'.repeat(32)}`],
      }),
    ).rejects.toThrow(/MarketplaceKeyCommitmentMismatch/)
  })
})

describe('orders made before the upgrade', () => {
  it('are refused by deliverOrder before anything is sent (the contract takes them only in the old format)', async () => {
    const { modelId } = await p.seller.listModel({ ...fields, files: files(), price: parseEther('1') })
    const { orderId } = await p.buyer.buyModel({ modelId })
    // what an order made before the upgrade reads: its third slot (version and delivery check) is 0
    // (the marketplace's ERC-7201 namespace, `orders` its fifth slot, as contracts' delivery test does)
    const location = 0x903204d85f4f358fc1e77931e6c72fda2f060dec763b3d34835bd02f3d87ec00n
    const base = BigInt(keccak256(encodeAbiParameters([{ type: 'uint256' }, { type: 'uint256' }], [orderId, location + 4n])))
    await p.provider.request({
      method: 'hardhat_setStorageAt',
      params: [p.deployment.contracts.Marketplace.address, numberToHex(base + 2n, { size: 32 }), numberToHex(0n, { size: 32 })],
    })
    const nonce = await nonceOf(p.accounts.seller.account.address)
    const error = await p.seller.deliverOrder({ orderId }).catch((e) => e)
    expect(error).toBeInstanceOf(ContractRevertedError)
    expect(error).toMatchObject({ errorName: 'MarketplaceWrongDeliveryFormat', args: [orderId] })
    expect(error.hint).toMatch(/old format/)
    expect(await nonceOf(p.accounts.seller.account.address)).toBe(nonce)
  })
})

describe('a free model turning paid, and settlements', () => {
  it('records the key commitment when the price goes above 0, so it can be bought and delivered', async () => {
    const { modelId, keyCommitment: none } = await p.seller.listModel({ ...fields, files: files(), price: 0n })
    expect(BigInt(none)).toBe(0n)
    await p.seller.setPrice({ modelId, price: parseEther('1') })
    await p.seller.publishVersion({ modelId, files: files(), semver: '2.0.0' })
    const { orderId } = await p.stranger.buyModel({ modelId })
    await p.seller.deliverOrder({ orderId })
    expect(await readAll((await p.stranger.downloadModel({ modelId })).entries)).toBe(30_000)
  })

  it('settles an order when buyer and seller offer the same share', async () => {
    const { modelId } = await p.seller.listModel({ ...fields, files: files(), price: parseEther('10') })
    const { orderId } = await p.buyer.buyModel({ modelId })
    await p.seller.deliverOrder({ orderId })
    expect((await p.buyer.offerSettlement({ orderId, buyerShareBps: 4000 })).settled).toBe(false)
    const settled = await p.seller.offerSettlement({ orderId, buyerShareBps: 4000 })
    expect(settled).toMatchObject({ settled: true, buyerRefund: parseEther('4') })
  })
})
