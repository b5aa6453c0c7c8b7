// Buy, deliver, confirm, review, dispute and refund through the SDK's actions against the real
// deployed proxies on Hardhat's in-process chain. Files are not involved here (see e2e tests).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPublicClient, createWalletClient, custom, getAddress, http, parseEther, toHex } from 'viem'
import { modelRegistryAbi, platformTokenAbi } from '../../src/contracts/abis.ts'
import { keyCommitment } from '../../src/crypto/delivery.ts'
import { deriveModelKey, modelKeyTypedData } from '../../src/crypto/keys.ts'
import { ChainMismatchError, ChainRequestError, ContractRevertedError, PriceChangedError, UserRejectedError, WalletMissingError } from '../../src/errors/chain.ts'
import { InvalidInputError } from '../../src/errors/storage.ts'
import { startProtocol } from './harness.ts'

let p: Awaited<ReturnType<typeof startProtocol>>
beforeAll(async () => {
  p = await startProtocol()
}, 120_000)
afterAll(() => p?.close())

const nextModelId = async () =>
  (await p.publicClient.readContract({ address: p.deployment.contracts.ModelRegistry.address, abi: modelRegistryAbi, functionName: 'modelCount' })) + 1n

/** The model key the seller's wallet derives for a model (what the SDK's listModel commits to). */
async function sellerKeyOf(modelId: bigint) {
  const typed = modelKeyTypedData({ chainId: p.deployment.chainId, registry: p.deployment.contracts.ModelRegistry.address, modelId })
  return deriveModelKey(await p.accounts.seller.signTypedData({ account: p.accounts.seller.account, ...typed }))
}

/** Lists a model straight through the registry (the files do not matter to these flows). */
async function listRaw(price: bigint) {
  const { cid } = await p.store.add(crypto.getRandomValues(new Uint8Array(1000)))
  const { request, result } = await p.publicClient.simulateContract({
    account: p.accounts.seller.account,
    address: p.deployment.contracts.ModelRegistry.address,
    abi: modelRegistryAbi,
    functionName: 'listModel',
    args: [
      { name: 'Sentiment', summary: 'Reviews to stars', tags: ['nlp'], task: 'text-classification', license: 'MIT', commercialUse: true, metadataURI: '' },
      { contentCID: toHex(cid.bytes), sha256: toHex(crypto.getRandomValues(new Uint8Array(32))), size: 1000n, semver: '1.0.0', changelogURI: '' },
      p.deployment.contracts.PlatformToken.address,
      price,
      // the commitment to the key the seller's SDK derives for this model, which deliverOrder checks
      price > 0n ? keyCommitment(await sellerKeyOf(await nextModelId())) : `0x${'00'.repeat(32)}`,
    ],
  })
  await p.publicClient.waitForTransactionReceipt({ hash: await p.accounts.seller.writeContract(request) })
  return result
}

const balance = (address: `0x${string}`) =>
  p.publicClient.readContract({ address: p.deployment.contracts.PlatformToken.address, abi: platformTokenAbi, functionName: 'balanceOf', args: [address] })

