// Provable delivery in the browser: a seller who bypasses its SDK delivers a key that does not
// match the model's on-chain commitment; the buyer's download fails the SDK's local key check, the
// Library offers "Prove wrong key" (and only then), and the contract refunds the price in full with
// no arbiter. The model page and the arbiter page show what evaluators attested about the key.
import { randomBytes } from 'node:crypto'
import { expect, test } from '@playwright/test'
import { createWalletClient, type Hex, http, parseUnits } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { generateModelKey, keyCommitment, marketplaceAbi, wrapDeliveryKey } from '../../../sdk/src/index.ts'
import { chainOf, check, eventually, loadStack, nav, openUser } from './helpers.ts'
import { freshAccount, indexed, listModels, sdkClient } from './listings.ts'
import type { StackInfo } from './stack.ts'

const name = `Wrong key model ${randomBytes(3).toString('hex')}`

let stack: StackInfo

/** The seller posts a delivery of `key` straight to the contract (its SDK would refuse a key that misses the commitment). */
async function deliverRaw(orderId: bigint, buyerKey: Hex, key: Uint8Array) {
  const deployment = stack.deployment as { chainId: number; contracts: { Marketplace: { address: Hex } } }
  const marketplace = deployment.contracts.Marketplace.address
  const { R, c } = wrapDeliveryKey({ key, buyerPublicKey: buyerKey, chainId: deployment.chainId, marketplace, orderId })
  const seller = createWalletClient({ account: privateKeyToAccount(stack.keys.seller), transport: http(stack.rpcUrl) })
  const hash = await seller.writeContract({ chain: null, address: marketplace, abi: marketplaceAbi, functionName: 'deliver', args: [orderId, R, c] })
  await chainOf(stack).client.waitForTransactionReceipt({ hash })
}

