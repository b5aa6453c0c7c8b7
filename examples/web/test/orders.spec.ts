// After Buy, from both chairs: the buyer sees the order and follows it on the model page (paid → key
// delivered → downloaded → confirmed) and cannot buy the same model twice by a second click; the
// seller sees an open dispute on their model (dashboard, navigation, model page) and answers it.
// Then every page at a phone's width: no sideways scrolling, a menu instead of the links.
import { randomBytes } from 'node:crypto'
import { type BrowserContext, expect, type Page, test } from '@playwright/test'
import { parseUnits } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { chainOf, check, loadStack, openUser, sellInPage, signIn } from './helpers.ts'
import { freshAccount, indexed, listModels, sdkClient } from './listings.ts'
import type { StackInfo } from './stack.ts'

const modelName = `Order tracking model ${randomBytes(3).toString('hex')}`
const files = [
  { name: 'config.json', mimeType: 'application/json', buffer: Buffer.from('{"labels":3}') },
  { name: 'model.bin', mimeType: 'application/octet-stream', buffer: randomBytes(200_000) },
]
const evidenceText = 'The model answers every input with the same label.'
const answerText = 'It needs the tokenizer in config.json; with it the labels differ (see the README).'

let stack: StackInfo
let modelId: string
let seller: Page
let sellerKey: `0x${string}`
let buyer: Page
let buyerKey: `0x${string}`
let buyer2: Page
let disputedOrder: string
const contexts: BrowserContext[] = []

