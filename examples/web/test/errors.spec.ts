// Each typed failure a user can meet, driven in Chromium until the page shows it as a readable
// message with what to do: a wallet that declines (a signature, then a transaction), a buyer
// without enough tokens, a download without a license, and data tampered on its way from the
// storage service. The indexer-behind error has no path in the page: no page asks the SDK to wait
// for a block (`minBlock`), so it is not driven here.
import { randomBytes } from 'node:crypto'
import { type BrowserContext, expect, type Page, test } from '@playwright/test'
import { parseUnits } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { check, eventually, loadStack, nav, openUser, signIn } from './helpers.ts'
import { freshAccount, indexed } from './listings.ts'
import type { StackInfo } from './stack.ts'

const pricedName = `Priced errors model ${randomBytes(3).toString('hex')}`
const freeName = `Free errors model ${randomBytes(3).toString('hex')}`
const files = [
  { name: 'config.json', mimeType: 'application/json', buffer: Buffer.from('{"labels":2}') },
  { name: 'model.bin', mimeType: 'application/octet-stream', buffer: randomBytes(300_000) },
]

let stack: StackInfo
let pricedId: bigint
let freeId: string
/** A buyer with tokens: declines first, then orders the priced model (never delivered). */
let buyerKey: `0x${string}`
let buyer: Page
let orderId: string
const contexts: BrowserContext[] = []

/**
 * Lets the test play a user who presses Reject: the wallet then answers the methods listed in
 * sessionStorage (see {@link declines}) with EIP-1193's 4001. Wrapped before the app starts, since
 * viem binds the provider's `request` when wagmi connects.
 */
async function withRejectButton(page: Page) {
  await page.context().addInitScript(() => {
    type Provider = { request(args: { method: string }): Promise<unknown> }
    const provider = (window as unknown as { ethereum: Provider }).ethereum
    const request = provider.request
    provider.request = (args) =>
      JSON.parse(sessionStorage.getItem('amm-test-declines') ?? '[]').includes(args.method)
        ? Promise.reject(Object.assign(new Error('User rejected the request.'), { code: 4001 }))
        : request.call(provider, args)
  })
  await page.reload()
  await expect(page.getByLabel('Connected account')).toBeVisible()
}

/** From now on the wallet declines these methods; [] accepts everything again. */
async function declines(page: Page, methods: string[]) {
  await page.evaluate((list) => sessionStorage.setItem('amm-test-declines', JSON.stringify(list)), methods)
}