test.describe.serial('provable delivery', () => {
  test.beforeAll(async () => {
    stack = await loadStack()
  })

  test('a wrong key fails the check, the buyer proves it, and the contract refunds in full without an arbiter', async ({ browser }) => {
    // the listing commits to one key; the seller will deliver another
    const [modelId] = await listModels(stack, stack.keys.seller, [
      { name, tags: ['provable'], task: 'text-classification', license: 'MIT', price: parseUnits('7', 18), modelKey: generateModelKey() },
    ])
    const buyerKey = await freshAccount(stack, { tokens: parseUnits('20', 18) })
    const chain = chainOf(stack)
    const buyerAddress = privateKeyToAccount(buyerKey).address
    const before = await chain.balance(buyerAddress)
    await indexed(stack)

    const { page } = await openUser(browser, stack, buyerKey, 'buyer')
    await page.goto(`/#/model/${modelId}`)
    // no evaluator has looked at this model's key
    await expect(page.getByTestId('key-check')).toHaveAttribute('data-key-check', 'NotChecked')
    await page.getByRole('button', { name: 'Buy for 7 AIMT' }).click()
    const placed = page.getByRole('status').getByText(/^Order #\d+ placed/)
    await expect(placed).toBeVisible({ timeout: 60_000 })
    const orderId = BigInt(String((await placed.textContent())?.match(/#(\d+)/)?.[1]))
    expect(await chain.balance(buyerAddress)).toBe(before - parseUnits('7', 18))

    // the order's B, as the buyer's page posted it, from the indexer
    await indexed(stack)
    const { orders } = await sdkClient(stack, stack.keys.seller).getOrders({ buyer: buyerAddress })
    const order = orders.find((o) => o.orderId === orderId)
    if (!order) throw new Error(`order ${orderId} is not indexed`)
    await deliverRaw(orderId, order.buyerKey, generateModelKey())
    await indexed(stack)

    await nav(page, 'Library')
    await eventually(page, () => expect(page.getByTestId('order-status').first()).toHaveText('Key delivered', { timeout: 3000 }))
    // nothing to prove before the key was checked
    await expect(page.getByRole('button', { name: 'Prove wrong key' })).toHaveCount(0)
    await page.getByRole('button', { name: `Download ${name}` }).click()
    const alert = page.getByRole('alert').filter({ hasText: `The key delivered for order ${orderId} (model ${modelId}) does not match the model's committed key.` })
    await expect(alert).toBeVisible()
    await expect(page.getByTestId('download-verified')).toHaveCount(0)
    // releasing payment is no longer offered once the key is known to be wrong
    await expect(page.getByRole('button', { name: `Confirm order #${orderId}` })).toHaveCount(0)
    await expect(page.getByText('Do not confirm this order')).toBeVisible()
    await check(page, 'library-wrong-key')

    await page.getByRole('button', { name: 'Prove wrong key' }).click()
    await expect(page.getByTestId('bad-delivery-refund')).toBeVisible({ timeout: 60_000 })
    // the indexer records the refund and its reason; the order needs no arbiter
    await eventually(page, () => expect(page.getByTestId('order-status').first()).toHaveText('Refunded', { timeout: 3000 }))
    await expect(page.getByTestId('refund-reason')).toContainText('Refunded in full (7 AIMT): you proved the delivered key wrong')
    await expect(page.getByRole('button', { name: `Download ${name}` })).toHaveCount(0)
    await check(page, 'library-refunded')
    expect(await chain.balance(buyerAddress)).toBe(before)
    const refunded = (await sdkClient(stack, stack.keys.seller).getOrders({ buyer: buyerAddress })).orders.find((o) => o.orderId === orderId)
    expect(refunded).toMatchObject({ status: 'Refunded', refundReason: 'BadDelivery', badDeliveryProven: true, dispute: null })
    await page.context().close()
  })

  test('the model page and the arbiter page show whether an evaluator attested that the committed key opens the version', async ({ browser }) => {
    const modelKey = generateModelKey()
    const [modelId] = await listModels(stack, stack.keys.seller, [
      { name: `${name} checked`, tags: ['provable'], task: 'text-classification', license: 'MIT', price: parseUnits('3', 18), modelKey },
    ])
    if (modelId === undefined) throw new Error('no model listed')
    // the evaluator found that the committed key decrypts version 1 to its on-chain sha256
    await sdkClient(stack, stack.keys.evaluator).attestEvaluation({
      modelId,
      version: 1,
      suite: 'amm-checks/v1',
      verdict: 'pass',
      score: 900_000,
      report: 'urn:amm-test:key-check-report',
      keyCheck: { keyCommitment: keyCommitment(modelKey), opens: true },
    })
    // a buyer's order of that version, delivered with the committed key, then disputed about the model itself
    const buyer = sdkClient(stack, await freshAccount(stack, { tokens: parseUnits('10', 18) }))
    const { orderId } = await buyer.buyModel({ modelId })
    await sdkClient(stack, stack.keys.seller).deliverOrder({ orderId, modelKeys: new Map([[modelId, modelKey]]) })
    await buyer.disputeOrder({ orderId, evidence: 'urn:amm-test:the-model-underperforms' })
    await indexed(stack)

    const { page } = await openUser(browser, stack, stack.keys.arbiter, 'arbiter')
    await page.goto(`/#/model/${modelId}`)
    await expect(page.getByTestId('key-check')).toHaveAttribute('data-key-check', 'Opens')
    await expect(page.getByTestId('key-check')).toHaveText('Key: an evaluator attested that the committed key opens it')
    await check(page, 'model-key-check')

    await nav(page, 'Arbiter')
    const card = page.getByRole('article', { name: `Order #${orderId}: ${name} checked` })
    await expect(card.getByTestId('dispute-version')).toHaveText('Version 1 · Key: an evaluator attested that the committed key opens it', { timeout: 60_000 })
    await expect(page.getByText('A wrong key never reaches you')).toBeVisible()
    await check(page, 'arbiter-key-check')
    // ruled, so the dispute leaves the list other specs read
    await card.getByRole('button', { name: 'Rule for the buyer (refund)' }).click()
    // a ruling is final: the page asks for confirmation first
    await card.getByRole('button', { name: 'Confirm ruling' }).click()
    await expect(page.getByText(`Order #${orderId} ruled: the buyer gets 3 back.`)).toBeVisible({ timeout: 60_000 })
    await page.context().close()
  })
})