describe('buy → deliver → confirm → review → withdraw', () => {
  it('runs the whole paid flow with a permit and credits the seller', async () => {
    const modelId = await listRaw(parseEther('10'))
    const terms = await p.buyer.quote({ modelId })
    expect(terms).toMatchObject({ modelId, price: parseEther('10'), fee: parseEther('0.25'), sellerProceeds: parseEther('9.75'), feeBps: 250, active: true })
    expect(terms.seller.toLowerCase()).toBe(p.accounts.seller.account.address.toLowerCase())

    const before = await balance(p.accounts.buyer.account.address)
    const bought = await p.buyer.buyModel({ modelId, maxPrice: terms.price })
    expect(bought.payment).toBe('permit')
    expect(bought.price).toBe(parseEther('10'))
    expect(await balance(p.accounts.buyer.account.address)).toBe(before - parseEther('10'))

    const delivered = await p.seller.deliverOrder({ orderId: bought.orderId })
    expect(delivered.deliveryPoint).toHaveLength(2 + 33 * 2)
    expect(delivered.encryptedKey).toHaveLength(2 + 32 * 2)
    // A second delivery is refused before any transaction, with the decoded reason.
    await expect(p.seller.deliverOrder({ orderId: bought.orderId })).rejects.toMatchObject({ errorName: 'MarketplaceWrongStatus' })

    await p.buyer.confirmOrder({ orderId: bought.orderId })
    const reviewed = await p.buyer.reviewOrder({ orderId: bought.orderId, rating: 5, comment: 'Works as described.' })
    expect(reviewed.commentURI).toMatch(/^ipfs:\/\/bafk/)
    // one review per buyer and model, whatever the number of orders
    await expect(p.buyer.reviewOrder({ orderId: bought.orderId, rating: 4 })).rejects.toMatchObject({ errorName: 'ReputationAlreadyReviewedModel' })

    const { amount } = await p.seller.withdraw()
    expect(amount).toBe(parseEther('9.75'))
  })

  it('approves instead of a permit when asked, and reuses an allowance', async () => {
    const modelId = await listRaw(parseEther('1'))
    expect((await p.stranger.buyModel({ modelId, payment: 'approve' })).payment).toBe('approve')
    const again = await listRaw(parseEther('1'))
    await p.accounts.stranger.writeContract({
      address: p.deployment.contracts.PlatformToken.address,
      abi: platformTokenAbi,
      functionName: 'approve',
      args: [p.deployment.contracts.Marketplace.address, parseEther('5')],
    })
    expect((await p.stranger.buyModel({ modelId: again })).payment).toBe('allowance')
  })

  it('licenses a free model at once', async () => {
    const modelId = await listRaw(0n)
    const { payment, price } = await p.buyer.buyModel({ modelId })
    expect({ payment, price }).toEqual({ payment: 'free', price: 0n })
  })
})

describe('protection and errors', () => {
  it('refuses a price above maxPrice before sending anything', async () => {
    const modelId = await listRaw(parseEther('2'))
    const nonce = await p.publicClient.getTransactionCount({ address: p.accounts.buyer.account.address })
    const error = await p.buyer.buyModel({ modelId, maxPrice: parseEther('1') }).catch((e) => e)
    expect(error).toBeInstanceOf(PriceChangedError)
    expect(error).toMatchObject({ code: 'PRICE_CHANGED', price: parseEther('2'), maxPrice: parseEther('1') })
    expect(await p.publicClient.getTransactionCount({ address: p.accounts.buyer.account.address })).toBe(nonce)
  })

  it('decodes a revert into its typed error with the arguments', async () => {
    const modelId = await listRaw(parseEther('1'))
    const { orderId } = await p.buyer.buyModel({ modelId })
    const error = await p.buyer.confirmOrder({ orderId }).catch((e) => e)
    expect(error).toBeInstanceOf(ContractRevertedError)
    expect(error.errorName).toBe('MarketplaceWrongStatus')
    expect(error.args).toEqual([orderId, 1])
    expect(error.shortMessage).toBe(`Marketplace.confirm reverted: MarketplaceWrongStatus(${orderId}, 1)`)
    expect(error.hint).toMatch(/not in a state that allows this/)
    const stranger = await p.stranger.confirmOrder({ orderId }).catch((e) => e)
    expect(stranger).toMatchObject({ errorName: 'MarketplaceNotBuyer', args: [orderId, getAddress(p.accounts.stranger.account.address)] })
    const notOwner = await p.stranger.setPrice({ modelId, price: 1n }).catch((e) => e)
    expect(notOwner).toMatchObject({ code: 'CONTRACT_REVERTED', errorName: 'RegistryNotModelOwner' })
    expect(notOwner.args).toEqual([modelId, getAddress(p.accounts.stranger.account.address)])
  })

  it('rejects invalid input, naming the field, before any transaction', async () => {
    const nonce = await p.publicClient.getTransactionCount({ address: p.accounts.seller.account.address })
    const cases = [
      [() => p.seller.updateModel({ modelId: 1n, name: '', task: 'x', license: 'MIT' }), 'name'],
      [() => p.seller.updateModel({ modelId: 1n, name: 'ok', task: 'x', license: 'MIT', tags: Array(17).fill('t') }), 'tags'],
      [() => p.seller.setPrice({ modelId: 0n, price: 1n }), 'modelId'],
      [() => p.seller.setPrice({ modelId: 1n, price: -1n }), 'price'],
      [() => p.buyer.reviewOrder({ orderId: 1n, rating: 6 }), 'rating'],
      [() => p.seller.setProfile({ handle: 'No Caps', profile: {} }), 'handle'],
      [() => p.arbiter.ruleDispute({ disputeId: 1n, ruling: { buyerShareBps: 10_001 } }), 'ruling.buyerShareBps'],
    ] as const
    for (const [run, parameter] of cases) {
      const error = (await (run as () => Promise<unknown>)().catch((e) => e)) as InvalidInputError
      expect(error, parameter).toBeInstanceOf(InvalidInputError)
      expect(error.parameter).toBe(parameter)
    }
    expect(await p.publicClient.getTransactionCount({ address: p.accounts.seller.account.address })).toBe(nonce)
  })

  it('wraps a dead RPC endpoint’s failure in ChainRequestError', async () => {
    const dead = p.clientOf(p.accounts.buyer, { publicClient: createPublicClient({ transport: http('http://127.0.0.1:9', { retryCount: 0 }) }) as never })
    const error = await dead.quote({ modelId: 1n }).catch((e) => e)
    expect(error).toBeInstanceOf(ChainRequestError)
    expect(error).toMatchObject({ code: 'CHAIN_REQUEST_FAILED', hint: 'Check the RPC endpoint and retry.' })
  })

  it('needs a wallet to write and the deployment’s chain', async () => {
    await expect(p.reader.confirmOrder({ orderId: 1n })).rejects.toBeInstanceOf(WalletMissingError)
    const wrongChain = p.clientOf(p.accounts.buyer, { deployment: { ...p.deployment, chainId: 1 } })
    const error = await wrongChain.confirmOrder({ orderId: 1n }).catch((e) => e)
    expect(error).toBeInstanceOf(ChainMismatchError)
    expect(error).toMatchObject({ expectedChainId: 1, actualChainId: 31337 })
  })
})

