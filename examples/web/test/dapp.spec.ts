// Drives the dApp in Debian's Chromium against the whole dev stack, as people would: a seller
// lists a model with real files, a buyer finds, buys, downloads (sha256 shown and matching),
// confirms and reviews; a second order is disputed and ruled on; analytics shows the sales.
// Every page is screenshotted and checked with axe-core.
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { type Browser, expect, type Page, test } from '@playwright/test'
import type { Hex } from 'viem'
import { check, eventually, loadStack, nav, openUser, sha256, signIn } from './helpers.ts'
import type { StackInfo } from './stack.ts'

const modelName = 'Sentiment classifier web'
const files = [
  { name: 'config.json', mimeType: 'application/json', buffer: Buffer.from('{"labels":5,"arch":"distilbert"}') },
  { name: 'model.safetensors', mimeType: 'application/octet-stream', buffer: randomBytes(1_300_000) },
]

let stack: StackInfo
const pages: Record<string, Page> = {}

async function user(browser: Browser, key: Hex, name: string): Promise<Page> {
  const { page } = await openUser(browser, stack, key, name)
  pages[name] = page
  return page
}

/** The page of a user signed in by `user`; fails the test if that set-up did not run. */
function userPage(name: string): Page {
  const page = pages[name]
  if (!page) throw new Error(`no page for ${name}: its set-up did not run`)
  return page
}

