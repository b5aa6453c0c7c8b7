// Browse in Chromium over models listed from Node with different tags, tasks, licenses, prices,
// sales and ratings: search as you type, each filter (prices in whole tokens with decimals, sent
// as bigints), each sort order, and paging past PAGE_SIZE (12) and back. Every listing carries
// a tag unique to the run, so models left by other specs on the same stack never match.
import { randomBytes } from 'node:crypto'
import { expect, type Page, test } from '@playwright/test'
import { parseUnits } from 'viem'
import { check, loadStack } from './helpers.ts'
import { freshAccount, indexed, type Listing, listModels, sdkClient } from './listings.ts'
import type { StackInfo } from './stack.ts'

const run = `t${randomBytes(3).toString('hex')}`
const tokens = (n: string) => parseUnits(n, 18)
const named: Listing[] = [
  { name: 'Alpaca translator', tags: [run, 'nlp'], task: 'translation', license: 'MIT', price: 0n },
  { name: 'Bison summarizer', tags: [run, 'nlp'], task: 'summarization', license: 'Apache-2.0', price: 0n },
  { name: 'Condor vision', tags: [run, 'vision'], task: 'image-classification', license: 'MIT', price: tokens('2.5') },
  { name: 'Dingo detector', tags: [run, 'vision', 'detection'], task: 'object-detection', license: 'GPL-3.0', price: tokens('7') },
]
// listed last, so the newest first; priced above the others
const fillers: Listing[] = Array.from({ length: 10 }, (_, i) => ({ name: `Filler ${i}`, tags: [run, 'filler'], task: 'text-classification', license: 'MIT', price: tokens(String(10 + i)) }))
const newestFirst = [...named, ...fillers].map((l) => l.name).reverse()
// the newest of all, without the run's tag: until the tag filter applies, it heads the list
const untagged: Listing = { name: 'Untagged newest', tags: ['other'], task: 'text-classification', license: 'MIT', price: 0n }

let stack: StackInfo

const titles = (page: Page) => page.getByTestId('results').getByRole('heading', { level: 2 })

/** The cards shown, in any order (for ties the indexer may order either way). */
async function expectSet(page: Page, names: string[]) {
  await expect.poll(async () => (await titles(page).allTextContents()).sort(), { timeout: 15_000 }).toEqual([...names].sort())
}

async function filter(page: Page, label: string, value: string) {
  await page.getByLabel(label, { exact: true }).fill(value)
}

/** A select's accessible name also holds its chosen option ("Min rating Any"): found by the label's start. */
const select = (page: Page, label: string) => page.getByLabel(label)

