// Shared set-up of the contract tests: the protocol deployed by deployProtocol on Hardhat's in-process EVM.
import { network } from 'hardhat'
import { type Address, type Hex, type WalletClient, keccak256, parseEther, parseSignature, toHex, zeroHash } from 'viem'
import { deployProtocol } from '../contracts/deploy/deploy.ts'
import { buyerKey, commitment, encryptKey, scalar } from './delivery.ts'

export const PRICE = parseEther('100')
/** The model key every test model commits to, and its commitment. */
export const MODEL_KEY = keccak256(toHex('model key'))
export const KEY_COMMITMENT = commitment(MODEL_KEY)
/** The buyer's secret b for its orders in these tests, and B = b·G. */
export const BUYER_SECRET = scalar('buyer secret')
export const BUYER_KEY = buyerKey(BUYER_SECRET)
export const KEY_SALT = keccak256(toHex('salt'))
export const WRAPPED_KEY = `0x${'ab'.repeat(80)}` as Hex
export const DAY = 86_400n
export const CID = `0x01551220${'11'.repeat(32)}` as Hex
export const SHA = keccak256(toHex('plaintext archive'))

export function fields(name = 'Sentiment classifier') {
  return {
    name,
    summary: 'A DistilBERT model fine-tuned on product reviews; returns positive or negative.',
    tags: ['nlp', 'sentiment', 'bert'],
    task: 'text-classification',
    license: 'apache-2.0',
    commercialUse: true,
    metadataURI: 'ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy',
  }
}

export function version(semver = '1.0.0') {
  return { contentCID: CID, sha256: SHA, size: 123_456_789n, semver, changelogURI: 'ipfs://bafkreichangelog' }
}

/** Signs an EIP-2612 permit of the platform token; returns the (v, r, s) the contracts take. */
export async function signPermit(
  owner: WalletClient & { account: { address: Address } },
  token: Address,
  spender: Address,
  value: bigint,
  nonce: bigint,
  deadline: bigint,
) {
  const signature = await owner.signTypedData({
    account: owner.account as Parameters<WalletClient['signTypedData']>[0]['account'],
    domain: { name: 'AI Model Marketplace Token', version: '1', chainId: 31337, verifyingContract: token },
    types: {
      Permit: [
        { name: 'owner', type: 'address' },
        { name: 'spender', type: 'address' },
        { name: 'value', type: 'uint256' },
        { name: 'nonce', type: 'uint256' },
        { name: 'deadline', type: 'uint256' },
      ],
    },
    primaryType: 'Permit',
    message: { owner: owner.account.address, spender, value, nonce, deadline },
  })
  const { v, r, s } = parseSignature(signature)
  return { v: Number(v), r, s }
}

/** proveBadDelivery's proof argument. */
export function proof(buyerSecret: bigint, deliveryPoint: Hex, encryptedKey: Hex, keyCommitment: Hex, seller: Address) {
  return { buyerSecret, deliveryPoint, encryptedKey, keyCommitment, seller }
}

