// Keyboard-only use, driven in Chromium with Tab, Shift+Tab, Enter, Space and typing, never a mouse
// (the pages count pointer events and must see none): a seller connects, signs in and lists a model
// through the Sell form; a buyer finds it by typing, opens it with Enter and buys it with Space; the
// seller delivers, the buyer disputes, the arbiter rules. On every page, reached by keyboard, tabbing
// from the top reaches every control in DOM and reading order, each focus shows a ring on screen, and
// the skip link moves focus to the main content.
import { randomBytes } from 'node:crypto'
import { type Browser, expect, type Locator, type Page, test } from '@playwright/test'
import type { Hex } from 'viem'
import { loadStack } from './helpers.ts'
import { indexed } from './listings.ts'
import type { StackInfo } from './stack.ts'
import { installWallet, type TestWallet } from './wallet.ts'

// short texts: every character is a key press
const modelName = `Keys ${randomBytes(3).toString('hex')}`
const files = [
  { name: 'config.json', mimeType: 'application/json', buffer: Buffer.from('{"labels":7}') },
  { name: 'model.safetensors', mimeType: 'application/octet-stream', buffer: randomBytes(200_000) },
]

type Rect = { top: number; bottom: number; left: number; right: number }
/** One focus stop as the page reports it. */
type Stop = { name: string; index: number; ring: boolean; onScreen: boolean; rect: Rect; unit: Rect; unitId: number }
type Probe = {
  /** Records the controls a keyboard user should reach, in DOM order; returns their names and which lie in <main>. */
  mark(): { names: string[]; inMain: boolean[]; positiveTabIndex: string[] }
  /** The focused element: its index among the marked controls, whether its focus shows, where it is. */
  stop(): Stop
  pointerEvents: number
}

/**
 * Test instrumentation loaded before the app: lists the controls Tab should reach (enabled, rendered,
 * not inside a closed <details>, not tabindex=-1), describes the focused one, counts pointer events.
 */
function installProbe() {
  const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex], [contenteditable]:not([contenteditable="false"]), iframe, audio[controls], video[controls]'
  let marked: Element[] = []
  const units = new Map<Element, number>()
  const hiddenInClosedDetails = (el: Element) => {
    for (let d = el.closest('details:not([open])'); d; d = d.parentElement?.closest('details:not([open])') ?? null) {
      if (!(el.tagName === 'SUMMARY' && el.parentElement === d)) return true
    }
    return false
  }
  const name = (el: Element) => {
    const h = el as HTMLInputElement
    const label = el.getAttribute('aria-label') ?? h.labels?.[0]?.textContent ?? el.textContent ?? ''
    return `${el.tagName.toLowerCase()}${h.type && el.tagName === 'INPUT' ? `[${h.type}]` : ''} "${label.replace(/\s+/g, ' ').trim().slice(0, 50)}"`
  }
  const rect = (el: Element): Rect => {
    const r = el.getBoundingClientRect()
    // page coordinates: focusing scrolls the page, so viewport positions of two stops do not compare
    return { top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left + scrollX, right: r.right + scrollX }
  }
  let pointerEvents = 0
  for (const type of ['pointerdown', 'mousedown', 'click'])
    addEventListener(
      type,
      (e) => {
        // clicks synthesized by Enter/Space on a control have no pointer behind them (detail 0)
        if (type !== 'click' || (e as MouseEvent).detail > 0) pointerEvents++
      },
      true,
    )
  const probe: Probe = {
    mark() {
      marked = [...document.querySelectorAll(selector)].filter(
        (el) =>
          (el as HTMLElement).tabIndex >= 0 &&
          !el.matches(':disabled') &&
          !el.closest('[inert]') &&
          el.checkVisibility({ visibilityProperty: true }) &&
          !hiddenInClosedDetails(el),
      )
      return {
        names: marked.map(name),
        inMain: marked.map((el) => Boolean(el.closest('main'))),
        positiveTabIndex: [...document.querySelectorAll('[tabindex]')].filter((el) => (el as HTMLElement).tabIndex > 0).map(name),
      }
    },
    stop() {
      const el = document.activeElement ?? document.body
      // a visually hidden control (the file inputs) shows its focus on the label drawn as its button
      const r = el.getBoundingClientRect()
      const shown = (r.width <= 1 || r.height <= 1 ? el.closest('label') : null) ?? el
      const style = getComputedStyle(shown)
      const ring = (style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none'
      const box = shown.getBoundingClientRect()
      const onScreen = box.width > 1 && box.height > 1 && box.bottom > 0 && box.right > 0 && box.top < innerHeight && box.left < innerWidth
      // cards of a grid are read card by card: their order is checked on the cards, not on the controls inside
      const unit = el.closest('.card') ?? el
      if (!units.has(unit)) units.set(unit, units.size)
      return { name: el === document.body ? 'body' : name(el), index: marked.indexOf(el), ring, onScreen, rect: rect(shown), unit: rect(unit), unitId: units.get(unit) ?? -1 }
    },
    get pointerEvents() {
      return pointerEvents
    },
  }
  Object.assign(window, { __probe: probe })
}