/**
 * A wallet on the real chain whose user presses Reject for the methods in `declined`: it answers
 * them with `refusal()` (by default EIP-1193's 4001, which viem turns into UserRejectedRequestError).
 */
function rejectingWallet(
  wallet: { account: { address: `0x${string}` } },
  declined: Set<string>,
  refusal: () => Error = () => Object.assign(new Error('User rejected the request.'), { code: 4001 }),
) {
  return createWalletClient({
    account: wallet.account.address,
    transport: custom({ request: (args) => (declined.has(args.method) ? Promise.reject(refusal()) : p.provider.request(args)) }),
  })
}

describe('a wallet that declines', () => {
  const signatureHint = 'Nothing was signed or sent. Try again and approve the signature in your wallet to go ahead.'
  const transactionHint = 'The transaction was not sent: nothing changed on-chain and nothing was paid. Try again and approve it in your wallet to go ahead.'

  it('gives UserRejectedError naming the signature or the transaction, sends nothing, and works once approved', async () => {
    const modelId = await listRaw(parseEther('1'))
    const address = p.accounts.buyer.account.address
    const declined = new Set(['eth_signTypedData_v4'])
    const buyer = p.clientOf(rejectingWallet(p.accounts.buyer, declined) as never)
    const [nonce, tokens] = [await p.publicClient.getTransactionCount({ address }), await balance(address)]

    const signature = await buyer.buyModel({ modelId }).catch((e) => e)
    expect(signature).toBeInstanceOf(UserRejectedError)
    expect(signature).toMatchObject({ code: 'USER_REJECTED', kind: 'signature', request: 'eth_signTypedData_v4', action: 'buyModel', hint: signatureHint })
    expect(signature.shortMessage).toBe('You declined the signature in your wallet.')
    expect(signature.walk()).toMatchObject({ code: 4001 }) // the wallet's own error stays reachable

    declined.clear()
    declined.add('eth_sendTransaction')
    const transaction = await buyer.buyModel({ modelId }).catch((e) => e)
    expect(transaction).toBeInstanceOf(UserRejectedError)
    expect(transaction).toMatchObject({ kind: 'transaction', request: 'Marketplace.purchaseWithPermit', action: 'buyModel', hint: transactionHint })
    expect(transaction.shortMessage).toBe('You declined the transaction in your wallet.')
    expect([await p.publicClient.getTransactionCount({ address }), await balance(address)]).toEqual([nonce, tokens])

    declined.clear()
    expect((await buyer.buyModel({ modelId })).price).toBe(parseEther('1'))
  })

  it('finds the refusal nested as the cause of a wallet’s own error, for a seller’s signature and transaction', async () => {
    const modelId = await listRaw(parseEther('1'))
    const { orderId } = await p.buyer.buyModel({ modelId })
    const declined = new Set(['eth_signTypedData_v4', 'eth_sendTransaction'])
    // as a wallet SDK may wrap it: its own error, the EIP-1193 refusal as the cause
    const seller = p.clientOf(rejectingWallet(p.accounts.seller, declined, () => new Error('Request failed', { cause: { code: 4001, message: 'User denied' } })) as never)
    await expect(seller.deliverOrder({ orderId })).rejects.toMatchObject({ code: 'USER_REJECTED', kind: 'signature', action: 'deliverOrder', hint: signatureHint })
    const repriced = await seller.setPrice({ modelId, price: 2n }).catch((e) => e)
    expect(repriced).toBeInstanceOf(UserRejectedError)
    expect(repriced).toMatchObject({ kind: 'transaction', request: 'ModelRegistry.setPrice', action: 'setPrice', hint: transactionHint })
    expect((await p.buyer.quote({ modelId })).price).toBe(parseEther('1'))
  })
})