test.describe.serial('orders from Buy to Confirm; disputes for sellers', () => {
  test.describe.configure({ timeout: 240_000 })

  test.beforeAll(async ({ browser }) => {
    test.setTimeout(300_000)
    stack = await loadStack()
    // a seller of its own, so the dashboard holds only this spec's orders and disputes
    sellerKey = await freshAccount(stack)
    ;({ page: seller } = await openUser(browser, stack, sellerKey, 'seller'))
    contexts.push(seller.context())
    await signIn(seller)
    modelId = await sellInPage(seller, { name: modelName, price: '10', files, description: 'Three labels.' })
    buyerKey = await freshAccount(stack, { tokens: parseUnits('100', 18) })
    ;({ page: buyer } = await openUser(browser, stack, buyerKey, 'buyer'))
    contexts.push(buyer.context())
    await indexed(stack)
  })
  test.afterAll(async () => {
    for (const context of contexts) await context.close()
  })

  test('after Buy the page shows the order and its steps; buying again needs an explicit confirmation', async () => {
    const chain = chainOf(stack)
    const account = privateKeyToAccount(buyerKey).address
    const before = await chain.balance(account)
    await buyer.goto(`/#/model/${modelId}`)
    const buy = buyer.getByRole('button', { name: /^Buy for/ })
    await buy.click()
    const placed = buyer.getByRole('status').getByText(/Order #\d+ placed/)
    await expect(placed).toBeVisible({ timeout: 60_000 })
    const orderId = String((await placed.textContent())?.match(/#(\d+)/)?.[1])

    // the Buy button is gone: a second click cannot take the price again
    await expect(buy).toHaveCount(0)
    const steps = buyer.getByRole('list', { name: `Order #${orderId} progress` })
    await expect(steps.getByRole('listitem')).toHaveText([/^Paid/, /^Key delivered/, /^Downloaded/, /^Confirmed/])
    await expect(steps.locator('[aria-current="step"]')).toContainText('Key delivered')
    await expect(steps).toContainText(/The seller delivers the key by .+; if not, you can take a refund in your Library/)
    await expect(buyer.getByRole('main').getByRole('link', { name: 'Library' })).toBeVisible()

    // a repeat purchase asks first, and Cancel buys nothing
    await buyer.getByRole('button', { name: 'Buy another license…' }).click()
    const confirm = buyer.getByRole('group', { name: 'Buy this model again?' })
    await expect(confirm).toContainText(`You already have order #${orderId} for this model`)
    await check(buyer, 'model-order-placed')
    await confirm.getByRole('button', { name: 'Cancel' }).click()
    await expect(confirm).toHaveCount(0)
    await indexed(stack)
    const { orders } = await sdkClient(stack, buyerKey).getOrders({ buyer: account })
    expect(orders.map((o) => o.orderId.toString())).toEqual([orderId])
    expect(before - (await chain.balance(account))).toBe(parseUnits('10', 18))

    // after a reload the order comes from the indexer: still no Buy button
    await buyer.reload()
    await expect(buyer.getByRole('list', { name: `Order #${orderId} progress` })).toBeVisible()
    await expect(buy).toHaveCount(0)

    // the seller delivers; the buyer's page follows without a reload, to the download and the confirmation
    await seller.goto('/#/dashboard')
    await seller.getByRole('button', { name: `Deliver order #${orderId}` }).click({ timeout: 60_000 })
    await expect(seller.getByText('Delivered: the buyer can now download.')).toBeVisible({ timeout: 60_000 })
    await expect(steps.locator('[aria-current="step"]')).toContainText('Downloaded', { timeout: 60_000 })
    await steps.getByRole('button', { name: `Download ${modelName} 1.0.0` }).click()
    await expect(buyer.getByTestId('download-verified')).toContainText('Version 1.0.0 verified', { timeout: 120_000 })
    await expect(steps.locator('[aria-current="step"]')).toContainText('Confirmed')
    await steps.getByRole('button', { name: `Confirm order #${orderId}` }).click()
    await expect(steps.getByRole('listitem').last()).toContainText('done', { timeout: 60_000 })
    await expect(steps.locator('[aria-current="step"]')).toHaveCount(0)
    await check(buyer, 'model-order-confirmed')
  })

  test("the seller sees a dispute on their model, with the buyer's evidence and the ruling deadline, and answers it", async ({ browser }) => {
    const key = await freshAccount(stack, { tokens: parseUnits('100', 18) })
    ;({ page: buyer2 } = await openUser(browser, stack, key, 'buyer2'))
    contexts.push(buyer2.context())
    await buyer2.goto(`/#/model/${modelId}`)
    await buyer2.getByRole('button', { name: /^Buy for/ }).click()
    const placed = buyer2.getByRole('status').getByText(/Order #\d+ placed/)
    await expect(placed).toBeVisible({ timeout: 60_000 })
    disputedOrder = String((await placed.textContent())?.match(/#(\d+)/)?.[1])
    await seller.goto('/#/dashboard')
    await seller.getByRole('button', { name: `Deliver order #${disputedOrder}` }).click({ timeout: 60_000 })
    await expect(seller.getByText('Delivered: the buyer can now download.')).toBeVisible({ timeout: 60_000 })

    await signIn(buyer2)
    await buyer2.goto('/#/library')
    await buyer2.getByRole('button', { name: `Dispute order #${disputedOrder}` }).click({ timeout: 60_000 })
    await buyer2.getByLabel('What is wrong?').fill(evidenceText)
    await buyer2.getByRole('button', { name: 'Open dispute' }).click()
    await expect(buyer2.getByRole('button', { name: 'Add evidence' })).toBeVisible({ timeout: 60_000 })

    // the dashboard: what needs the seller, with the deadline and the buyer's words
    await seller.goto('/#/dashboard')
    const needed = seller.getByRole('region', { name: 'Action needed' })
    const dispute = needed.getByRole('article', { name: `Dispute on order #${disputedOrder}` })
    await expect(dispute).toBeVisible({ timeout: 60_000 })
    await expect(dispute).toContainText(modelName)
    await expect(dispute).toContainText(/The arbiter rules by .+; without a ruling by then the escrow is split 50\/50/)
    await expect(dispute.getByText(evidenceText)).toBeVisible({ timeout: 60_000 })
    // the navigation counts it, for any page of the seller's
    await expect(seller.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Seller dashboard', exact: true })).toHaveAccessibleDescription(
      '1 action needed',
    )
    await check(seller, 'dashboard-dispute')
    // on a phone the count rides on the Menu button
    await seller.setViewportSize({ width: 390, height: 844 })
    await expect(seller.getByRole('button', { name: 'Menu 1 action needed' })).toBeVisible({ timeout: 30_000 })
    await seller.setViewportSize({ width: 1200, height: 900 })

    await dispute.getByRole('button', { name: 'Answer with evidence' }).click()
    await dispute.getByLabel('Your answer').fill(answerText)
    await dispute.getByRole('button', { name: 'Submit evidence' }).click()
    await expect(dispute.getByText(answerText)).toBeVisible({ timeout: 60_000 })
    await expect(dispute.getByRole('listitem').filter({ hasText: answerText })).toContainText('From you')

    // the seller record on the model page counts the open dispute
    await buyer.goto(`/#/model/${modelId}`)
    const record = buyer.getByRole('region', { name: 'Seller' })
    await expect(record).toContainText('1 open dispute', { timeout: 30_000 })
    await expect(record).not.toContainText('won 0, lost 0, split 0')
  })

  test('the arbiter sees the ruling deadline and confirms a ruling before it is sent; the record then counts 1 dispute', async ({ browser }) => {
    const { page: arbiter } = await openUser(browser, stack, stack.keys.arbiter, 'arbiter')
    contexts.push(arbiter.context())
    await arbiter.goto('/#/arbiter')
    const card = arbiter.getByRole('article').filter({ hasText: `Order #${disputedOrder}:` })
    await expect(card).toContainText(/Ruling due by .+; without a ruling by then anyone can settle it by the default rule, a 50\/50 split\./, { timeout: 60_000 })
    await expect(card).toContainText('10 AIMT in escrow')
    // a ruling asks first, saying what it does; Cancel sends nothing
    await card.getByRole('button', { name: 'Rule for the seller (release)' }).click()
    const confirm = card.getByRole('group', { name: 'Confirm the ruling' })
    await expect(confirm).toContainText('The seller is paid the 10 AIMT in escrow (less the platform fee); the buyer gets nothing back. A ruling is final.')
    await expect(confirm.getByRole('button', { name: 'Confirm ruling' })).toBeFocused()
    await check(arbiter, 'arbiter-confirm')
    await confirm.getByRole('button', { name: 'Cancel' }).click()
    await expect(confirm).toHaveCount(0)
    await card.getByLabel("Buyer's share %").fill('50')
    await card.getByRole('button', { name: 'Split' }).click()
    await expect(confirm).toContainText('The buyer gets 50% (5 AIMT) back; the seller is paid the rest (less the platform fee).')
    await confirm.getByRole('button', { name: 'Confirm ruling' }).click()
    await expect(arbiter.getByText(`Order #${disputedOrder} ruled: the buyer gets 5 back.`)).toBeVisible({ timeout: 60_000 })

    await buyer.goto(`/#/model/${modelId}`)
    const record = buyer.getByRole('region', { name: 'Seller' })
    await expect(record).toContainText('1 dispute ruled (won 0, lost 0, split 1)', { timeout: 30_000 })
    await expect(record).not.toContainText('open dispute')
  })

  test('a README.md among the files is the model card: its front matter fills the form, the page renders it as safe Markdown', async () => {
    const cardName = `Markdown card model ${randomBytes(3).toString('hex')}`
    const readme = [
      '---',
      'license: apache-2.0',
      'pipeline_tag: text-classification',
      'tags:',
      '- sentiment',
      '- onnx',
      `model_name: ${cardName}`,
      '---',
      '# Markdown card model',
      '',
      'A **small** classifier. See [the paper](https://example.org/paper) and [this](javascript:window.__pwned=3).',
      '',
      '| split | accuracy |',
      '|---|---:|',
      '| test | 0.91 |',
      '',
      '- fast',
      '- small',
      '',
      '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>Raw <b>HTML</b> stays text.',
      '',
    ].join('\n')
    // a fresh form: the front matter fills only what is empty
    await seller.goto('/#/sell')
    await seller.reload()
    await seller.getByLabel('choose files').setInputFiles([{ name: 'README.md', mimeType: 'text/markdown', buffer: Buffer.from(readme) }, files[1] as (typeof files)[1]])
    await expect(seller.getByText('From README.md: name, task, license, tags, model card.')).toBeVisible()
    await expect(seller.getByLabel('Name', { exact: true })).toHaveValue(cardName)
    await expect(seller.getByLabel('Task')).toHaveValue('text-classification')
    await expect(seller.getByLabel('License (SPDX id)')).toHaveValue('Apache-2.0')
    await expect(seller.getByLabel('Tags (comma-separated)')).toHaveValue('sentiment, onnx')
    await seller.getByLabel('Price (platform tokens)').fill('3')
    await seller.getByRole('button', { name: 'Encrypt, upload and list' }).click()
    const link = seller.getByRole('status').getByRole('link', { name: /^model #\d+$/ })
    await expect(link).toBeVisible({ timeout: 120_000 })
    const listed = String(await link.getAttribute('href'))
    // what to do next: keep delivery going, share the model's address
    const next = seller.getByRole('region', { name: 'Next steps' })
    await expect(next.getByRole('link', { name: 'Seller dashboard' })).toBeVisible()
    await expect(next).toContainText('node examples/seller-agent.ts')
    const shared = await next.getByLabel('Link to share').inputValue()
    expect(shared).toBe(new URL(listed, seller.url()).href)
    // automatic delivery, once turned on, stays on for this account when the dashboard is opened again
    await next.getByRole('link', { name: 'Seller dashboard' }).click()
    const auto = seller.getByLabel(/Deliver automatically/)
    await auto.check()
    await seller.reload()
    await expect(auto).toBeChecked()
    await expect(seller.getByText('Agent started: new orders are delivered while this tab is open.')).toBeVisible()
    await auto.uncheck()
    await seller.reload()
    await expect(auto).not.toBeChecked()

    await buyer.goto(`/${listed}`)
    const card = buyer.getByRole('region', { name: 'Model card' })
    await expect(card.getByRole('heading', { level: 3, name: 'Markdown card model' })).toBeVisible({ timeout: 30_000 })
    await expect(card.locator('strong')).toHaveText('small')
    await expect(card.getByRole('link', { name: 'the paper' })).toHaveAttribute('href', 'https://example.org/paper')
    // a javascript: destination is no link, raw HTML is text without its tags, front matter is not card text
    await expect(card.getByText('this', { exact: true })).toBeVisible()
    await expect(card.getByRole('link', { name: 'this', exact: true })).toHaveCount(0)
    await expect(card.getByRole('table').getByRole('cell', { name: '0.91' })).toBeVisible()
    await expect(card.getByRole('listitem')).toHaveText(['fast', 'small'])
    await expect(card).toContainText('Raw HTML stays text.')
    await expect(card).not.toContainText('__pwned')
    await expect(card.locator('img, script, b')).toHaveCount(0)
    await expect(card).not.toContainText('pipeline_tag')
    expect(await buyer.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined()
    await check(buyer, 'model-card')
  })

  test('every page at 390 px: no sideways scrolling, a menu for the pages; token symbols, versions and statuses in words', async () => {
    // a model listed without a card, beside the one with a card
    const [bare] = await listModels(stack, sellerKey, [{ name: `${modelName} bare`, tags: [], task: 'text-classification', license: 'MIT', price: parseUnits('1', 18) }])
    await indexed(stack)
    const routes = ['/', `/#/model/${modelId}`, `/#/model/${bare}`, '/#/sell', '/#/dashboard', '/#/library', '/#/arbiter', '/#/profile', '/#/analytics']
    for (const [who, page] of [
      ['seller', seller],
      ['buyer', buyer],
    ] as const) {
      await page.setViewportSize({ width: 390, height: 844 })
      for (const route of routes) {
        await page.goto(route)
        await expect(page.getByRole('heading', { level: 1 })).toBeVisible({ timeout: 30_000 })
        await expect(page.getByRole('main').getByText(/^(Loading|Searching|Quoting)/)).toHaveCount(0, { timeout: 30_000 })
        const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement?.scrollWidth ?? 0, innerWidth: window.innerWidth }))
        expect(scrollWidth, `${who} on ${route}: page width`).toBeLessThanOrEqual(innerWidth)
        // the header is one row: brand, menu and wallet
        expect((await page.locator('header').boundingBox())?.height, `${who} on ${route}: header height`).toBeLessThanOrEqual(100)
      }
    }

    // the pages behind a menu button on phones
    const links = buyer.getByRole('navigation', { name: 'Pages' })
    await expect(links.getByRole('link', { name: 'Library', exact: true })).toBeHidden()
    await buyer.getByRole('button', { name: 'Menu' }).click()
    await links.getByRole('link', { name: 'Library', exact: true }).click()
    await expect(buyer.getByRole('heading', { level: 1, name: 'Library' })).toBeVisible()
    await expect(links.getByRole('link', { name: 'Library', exact: true })).toBeHidden()

    // the Library's statuses in words, and the version named as on the model page
    const card = buyer.getByRole('article', { name: modelName })
    await expect(card.getByTestId('order-status')).toHaveText('Confirmed')
    await card.getByRole('button', { name: `Download ${modelName} 1.0.0` }).click()
    await expect(card.getByTestId('download-verified')).toContainText('Version 1.0.0 verified', { timeout: 120_000 })
    await check(buyer, 'library-phone')

    // no card: said so, never a dump of JSON
    await buyer.goto(`/#/model/${bare}`)
    // Buy stays at the bottom of the screen, wherever the page is scrolled
    const buyButton = buyer.getByRole('button', { name: 'Buy for 1 AIMT' })
    for (const y of [0, 10_000]) {
      await buyer.evaluate((top) => window.scrollTo(0, top), y)
      const box = await buyButton.boundingBox()
      expect((box?.y ?? 0) + (box?.height ?? 0), `Buy's bottom edge with the page scrolled to ${y}`).toBeGreaterThan(844 - 80)
      await expect(buyButton).toBeInViewport()
    }
    await expect(buyer.getByRole('region', { name: 'Model card' })).toContainText('The seller published no model card.')
    await expect(buyer.locator('main pre')).toHaveCount(0)
    await check(buyer, 'model-phone')

    // revenue and payouts carry the token's symbol
    await seller.goto('/#/dashboard')
    const revenue = seller.getByRole('region', { name: 'Revenue and payouts' })
    await expect(revenue).toContainText(/revenue \d[\d.]* AIMT/, { timeout: 30_000 })
    await expect(revenue.getByRole('listitem').first()).toContainText(/^\d[\d.]* AIMT/)
    await check(seller, 'dashboard-phone')
  })
})