const stop = (page: Page) => page.evaluate(() => (window as unknown as { __probe: Probe }).__probe.stop())
const mark = (page: Page) => page.evaluate(() => (window as unknown as { __probe: Probe }).__probe.mark())

/**
 * Reading order of two consecutive stops: on the same line (their boxes overlap vertically) the
 * next one lies to the right, otherwise below.
 */
function readsOn(a: Rect, b: Rect) {
  const sameLine = b.top < a.bottom && a.top < b.bottom
  return sameLine ? b.left >= a.left : b.top >= a.bottom - 1
}

let stack: StackInfo
const users: Record<string, { page: Page; wallet: TestWallet }> = {}
let modelId = ''
let orderId = ''

/**
 * A person in their own browser profile with the test wallet, on a freshly loaded Browse page, not
 * yet connected: the first Tab lands on the skip link, shown on screen with its focus ring.
 */
async function person(browser: Browser, key: Hex, name: string) {
  const context = await browser.newContext()
  const wallet = await installWallet(context, { key, rpcUrl: stack.rpcUrl, chainId: stack.chainId })
  await context.addInitScript(installProbe)
  const page = await context.newPage()
  page.on('pageerror', (error) => console.error(`[${name}] page error:`, error.message))
  users[name] = { page, wallet }
  await page.goto('/')
  await expect(page.getByRole('button', { name: 'Connect wallet' })).toBeEnabled()
  await page.keyboard.press('Tab')
  expect(await stop(page)).toMatchObject({ name: 'a "Skip to content"', ring: true, onScreen: true })
  return page
}

function userOf(name: string) {
  const user = users[name]
  if (!user) throw new Error(`no page for ${name}: its set-up did not run`)
  return user
}

/** Presses Tab (or Shift+Tab) until `target` has focus; every stop on the way must show its focus. */
async function tabTo(page: Page, target: Locator, { back = false, max = 60 } = {}) {
  const element = await target.elementHandle()
  const at = () => page.evaluate((el) => ({ ...(window as unknown as { __probe: Probe }).__probe.stop(), hit: el === document.activeElement }), element)
  if ((await at()).hit) return
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab')
    const s = await at()
    if (s.name !== 'body') expect(s.ring && s.onScreen, `focus ring on ${s.name}`).toBe(true)
    if (s.hit) return
  }
  throw new Error(`${max} presses of ${back ? 'Shift+Tab' : 'Tab'} did not reach ${target}`)
}

/** Connects the injected wallet through the wallet menu with the keyboard. */
async function connect(page: Page) {
  await tabTo(page, page.getByRole('button', { name: 'Connect wallet' }))
  // Escape closes the wallet list again and leaves focus on its button
  await page.keyboard.press('Enter')
  await expect(page.getByRole('list', { name: 'Wallets' })).toBeVisible()
  await page.keyboard.press('Escape')
  await expect(page.getByRole('list', { name: 'Wallets' })).toHaveCount(0)
  await expect(page.getByRole('button', { name: 'Connect wallet' })).toBeFocused()
  await page.keyboard.press('Enter')
  await tabTo(page, page.getByRole('button', { name: 'Test Wallet' }), { max: 3 })
  await page.keyboard.press('Enter')
  await expect(page.getByLabel('Connected account')).toBeVisible()
  // the wallet menu is gone: focus stays in the wallet panel instead of falling back to the page's start
  await expect(page.locator('.wallet :focus')).toHaveCount(1)
}

async function signIn(page: Page) {
  await tabTo(page, page.getByRole('button', { name: 'Sign in' }), { back: true })
  await page.keyboard.press('Enter')
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeFocused()
}

/** Follows a link of the page menu with the keyboard; focus moves to the new page's content. */
async function navigate(page: Page, name: string) {
  await tabTo(page, page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name, exact: true }), { back: true })
  await page.keyboard.press('Enter')
  await expect(page.locator('main')).toBeFocused()
}

/**
 * Once `ready` shows and nothing is loading, goes back to the top of the page with Shift+Tab and
 * tabs through every control, checking: the stops are exactly the page's controls in DOM order (no
 * positive tabindex), each shows a focus ring on screen, they read left to right and top to bottom;
 * past the last one focus comes round to the skip link, which takes focus to <main>, and the next
 * Tab to the first control in it.
 */