test.describe.serial('Browse: search, filters, sort and pages', () => {
  test.describe.configure({ timeout: 60_000 })
  test.beforeAll(async () => {
    stack = await loadStack()
    const [alpaca, bison] = await listModels(stack, stack.keys.seller, [...named, ...fillers, untagged])
    // sales and ratings: free models claimed (licensed at once) and reviewed by new accounts
    const ratings: [bigint | undefined, number][] = [
      [alpaca, 5],
      [alpaca, 5],
      [alpaca, 4],
      [bison, 2],
    ]
    for (const [modelId, rating] of ratings) {
      const client = sdkClient(stack, await freshAccount(stack))
      const { orderId } = await client.buyModel({ modelId: modelId as bigint })
      await client.reviewOrder({ orderId, rating })
    }
    await indexed(stack)
  })

  test.beforeEach(async ({ page }) => {
    page.on('pageerror', (error) => console.error('page error:', error.message))
    await page.goto('/')
    await page.getByText('Filters and sort').click()
    await expect(titles(page).first()).toHaveText(untagged.name)
    await filter(page, 'Tags (comma-separated)', run)
    // the filter has applied (debounced): a click on a page button before that would be undone by the new search
    await expect(titles(page)).toHaveText(newestFirst.slice(0, 12))
  })

  test('search narrows the results as one types, and widens again when cleared', async ({ page }) => {
    const search = page.getByLabel('Search', { exact: true })
    await search.pressSequentially('co', { delay: 80 })
    await expect(titles(page)).toHaveText(['Condor vision'])
    await search.pressSequentially('ndor vis', { delay: 80 })
    await expect(titles(page)).toHaveText(['Condor vision'])
    // a word of the summary or a tag matches too; every word must match
    await search.fill('detection dingo')
    await expect(titles(page)).toHaveText(['Dingo detector'])
    await search.fill('dingo condor')
    await expect(page.getByText('No model matches.')).toBeVisible()
    await search.fill('')
    await expect(titles(page)).toHaveText(newestFirst.slice(0, 12))
  })

  test('each filter: tags, task, license, price range and minimum rating', async ({ page }) => {
    await filter(page, 'Tags (comma-separated)', `${run}, vision`)
    await expectSet(page, ['Condor vision', 'Dingo detector'])
    await filter(page, 'Tags (comma-separated)', run)

    await filter(page, 'Task', 'object-detection')
    await expectSet(page, ['Dingo detector'])
    await filter(page, 'Task', '')

    await filter(page, 'License (SPDX)', 'Apache-2.0')
    await expectSet(page, ['Bison summarizer'])
    await filter(page, 'License (SPDX)', '')

    // prices are typed in tokens and sent as bigints (18 decimals); 2.5 tokens is within 2 to 8
    await filter(page, 'Min price', '2')
    await filter(page, 'Max price', '8')
    await expectSet(page, ['Condor vision', 'Dingo detector'])
    await filter(page, 'Min price', '2.6')
    await expectSet(page, ['Dingo detector'])
    await filter(page, 'Min price', '')
    await filter(page, 'Max price', '0')
    await expectSet(page, ['Alpaca translator', 'Bison summarizer'])
    await filter(page, 'Max price', 'abc')
    await expect(page.getByRole('alert')).toHaveText('Prices must be numbers, like 2.5')
    await filter(page, 'Max price', '')
    await expect(page.getByRole('alert')).toHaveCount(0)

    // Alpaca averages 4.67 (5, 5, 4), Bison 2
    await select(page, 'Min rating').selectOption('4')
    await expectSet(page, ['Alpaca translator'])
    await select(page, 'Min rating').selectOption('2')
    await expectSet(page, ['Alpaca translator', 'Bison summarizer'])
    await expect(page.getByTestId('results').getByText('4.7 (3)')).toBeVisible()
    await check(page, 'browse-filters')
  })

  test('each sort order: newest, price, sales, rating', async ({ page }) => {
    const sort = select(page, 'Sort by')
    await sort.selectOption('price')
    await expect(titles(page).nth(2)).toHaveText('Condor vision')
    const shown = await titles(page).allTextContents()
    // the two free models tie at 0, in either order
    expect(shown.slice(0, 2).sort()).toEqual(['Alpaca translator', 'Bison summarizer'])
    expect(shown.slice(2, 5)).toEqual(['Condor vision', 'Dingo detector', 'Filler 0'])
    await expect(titles(page).last()).toHaveText('Filler 7')

    await sort.selectOption('sales')
    await expect(titles(page).first()).toHaveText('Alpaca translator')
    await expect(titles(page).nth(1)).toHaveText('Bison summarizer')
    await expect(page.getByTestId('results').locator('li').first()).toContainText('3 sales')

    await sort.selectOption('rating')
    await expect(titles(page).first()).toHaveText('Alpaca translator')
    await expect(titles(page).nth(1)).toHaveText('Bison summarizer')

    await sort.selectOption('newest')
    await expect(titles(page)).toHaveText(newestFirst.slice(0, 12))

    // with text typed, a sort still applies (graph-node's fulltext fields take no orderBy: the SDK sorts the matches)
    await page.getByLabel('Search', { exact: true }).fill('filler')
    await sort.selectOption('price')
    await expect(titles(page)).toHaveText(fillers.map((f) => f.name))
    await sort.selectOption('newest')
    await expect(titles(page)).toHaveText(fillers.map((f) => f.name).reverse())
    await page.getByLabel('Search', { exact: true }).fill('')
  })

  test('the search lives in the URL: back from a model page restores it, and the link opens it elsewhere', async ({ page, browser }) => {
    const search = page.getByLabel('Search', { exact: true })
    await search.fill('vision')
    await filter(page, 'License (SPDX)', 'MIT')
    await select(page, 'Sort by').selectOption('price')
    await expect(titles(page)).toHaveText(['Condor vision'])
    await expect(page).toHaveURL(/[?&]q=vision(&|$)/)
    await expect(page).toHaveURL(/[?&]license=MIT(&|$)/)
    await expect(page).toHaveURL(/[?&]sort=price(&|$)/)

    await page.getByRole('link', { name: 'Condor vision' }).click()
    await expect(page.getByRole('heading', { level: 1, name: 'Condor vision' })).toBeVisible()
    await page.goBack()
    await expect(search).toHaveValue('vision')
    await expect(page.getByLabel('Tags (comma-separated)', { exact: true })).toHaveValue(run)
    await expect(page.getByLabel('License (SPDX)', { exact: true })).toHaveValue('MIT')
    await expect(select(page, 'Sort by')).toHaveValue('price')
    await expect(titles(page)).toHaveText(['Condor vision'])

    // the address is the search: opened in another browser, it shows the same
    const other = await browser.newContext()
    try {
      const shared = await other.newPage()
      await shared.goto(page.url())
      await expect(shared.getByLabel('Search', { exact: true })).toHaveValue('vision')
      await expect(shared.getByLabel('License (SPDX)', { exact: true })).toBeVisible()
      await expect(shared.getByLabel('License (SPDX)', { exact: true })).toHaveValue('MIT')
      await expect(titles(shared)).toHaveText(['Condor vision'])
    } finally {
      await other.close()
    }

    // the brand link is a new, empty search
    await page.getByRole('link', { name: 'AI Model Marketplace' }).click()
    await expect(search).toHaveValue('')
    await expect(page).not.toHaveURL(/q=/)
  })

  test('active filters show as chips: each one removes its filter, and Clear filters removes them all', async ({ page }) => {
    await filter(page, 'License (SPDX)', 'MIT')
    await select(page, 'Sort by').selectOption('price')
    const chips = page.getByRole('list', { name: 'Active filters' })
    await expect(chips.getByRole('button')).toHaveText([`Tags: ${run}`, 'License: MIT', 'Sort: Price (low first)', 'Clear filters'])
    await chips.getByRole('button', { name: 'License: MIT' }).click()
    await expect(page.getByLabel('License (SPDX)', { exact: true })).toHaveValue('')
    await expect(page).not.toHaveURL(/license=/)
    await check(page, 'browse-chips')
    await page.getByLabel('Search', { exact: true }).fill('filler')
    await chips.getByRole('button', { name: 'Clear filters' }).click()
    await expect(chips).toHaveCount(0)
    await expect(page.getByLabel('Tags (comma-separated)', { exact: true })).toHaveValue('')
    await expect(select(page, 'Sort by')).toHaveValue('')
    // the text typed is the search itself, not a filter: it stays
    await expect(page.getByLabel('Search', { exact: true })).toHaveValue('filler')
    await page.getByLabel('Search', { exact: true }).fill('')
  })

  test('next and previous page through more results than one page holds', async ({ page }) => {
    const pager = page.getByRole('navigation', { name: 'Result pages' })
    await expect(pager.getByText('Page 1')).toBeVisible()
    await expect(pager.getByRole('button', { name: 'Previous page' })).toBeDisabled()
    await pager.getByRole('button', { name: 'Next page' }).click()
    await expect(titles(page)).toHaveText(newestFirst.slice(12))
    await expect(pager.getByText('Page 2')).toBeVisible()
    await expect(pager.getByRole('button', { name: 'Next page' })).toBeDisabled()
    await pager.getByRole('button', { name: 'Previous page' }).click()
    await expect(titles(page)).toHaveText(newestFirst.slice(0, 12))
    await expect(pager.getByText('Page 1')).toBeVisible()
    // a changed search starts again from the first page
    await pager.getByRole('button', { name: 'Next page' }).click()
    await expect(pager.getByText('Page 2')).toBeVisible()
    await select(page, 'Sort by').selectOption('price')
    await expect(pager.getByText('Page 1')).toBeVisible()
    await expect(titles(page)).toHaveCount(12)
  })
})