test.describe.serial('the dApp in a browser', () => {
  test.beforeAll(async () => {
    stack = await loadStack()
  })
  test.afterAll(async () => {
    for (const page of Object.values(pages)) await page.context().close()
  })

  test('the seller signs in and lists a model with real files, after the form refuses bad input', async ({ browser }) => {
    const page = await user(browser, stack.keys.seller, 'seller')
    await signIn(page)
    await nav(page, 'Sell')
    await page.getByRole('button', { name: 'Encrypt, upload and list' }).click()
    await expect(page.getByText('A name of 1 to 100 bytes.')).toBeVisible()
    await expect(page.getByText('Add the model files')).toBeVisible()
    await page.getByLabel('choose files').setInputFiles(files)
    await expect(page.getByTestId('picked')).toContainText('2 files')
    await page.getByLabel('Name', { exact: true }).fill(modelName)
    await page.getByLabel('Summary').fill('Reviews to 1-5 stars, fine-tuned DistilBERT.')
    await page.getByLabel('Tags (comma-separated)').fill('nlp, sentiment')
    await page.getByLabel('Task').fill('text-classification')
    await page.getByLabel('License (SPDX id)').fill('Apache-2.0')
    await page.getByLabel('Model card (description)').fill('Trained on 50k reviews.\n\nAccuracy 0.91 on the held-out set.')
    await page.getByLabel('Price (platform tokens)').fill('10')
    await page.getByLabel('Changelog').fill('First release.')
    await check(page, 'sell')
    await page.getByRole('button', { name: 'Encrypt, upload and list' }).click()
    await expect(page.getByText(/Listed as/)).toBeVisible({ timeout: 120_000 })
    await expect(page.getByRole('link', { name: 'model #1' })).toBeVisible()
  })

  test('a buyer finds it by search as they type, sees the price and buys', async ({ browser }) => {
    const page = await user(browser, stack.keys.buyer, 'buyer')
    await eventually(page, async () => {
      await page.getByLabel('Search').fill('sentim')
      await expect(page.getByRole('link', { name: modelName })).toBeVisible({ timeout: 3000 })
    })
    await check(page, 'browse')
    await page.getByRole('link', { name: modelName }).click()
    await expect(page.getByRole('heading', { name: modelName, level: 1 })).toBeVisible()
    await expect(page.getByText('You pay')).toBeVisible()
    await expect(page.getByText('Accuracy 0.91 on the held-out set.')).toBeVisible()
    await expect(page.getByText('First release.')).toBeVisible()
    await check(page, 'model')
    await page.getByRole('button', { name: /^Buy for/ }).click()
    await expect(page.getByText(/Order #1 placed/)).toBeVisible({ timeout: 60_000 })
  })

  test('the seller delivers from the dashboard', async () => {
    const page = userPage('seller')
    await nav(page, 'Seller dashboard')
    await expect(page.getByRole('button', { name: 'Deliver order #1' })).toBeVisible({ timeout: 60_000 })
    await check(page, 'dashboard')
    await page.getByRole('button', { name: 'Deliver order #1' }).click()
    await expect(page.getByText('Delivered: the buyer can now download.')).toBeVisible({ timeout: 60_000 })
  })

  test('the buyer downloads and decrypts in the page, sees matching sha256, confirms and reviews', async () => {
    const page = userPage('buyer')
    await nav(page, 'Library')
    await expect(page.getByTestId('order-status').first()).toHaveText('Key delivered', { timeout: 60_000 })
    await page.getByRole('button', { name: `Download ${modelName}` }).click()
    await expect(page.getByTestId('download-verified')).toBeVisible({ timeout: 120_000 })
    // the storage service's cat is trusted for the bytes, so the archive's on-chain sha256 was checked too; a good key leaves nothing to prove
    await expect(page.getByTestId('download-verified')).toContainText('archive sha256')
    await expect(page.getByRole('button', { name: 'Prove wrong key' })).toHaveCount(0)
    const shown = await page.getByTestId('file-sha256').allTextContents()
    expect(shown.sort()).toEqual(files.map((f) => sha256(f.buffer)).sort())
    await check(page, 'library')
    await page.getByRole('button', { name: 'Confirm order #1' }).click()
    await expect(page.getByTestId('order-status').first()).toHaveText('Confirmed', { timeout: 60_000 })
    // the comment goes to the storage service, which needs a session
    await signIn(page)
    await page.getByLabel('Stars').selectOption('4')
    await page.getByLabel('Comment').fill('Works as described.')
    await page.getByRole('button', { name: 'Send review' }).click()
    await expect(page.getByText('You rated it 4/5.')).toBeVisible({ timeout: 60_000 })
  })

  test('a second order is disputed with evidence (a storage refusal shown with its hint first) and ruled on', async ({ browser }) => {
    const seller = userPage('seller')
    const page = await user(browser, stack.keys.buyer2, 'buyer2')
    await page.goto('/#/model/1')
    await page.getByRole('button', { name: /^Buy for/ }).click()
    await expect(page.getByText(/Order #2 placed/)).toBeVisible({ timeout: 60_000 })

    // the seller lets the agent in the tab deliver this one
    await seller.getByLabel(/Deliver automatically/).check()
    await expect(seller.getByText('Delivered order #2 (model #1)')).toBeVisible({ timeout: 60_000 })

    await nav(page, 'Library')
    await expect(page.getByTestId('order-status').first()).toHaveText('Key delivered', { timeout: 60_000 })
    await page.getByRole('button', { name: 'Dispute order #2' }).click()
    await page.getByLabel('What is wrong?').fill('The weights do not load: shape mismatch in layer 3.')
    await page.getByRole('button', { name: 'Open dispute' }).click()
    // not signed in: the storage service refuses the evidence, and the page says why and what to do
    await expect(page.getByRole('alert')).toContainText('HTTP 401')
    await expect(page.getByRole('alert')).toContainText('Pass the credentials')
    await signIn(page)
    await page.getByRole('button', { name: 'Open dispute' }).click()
    await expect(page.getByTestId('order-status').first()).toHaveText('In dispute', { timeout: 60_000 })

    const arbiter = await user(browser, stack.keys.arbiter, 'arbiter')
    await nav(arbiter, 'Arbiter')
    await expect(arbiter.getByText('The weights do not load: shape mismatch in layer 3.')).toBeVisible({ timeout: 60_000 })
    // the version in dispute, and what evaluators said about its key (none looked at it here)
    await expect(arbiter.getByTestId('dispute-version')).toHaveText('Version 1 · Key: no evaluator has checked the committed key')
    await check(arbiter, 'arbiter')
    await arbiter.getByLabel("Buyer's share %").fill('50')
    await arbiter.getByRole('button', { name: 'Split' }).click()
    // a ruling is final: it says what it does and waits for a confirmation
    await expect(arbiter.getByRole('group', { name: 'Confirm the ruling' })).toContainText('The buyer gets 50% (5 AIMT) back')
    await arbiter.getByRole('button', { name: 'Confirm ruling' }).click()
    await expect(arbiter.getByText('Order #2 ruled: the buyer gets 5 back.')).toBeVisible({ timeout: 60_000 })
    // the ruled dispute leaves the list; its outcome stays
    await expect(arbiter.getByText('No open dispute.')).toBeVisible({ timeout: 60_000 })
    await expect(arbiter.getByText('Order #2 ruled: the buyer gets 5 back.')).toBeVisible()
  })

  test('the seller picks a unique handle on the profile page', async () => {
    const page = userPage('seller')
    await nav(page, 'Profile')
    await page.getByLabel('Handle').fill('web_seller')
    await expect(page.getByText('Available.')).toBeVisible()
    await page.getByLabel('Display name').fill('Web Seller')
    await page.getByRole('button', { name: 'Save profile' }).click()
    await expect(page.getByText('Profile saved.')).toBeVisible({ timeout: 60_000 })
    await eventually(page, async () => {
      await expect(page.getByRole('heading', { name: '@web_seller' })).toBeVisible({ timeout: 3000 })
    })
    await check(page, 'profile')
    // another account sees the handle as taken before sending anything
    const buyer = userPage('buyer')
    await nav(buyer, 'Profile')
    await buyer.getByLabel('Handle').fill('web_seller')
    await expect(buyer.getByText('This handle is taken.')).toBeVisible()
  })

  test('analytics shows the sales, the top model and exports CSV', async () => {
    const page = userPage('buyer')
    await nav(page, 'Analytics')
    await eventually(page, async () => {
      await expect(page.getByTestId('totals')).toContainText('2 orders', { timeout: 3000 })
    })
    await expect(page.getByRole('region', { name: 'Top models' }).getByRole('link', { name: modelName })).toBeVisible()
    await expect(page.getByText('Orders: 2 in total')).toBeVisible()
    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Export CSV' }).click()
    const csv = await readFile(await (await download).path(), 'utf8')
    // one volume column per token, never summed across tokens
    expect(csv.split('\n')[0]).toBe('date,volume_AIMT,orders,sales,new_models')
    await check(page, 'analytics')
  })

  test('the pages fit a phone-width screen', async () => {
    const page = userPage('buyer')
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto('/')
    await expect(page.getByRole('link', { name: modelName })).toBeVisible()
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)
    expect(overflow).toBe(false)
    await check(page, 'browse-phone')
  })
})