async function walk(page: Page, ready: Locator) {
  await expect(ready).toBeVisible({ timeout: 60_000 })
  await expect(page.locator('.loading')).toHaveCount(0, { timeout: 30_000 })
  const skip = page.getByRole('link', { name: 'Skip to content' })
  await tabTo(page, skip, { back: true })
  const { names, inMain, positiveTabIndex } = await mark(page)
  const where = new URL(page.url()).hash || '#/'
  expect(positiveTabIndex, `positive tabindex on ${where}`).toEqual([])
  expect(names[0], `the first control of ${where}`).toBe('a "Skip to content"')
  const stops: Stop[] = []
  for (let i = 1; i < names.length; i++) {
    await page.keyboard.press('Tab')
    stops.push(await stop(page))
  }
  expect(stops.map((s) => (s.index === -1 ? `unlisted: ${s.name}` : names[s.index])), `tab order of ${where}`).toEqual(names.slice(1))
  expect(stops.filter((s) => !s.ring || !s.onScreen).map((s) => s.name), `stops of ${where} without a visible focus ring`).toEqual([])
  const outOfOrder = stops.slice(1).flatMap((s, i) => {
    const previous = stops[i] as Stop
    const inOneCard = s.unitId === previous.unitId
    return readsOn(inOneCard ? previous.rect : previous.unit, inOneCard ? s.rect : s.unit) ? [] : [`${previous.name} -> ${s.name}`]
  })
  expect(outOfOrder, `reading order of ${where}`).toEqual([])

  // past the last control focus leaves the page, then comes round to the skip link
  await tabTo(page, skip, { max: 2 })
  await page.keyboard.press('Enter')
  await expect(page.locator('main')).toBeFocused()
  expect((await stop(page)).ring, 'focus ring on <main>').toBe(true)
  await page.keyboard.press('Tab')
  const firstInMain = inMain.indexOf(true)
  expect((await stop(page)).index, `the first Tab after the skip link on ${where}`).toBe(firstInMain === -1 ? 0 : firstInMain)
  return names
}