describe('disputes and refunds', () => {
  it('disputes a delivery with evidence and splits by ruling', async () => {
    const modelId = await listRaw(parseEther('10'))
    const { orderId } = await p.buyer.buyModel({ modelId })
    await p.seller.deliverOrder({ orderId })
    const { disputeId, evidenceURI } = await p.buyer.disputeOrder({ orderId, evidence: { name: 'Broken', description: 'The weights do not load.' } })
    expect(evidenceURI).toMatch(/^ipfs:\/\//)
    await p.seller.submitEvidence({ orderId, evidence: { name: 'Logs', description: 'Loads fine with torch 2.4.' } })
    const before = await balance(p.accounts.buyer.account.address)
    const ruled = await p.arbiter.ruleDispute({ orderId, ruling: { buyerShareBps: 3000 } })
    expect(ruled).toMatchObject({ disputeId, orderId, ruling: 3003n, buyerRefund: parseEther('3') })
    expect(ruled.sellerProceeds + ruled.fee).toBe(parseEther('7'))
    // Refunds are pushed to the buyer.
    expect(await balance(p.accounts.buyer.account.address)).toBe(before + parseEther('3'))
    // Only the arbiter panel rules.
    await expect(p.stranger.ruleDispute({ disputeId, ruling: 'buyer' })).rejects.toMatchObject({ errorName: 'AccessManagedUnauthorized' })
  })

  it('refunds an order the seller did not deliver in time', async () => {
    const modelId = await listRaw(parseEther('4'))
    const { orderId } = await p.buyer.buyModel({ modelId })
    await expect(p.stranger.refundOrder({ orderId })).rejects.toMatchObject({ errorName: 'MarketplaceDeadlineNotReached' })
    await p.increaseTime(3 * 86_400 + 1)
    const before = await balance(p.accounts.buyer.account.address)
    await p.stranger.refundOrder({ orderId })
    expect(await balance(p.accounts.buyer.account.address)).toBe(before + parseEther('4'))
  })

  it('updates the searchable fields and the card, only by the owner', async () => {
    const modelId = await listRaw(parseEther('1'))
    const { metadataURI } = await p.seller.updateModel({ modelId, name: 'Sentiment v2', task: 'text-classification', license: 'MIT', tags: ['nlp'], card: { description: 'Retrained.' } })
    expect(metadataURI).toMatch(/^ipfs:\/\/bafk/)
    const chunks: Uint8Array[] = []
    for await (const chunk of p.store.cat(metadataURI.slice('ipfs://'.length))) chunks.push(chunk)
    expect(JSON.parse(Buffer.concat(chunks).toString())).toMatchObject({ name: 'Sentiment v2', description: 'Retrained.' })
    await expect(p.stranger.updateModel({ modelId, name: 'Mine', task: 't', license: 'MIT' })).rejects.toMatchObject({ errorName: 'RegistryNotModelOwner' })
  })

  it('delists and relists', async () => {
    const modelId = await listRaw(parseEther('1'))
    await p.seller.delist({ modelId })
    await expect(p.buyer.buyModel({ modelId })).rejects.toMatchObject({ errorName: 'MarketplaceModelInactive' })
    await p.seller.relist({ modelId })
    expect((await p.buyer.quote({ modelId })).active).toBe(true)
  })
})