/** Lists a model with real files from the Sell page; returns its id. */
async function sell(seller: Page, name: string, price: string) {
  await nav(seller, 'Browse')
  await nav(seller, 'Sell')
  await seller.getByLabel('choose files').setInputFiles(files)
  await seller.getByLabel('Name', { exact: true }).fill(name)
  await seller.getByLabel('Task').fill('text-classification')
  await seller.getByLabel('License (SPDX id)').fill('MIT')
  await seller.getByLabel('Price (platform tokens)').fill(price)
  await seller.getByRole('button', { name: 'Encrypt, upload and list' }).click()
  const link = seller.getByRole('status').getByRole('link', { name: /^model #\d+$/ })
  await expect(link).toBeVisible()
  return String((await link.textContent())?.replace('model #', ''))
}

/** The alert holding the message shows the hint under it. */
async function expectAlert(page: Page, message: string | RegExp, hint: string) {
  const alert = page.getByRole('alert').filter({ hasText: message })
  await expect(alert).toBeVisible()
  await expect(alert.locator('.hint')).toHaveText(hint)
}

test.describe.serial('typed errors shown with their hint', () => {
  test.describe.configure({ timeout: 90_000 })

  test.beforeAll(async ({ browser }) => {
    stack = await loadStack()
    // both models with real files, listed in the page by the seller: a download reads the store before it checks the license
    const { page: seller } = await openUser(browser, stack, stack.keys.seller, 'seller')
    contexts.push(seller.context())
    await signIn(seller)
    pricedId = BigInt(await sell(seller, pricedName, '5'))
    freeId = await sell(seller, freeName, '0')
    buyerKey = await freshAccount(stack, { tokens: parseUnits('100', 18) })
    await indexed(stack)
  })
  test.afterAll(async () => {
    for (const context of contexts) await context.close()
  })

  test('a wallet that declines: the sign-in signature, the purchase signature, then the transaction', async ({ browser }) => {
    ;({ page: buyer } = await openUser(browser, stack, buyerKey, 'buyer'))
    contexts.push(buyer.context())
    await withRejectButton(buyer)
    // sign-in signs through viem directly: the page's own hint; the purchase goes through the SDK, whose error has one
    await declines(buyer, ['personal_sign'])
    await buyer.getByRole('button', { name: 'Sign in' }).click()
    await expectAlert(
      buyer,
      'Sign-in failed: User rejected the request.',
      'You declined the request in your wallet, so nothing was signed or sent. Try again and approve it to go ahead.',
    )

    await buyer.goto(`/#/model/${pricedId}`)
    await declines(buyer, ['eth_signTypedData_v4'])
    await buyer.getByRole('button', { name: 'Buy for 5 AIMT' }).click()
    await expectAlert(
      buyer,
      'Purchase failed: You declined the signature in your wallet.',
      'Nothing was signed or sent. Try again and approve the signature in your wallet to go ahead.',
    )

    await declines(buyer, ['eth_sendTransaction'])
    await buyer.getByRole('button', { name: 'Buy for 5 AIMT' }).click()
    await expectAlert(
      buyer,
      'Purchase failed: You declined the transaction in your wallet.',
      'The transaction was not sent: nothing changed on-chain and nothing was paid. Try again and approve it in your wallet to go ahead.',
    )

    // approved at last: the same button places the order
    await declines(buyer, [])
    await buyer.getByRole('button', { name: 'Buy for 5 AIMT' }).click()
    const placed = buyer.getByRole('status').getByText(/^Order #\d+ placed/)
    await expect(placed).toBeVisible()
    orderId = String((await placed.textContent())?.match(/#(\d+)/)?.[1])
    await expect(buyer.getByRole('main').getByRole('alert')).toHaveCount(0)
  })

  test('a buyer with ether but none of the payment token', async ({ browser }) => {
    const { page } = await openUser(browser, stack, await freshAccount(stack), 'poor buyer')
    contexts.push(page.context())
    await page.goto(`/#/model/${pricedId}`)
    await page.getByRole('button', { name: 'Buy for 5 AIMT' }).click()
    await expectAlert(page, /Purchase failed: Marketplace\.purchaseWithPermit reverted: ERC20InsufficientBalance\(/, 'The wallet does not hold enough of the payment token.')
  })

  test('a download without a license, offered by an indexer that reports a delivery the chain does not have', async () => {
    // the page offers Download only for orders the indexer says were delivered: only a stale or wrong indexer leads here
    await buyer.route(stack.graphqlUrl, async (route) => {
      const response = await route.fetch()
      const body = (await response.json()) as { data?: { orders?: { orderId: string; status: string }[] } }
      for (const order of body.data?.orders ?? []) if (order.orderId === orderId && order.status === 'Created') order.status = 'Delivered'
      const { 'content-length': _, ...headers } = response.headers()
      await route.fulfill({ response, headers, json: body })
    })
    await nav(buyer, 'Library')
    await buyer.getByRole('button', { name: `Download ${pricedName}` }).click()
    const account = privateKeyToAccount(buyerKey).address
    await expectAlert(
      buyer,
      `Download failed: ${account} cannot download model ${pricedId}: it has an order the seller has not delivered yet.`,
      'Wait for the delivery, or refund after the delivery deadline.',
    )
    await buyer.unrouteAll()
  })

  test('an integrity failure: a byte flipped in the archive the storage service sends', async () => {
    // free models are licensed at once
    await buyer.goto(`/#/model/${freeId}`)
    await buyer.getByRole('button', { name: 'Buy for free' }).click()
    await expect(buyer.getByRole('status').getByText(/^Order #\d+ placed \(free\)/)).toBeVisible()
    const download = buyer.getByRole('button', { name: `Download ${freeName} 1.0.0` })
    await eventually(buyer, () => expect(download).toBeVisible({ timeout: 3000 }))

    const integrityHint =
      'The data received is not what the seller published (damaged or altered in storage or on the way): do not use it. Retry later; if it happens again, tell the seller or open a dispute.'
    /** The storage service's answers to `cat` arrive with one bit changed at `at(length)`. */
    const flipBit = (at: (length: number) => number) =>
      buyer.route((url) => url.pathname.endsWith('/api/v0/cat'), async (route) => {
        const response = await route.fetch()
        const body = await response.body()
        body[at(body.length)] ^= 1
        await route.fulfill({ response, body })
      })

    // the first byte: the chain, not these bytes, says the version is public, so this is damage, not a missing license
    await flipBit(() => 0)
    await download.click()
    await expectAlert(buyer, 'Download failed: Not a model archive (wrong magic bytes).', integrityHint)
    await buyer.unrouteAll()

    // one bit changed in the middle of the whole archive, inside model.bin
    await flipBit((length) => length >> 1)
    await download.click()
    await expectAlert(
      buyer,
      /Download failed: (File model\.bin|The archive) does not match its (recorded )?sha256\./,
      integrityHint,
    )
    // config.json came through intact before model.bin failed, but belongs to a version that did not verify
    await expect(buyer.getByTestId('download-verified')).toHaveCount(0)
    await expect(buyer.getByRole('list', { name: 'Downloaded files' })).toHaveCount(0)
    await check(buyer, 'error-integrity')

    // the same download, untouched, verifies: the failure came from the flipped bit alone
    await buyer.unrouteAll()
    await download.click()
    await expect(buyer.getByTestId('download-verified')).toBeVisible()
    await expect(buyer.getByRole('list', { name: 'Downloaded files' }).getByRole('listitem')).toHaveCount(2)
    await expect(buyer.getByRole('main').getByRole('alert')).toHaveCount(0)
  })
})