/** A fresh in-process chain with the protocol deployed once and snapshotted (loadFixture). */
export async function createProtocol() {
  const connection = await network.create()
  const { viem, networkHelpers } = connection
  const publicClient = await viem.getPublicClient()
  const [deployer, seller, buyer, arbiter, evaluator, treasury, other, seller2] = await viem.getWalletClients()

  async function deployFixture() {
    const deployment = await deployProtocol({
      walletClient: deployer,
      publicClient,
      roles: {
        arbiters: [arbiter.account.address],
        evaluators: [evaluator.account.address],
        treasury: treasury.account.address,
      },
      mint: [seller, buyer, other, seller2].map((w) => ({ to: w.account.address, amount: parseEther('1000000') })),
    })
    const at = deployment.contracts
    const token = await viem.getContractAt('PlatformToken', at.PlatformToken.address)
    const registry = await viem.getContractAt('ModelRegistry', at.ModelRegistry.address)
    const marketplace = await viem.getContractAt('Marketplace', at.Marketplace.address)
    const arbitration = await viem.getContractAt('Arbitration', at.Arbitration.address)
    const reputation = await viem.getContractAt('Reputation', at.Reputation.address)
    const evaluations = await viem.getContractAt('Evaluations', at.Evaluations.address)
    const manager = await viem.getContractAt('AccessManager', at.AccessManager.address)
    return { deployment, token, registry, marketplace, arbitration, reputation, evaluations, manager }
  }

  const load = () => networkHelpers.loadFixture(deployFixture)
  type Protocol = Awaited<ReturnType<typeof deployFixture>>

  /** Lists a model as `seller` (default), committed to MODEL_KEY when priced, and returns its id. */
  async function list(p: Protocol, options: { price?: bigint; from?: typeof seller; token?: Address } = {}) {
    const from = options.from ?? seller
    const price = options.price ?? PRICE
    const token = options.token ?? (price === 0n ? '0x0000000000000000000000000000000000000000' : p.token.address)
    const keyCommitment = price === 0n ? zeroHash : KEY_COMMITMENT
    await p.registry.write.listModel([fields(), version(), token, price, keyCommitment], { account: from.account })
    return p.registry.read.modelCount()
  }

  /** Approves and buys `modelId` as `buyer` (default) with BUYER_KEY; returns the order id. */
  async function buy(p: Protocol, modelId: bigint, from = buyer) {
    const listing = await p.registry.read.getListing([modelId])
    const token = await viem.getContractAt('PlatformToken', listing.paymentToken) // any ERC-20's approve
    await token.write.approve([p.marketplace.address, listing.price], { account: from.account })
    await p.marketplace.write.purchase([modelId, listing.paymentToken, listing.price, listing.keyCommitment, BUYER_KEY, KEY_SALT], {
      account: from.account,
    })
    return p.marketplace.read.orderCount()
  }

  /** The (R, c) an honest seller posts for `key` (default MODEL_KEY) to BUYER_KEY on `orderId`. */
  function delivery(p: Protocol, orderId: bigint, key: Hex = MODEL_KEY, r = scalar(`nonce ${orderId}`)) {
    return encryptKey({ chainId: 31337, marketplace: p.marketplace.address, orderId }, BUYER_KEY, key, r)
  }

  /** Delivers `key` (default MODEL_KEY) on `orderId` as `from` (default seller). */
  async function deliver(p: Protocol, orderId: bigint, key: Hex = MODEL_KEY, from = seller) {
    const { point, encryptedKey } = delivery(p, orderId, key)
    await p.marketplace.write.deliver([orderId, point, encryptedKey], { account: from.account })
    return { point, encryptedKey }
  }

  /** A delivered order of a freshly listed model (the committed key unless `key` is given). */
  async function delivered(p: Protocol, key: Hex = MODEL_KEY) {
    const modelId = await list(p)
    const orderId = await buy(p, modelId)
    const { point, encryptedKey } = await deliver(p, orderId, key)
    return { modelId, orderId, point, encryptedKey }
  }

  /** A disputed order; returns its dispute id too. */
  async function disputed(p: Protocol, key: Hex = MODEL_KEY) {
    const { modelId, orderId, point, encryptedKey } = await delivered(p, key)
    await p.marketplace.write.dispute([orderId, 'ipfs://evidence-buyer'], { account: buyer.account })
    const disputeId = await p.arbitration.read.disputeCount()
    return { modelId, orderId, disputeId, point, encryptedKey }
  }

  return {
    connection,
    viem,
    networkHelpers,
    publicClient,
    accounts: { deployer, seller, buyer, arbiter, evaluator, treasury, other, seller2 },
    load,
    list,
    buy,
    delivery,
    deliver,
    delivered,
    disputed,
  }
}