test.describe.serial('keyboard only', () => {
  test.beforeAll(async () => {
    stack = await loadStack()
  })
  test.afterAll(async () => {
    for (const { page } of Object.values(users)) {
      expect(await page.evaluate(() => (window as unknown as { __probe: Probe }).__probe.pointerEvents), 'pointer events in the page').toBe(0)
      await page.context().close()
    }
  })

  test('the seller connects, signs in, and lists a model through the Sell form', async ({ browser }) => {
    const page = await person(browser, stack.keys.seller, 'seller')
    await connect(page)
    await signIn(page)
    await navigate(page, 'Sell')
    await walk(page, page.getByRole('button', { name: 'Encrypt, upload and list' }))

    // Space on the focused file input opens the file dialog, which the test answers
    await tabTo(page, page.getByLabel('choose files'), { back: true })
    const chooser = page.waitForEvent('filechooser')
    await page.keyboard.press('Space')
    await (await chooser).setFiles(files)
    await expect(page.getByTestId('picked')).toContainText('2 files')
    const typeInto = async (label: string, text: string) => {
      await tabTo(page, page.getByLabel(label, { exact: true }))
      await page.keyboard.type(text)
    }
    await typeInto('Name', modelName)
    await typeInto('Summary', 'By keys.')
    await typeInto('Tags (comma-separated)', 'nlp')
    await typeInto('Task', 'ner')
    await typeInto('License (SPDX id)', 'MIT')
    await tabTo(page, page.getByLabel('Commercial use allowed'))
    await page.keyboard.press('Space')
    await expect(page.getByLabel('Commercial use allowed')).toBeChecked()
    await typeInto('Model card (description)', 'One.\n\nTwo.')
    await typeInto('Price (platform tokens)', '3')
    await typeInto('Changelog', 'First.')
    await tabTo(page, page.getByRole('button', { name: 'Encrypt, upload and list' }))
    await page.keyboard.press('Enter')
    const link = page.getByRole('status').getByRole('link', { name: /^model #\d+$/ })
    await expect(link).toBeVisible({ timeout: 120_000 })
    modelId = ((await link.textContent()) ?? '').replace('model #', '')
  })

  test('a buyer connects, finds it by typing, opens it with Enter and buys it with Space', async ({ browser }) => {
    // the listing is searchable once the indexer has it
    await indexed(stack)
    const page = await person(browser, stack.keys.buyer, 'buyer')
    await connect(page)
    const names = await walk(page, page.getByTestId('results').getByRole('link', { name: modelName }))
    expect(names).toContain('summary "Filters and sort"')
    // the filters open with Enter on their summary, and Tab then goes through them
    await tabTo(page, page.getByText('Filters and sort'))
    await page.keyboard.press('Enter')
    await tabTo(page, page.getByLabel('Sort by'), { max: 10 })

    await tabTo(page, page.getByLabel('Search'), { back: true })
    await page.keyboard.type(modelName.toLowerCase())
    const result = page.getByTestId('results').getByRole('link', { name: modelName })
    await expect(page.getByTestId('results').getByRole('link')).toHaveCount(1)
    await tabTo(page, result)
    await page.keyboard.press('Enter')
    await expect(page.getByRole('heading', { name: modelName, level: 1 })).toBeVisible()
    expect(page.url()).toMatch(new RegExp(`#/model/${modelId}$`))
    // the link that had focus left with the Browse page: focus starts again at the new page's content
    await expect(page.locator('main')).toBeFocused()
    const buy = page.getByRole('button', { name: /^Buy for/ })
    await walk(page, buy)
    await tabTo(page, buy)
    await page.keyboard.press('Space')
    const placed = page.getByText(/Order #\d+ placed/)
    await expect(placed).toBeVisible({ timeout: 60_000 })
    orderId = (/Order #(\d+)/.exec((await placed.textContent()) ?? '') ?? [])[1] ?? ''
  })

  test('the seller delivers from the dashboard; the buyer disputes in the Library, then walks Profile and Analytics', async () => {
    const seller = userOf('seller').page
    await navigate(seller, 'Seller dashboard')
    const deliver = seller.getByRole('button', { name: `Deliver order #${orderId}` })
    await walk(seller, deliver)
    await tabTo(seller, deliver)
    await seller.keyboard.press('Enter')
    await expect(seller.getByText('Delivered: the buyer can now download.')).toBeVisible({ timeout: 60_000 })
    // the delivered order leaves the list with the button that had focus: focus goes to the page's content
    await expect(deliver).toHaveCount(0, { timeout: 30_000 })
    await expect(seller.locator('main')).toBeFocused()

    const buyer = userOf('buyer').page
    await navigate(buyer, 'Library')
    const order = buyer.getByRole('article').filter({ hasText: `Order #${orderId} ·` })
    const dispute = order.getByRole('button', { name: `Dispute order #${orderId}` })
    await walk(buyer, dispute)
    // evidence goes to the storage service, which needs a session
    await signIn(buyer)
    await tabTo(buyer, dispute)
    await buyer.keyboard.press('Enter')
    await expect(order.getByLabel('What is wrong?')).toBeFocused()
    await buyer.keyboard.type('Labels off by one.')
    await tabTo(buyer, order.getByRole('button', { name: 'Open dispute' }), { max: 3 })
    await buyer.keyboard.press('Enter')
    await expect(order.getByTestId('order-status')).toHaveText('In dispute', { timeout: 60_000 })
    await expect(buyer.locator('main')).toBeFocused()

    await navigate(buyer, 'Profile')
    await walk(buyer, buyer.getByRole('button', { name: 'Save profile' }))
    await navigate(buyer, 'Analytics')
    await walk(buyer, buyer.getByRole('button', { name: 'Export CSV' }))
  })

  test('the arbiter reads the dispute and splits it', async () => {
    // the same browser, the arbiter's account picked in the wallet
    const { page, wallet } = userOf('buyer')
    await wallet.switchAccount(stack.keys.arbiter)
    await navigate(page, 'Arbiter')
    const card = page.getByRole('article').filter({ hasText: `Order #${orderId}:` })
    await expect(card.getByText('Labels off by one.')).toBeVisible({ timeout: 60_000 })
    await walk(page, card.getByRole('button', { name: 'Split' }))
    await tabTo(page, card.getByLabel("Buyer's share %"))
    await page.keyboard.press('ControlOrMeta+A')
    await page.keyboard.type('25')
    await tabTo(page, card.getByRole('button', { name: 'Split' }), { max: 2 })
    await page.keyboard.press('Enter')
    // the confirmation takes focus: Enter again sends the ruling
    await expect(card.getByRole('button', { name: 'Confirm ruling' })).toBeFocused()
    await page.keyboard.press('Enter')
    // the outcome stays on the page once the ruled dispute has left the list
    await expect(page.getByRole('status').filter({ hasText: `Order #${orderId} ruled: the buyer gets 0.75 back.` })).toBeVisible({ timeout: 60_000 })
    await expect(card).toHaveCount(0, { timeout: 60_000 })
  })
})
