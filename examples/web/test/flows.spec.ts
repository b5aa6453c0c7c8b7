// The flows dapp.spec.ts leaves out, driven in Chromium as people would do them: files dropped on the
// Sell page or picked as a folder (relative paths kept), a download saved to a folder and read back,
// the seller's withdrawal, the buyer's refund after the delivery deadline, a wallet on the wrong
// network or switching account, and the upload fallback when the storage service lacks HTTP/2.
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { marketplaceAbi } from '@ai-model-marketplace/contracts'
import { type Browser, expect, type Locator, type Page, type Request, test } from '@playwright/test'
import { formatUnits, parseUnits } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { chainOf, check, loadStack, nav, openUser, sha256, signIn, type User } from './helpers.ts'
import type { StackInfo } from './stack.ts'

const modelName = 'Dropped files classifier'
const price = parseUnits('4', 18)
const dropped = [
  { path: 'config.json', bytes: Buffer.from('{"labels":3,"arch":"resnet"}') },
  // over 4 MiB, so the page's batched writes to the folder flush more than once
  { path: 'model.bin', bytes: randomBytes(9_000_000) },
]
const folder = [
  { path: 'config.json', bytes: Buffer.from('{"labels":3,"arch":"resnet","version":2}') },
  { path: 'weights/part-00001.bin', bytes: randomBytes(400_000) },
  { path: 'tokenizer/vocab.txt', bytes: Buffer.from('[PAD]\n[UNK]\nhello\nworld\n') },
]
const FEE_BPS = 250n
const DELIVERY_WINDOW = 3 * 86_400

let stack: StackInfo
let chain: ReturnType<typeof chainOf>
const users: Record<string, User> = {}
let modelId: string
let orderId: string

async function user(browser: Browser, key: keyof StackInfo['keys'], options: { walletChainId?: number } = {}): Promise<User> {
  const opened = await openUser(browser, stack, stack.keys[key], key, options)
  users[key] = opened
  return opened
}

function userOf(name: keyof StackInfo['keys']): User {
  const found = users[name]
  if (!found) throw new Error(`no page for ${name}: its set-up did not run`)
  return found
}

/** Fills the listing form of the Sell page (files already picked) and lists; returns the new model's id. */
async function listModel(page: Page, name: string) {
  await page.getByLabel('Name', { exact: true }).fill(name)
  await page.getByLabel('Task').fill('image-classification')
  await page.getByLabel('License (SPDX id)').fill('MIT')
  await page.getByLabel('Price (platform tokens)').fill(formatUnits(price, 18))
  await page.getByRole('button', { name: 'Encrypt, upload and list' }).click()
  const link = page.getByRole('status').getByRole('link', { name: /^model #\d+$/ })
  await expect(link).toBeVisible({ timeout: 120_000 })
  return (await link.textContent())?.replace('model #', '') ?? ''
}

/**
 * Upload requests to the storage service as the network saw them: each one's outcome, and the HTTP
 * version of each answered one (from the DevTools protocol; cross-origin Resource Timing hides it).
 */
async function watchUploads(page: Page) {
  const seen: { request: Request; outcome?: string }[] = []
  const protocols: string[] = []
  const isUpload = (url: string) => url.startsWith(`${stack.storageUrl}/api/v0/add?`)
  const entry = (request: Request) => seen.find((s) => s.request === request)
  page.on('request', (request) => isUpload(request.url()) && seen.push({ request }))
  page.on('requestfinished', (request) => {
    const found = entry(request)
    if (found) found.outcome = 'finished'
  })
  page.on('requestfailed', (request) => {
    const found = entry(request)
    if (found) found.outcome = request.failure()?.errorText ?? 'failed'
  })
  const devtools = await page.context().newCDPSession(page)
  await devtools.send('Network.enable')
  // CORS preflights answer the same URL first: only the uploads' own answers count
  devtools.on('Network.responseReceived', ({ type, response }) => type !== 'Preflight' && isUpload(response.url) && protocols.push(response.protocol ?? 'unknown'))
  return { seen, protocols }
}

/** The Content-Length a request went out with, if any (none for a streamed body, nor for one never sent). */
async function sentLength(request: Request): Promise<number | undefined> {
  const length = (await request.allHeaders())['content-length']
  return length === undefined ? undefined : Number(length)
}

/** Empties the origin-private file system, the folder the test wallet's directory picker hands out. */
async function clearSavedFolder(page: Page) {
  await page.evaluate(async () => {
    const root = (await navigator.storage.getDirectory()) as FileSystemDirectoryHandle & { keys(): AsyncIterable<string> }
    for await (const name of root.keys()) await root.removeEntry(name, { recursive: true })
  })
}

/** Every entry of that folder (swap files included), with the content of the small ones. */
async function folderListing(page: Page): Promise<Record<string, string>> {
  return page.evaluate(async () => {
    const root = (await navigator.storage.getDirectory()) as FileSystemDirectoryHandle & { entries(): AsyncIterable<[string, FileSystemHandle]> }
    const out: Record<string, string> = {}
    for await (const [name, handle] of root.entries())
      out[name] = handle.kind === 'file' ? (await (handle as FileSystemFileHandle).getFile()).size < 1000 ? await (await (handle as FileSystemFileHandle).getFile()).text() : 'large' : 'folder'
    return out
  })
}

/** Reads files back from that folder in the page and hashes them there. */
async function savedSha256(page: Page, paths: string[]): Promise<Record<string, string>> {
  return page.evaluate(async (paths) => {
    const out: Record<string, string> = {}
    for (const path of paths) {
      const parts = path.split('/')
      let dir = await navigator.storage.getDirectory()
      for (const part of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(part)
      const file = await (await dir.getFileHandle(parts.at(-1) as string)).getFile()
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()))
      out[path] = `0x${[...digest].map((b) => b.toString(16).padStart(2, '0')).join('')}`
    }
    return out
  }, paths)
}

/** The paths the Library lists for a finished download ("path · size · sha256" per file). */
async function pathsShown(list: Locator) {
  return (await list.getByRole('listitem').allTextContents()).map((t) => t.split(' · ')[0]).sort()
}

const hashes = (files: { path: string; bytes: Buffer }[]) => Object.fromEntries(files.map((f) => [f.path, sha256(f.bytes)]))
const short = (address: string) => `${address.slice(0, 6)}…${address.slice(-4)}`

test.describe.serial('more flows of the dApp in a browser', () => {
  test.beforeAll(async () => {
    stack = await loadStack()
    chain = chainOf(stack)
  })
  test.afterAll(async () => {
    for (const { page } of Object.values(users)) await page.context().close()
  })

  test('the seller drops files on the Sell page and lists them; the upload streams over HTTP/2', async ({ browser }) => {
    const { page } = await user(browser, 'seller')
    await signIn(page)
    await nav(page, 'Sell')
    const uploads = await watchUploads(page)
    // a real drop event whose DataTransfer holds File objects, as the browser builds one for dragged files
    const transfer = await page.evaluateHandle((files) => {
      const data = new DataTransfer()
      for (const f of files) data.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.path))
      return data
    }, dropped.map((f) => ({ path: f.path, base64: f.bytes.toString('base64') })))
    const zone = page.getByRole('group', { name: 'Model files' })
    await zone.dispatchEvent('dragover', { dataTransfer: transfer })
    await expect(zone).toHaveClass(/dragging/)
    await zone.dispatchEvent('drop', { dataTransfer: transfer })
    await expect(page.getByTestId('picked')).toHaveText(/^2 files, 8\.58 MiB: config\.json, model\.bin$/)
    modelId = await listModel(page, modelName)

    // each upload went up in one streamed request over HTTP/2: no refusal, no buffered resend
    const { seen, protocols } = uploads
    expect(seen.length).toBeGreaterThan(0)
    expect(seen.map((u) => u.outcome)).toEqual(seen.map(() => 'finished'))
    // a streamed body has no length known in advance; a buffered (Blob) one would send its Content-Length
    expect(await Promise.all(seen.map((u) => sentLength(u.request)))).toEqual(seen.map(() => undefined))
    expect(protocols).toEqual(seen.map(() => 'h2'))
  })

  test('a buyer buys it, the seller delivers, and the download saved to a folder reads back with the original sha256', async ({ browser }) => {
    const { page } = await user(browser, 'buyer')
    await page.goto(`/#/model/${modelId}`)
    await page.getByRole('button', { name: /^Buy for/ }).click()
    const placed = page.getByText(/Order #\d+ placed/)
    await expect(placed).toBeVisible({ timeout: 60_000 })
    orderId = (await placed.textContent())?.match(/Order #(\d+)/)?.[1] ?? ''

    const seller = userOf('seller').page
    await nav(seller, 'Seller dashboard')
    await seller.getByRole('button', { name: `Deliver order #${orderId}` }).click({ timeout: 60_000 })
    await expect(seller.getByText('Delivered: the buyer can now download.')).toBeVisible({ timeout: 60_000 })

    await clearSavedFolder(page)
    // the folder already holds a config.json of the user's own
    await page.evaluate(async () => {
      const writable = await (await (await navigator.storage.getDirectory()).getFileHandle('config.json', { create: true })).createWritable()
      await writable.write('{"mine":true}')
      await writable.close()
    })
    await nav(page, 'Library')
    const card = page.getByRole('article', { name: modelName })
    await expect(card.getByTestId('order-status')).toHaveText('Key delivered', { timeout: 60_000 })

    // the user closes the folder dialog: nothing is downloaded and nothing reported as failed
    await page.evaluate(() => {
      const w = window as unknown as { showDirectoryPicker: () => Promise<unknown> }
      const pick = w.showDirectoryPicker
      w.showDirectoryPicker = () => {
        w.showDirectoryPicker = pick
        return Promise.reject(new DOMException('The user aborted a request.', 'AbortError'))
      }
    })
    await card.getByRole('button', { name: `Download ${modelName}` }).click()
    await expect(card.getByRole('button', { name: `Download ${modelName}` })).toBeEnabled()
    await expect(card.getByRole('alert')).toHaveCount(0)
    await expect(card.getByTestId('download-verified')).toHaveCount(0)
    expect(await folderListing(page)).toEqual({ 'config.json': '{"mine":true}' })

    // then with one bit flipped near the archive's end: config.json and most of model.bin decrypt
    // before the failure, yet the folder is left as it was (no partial file, the user's own untouched)
    await page.route((url) => url.pathname.endsWith('/api/v0/cat'), async (route) => {
      const response = await route.fetch()
      const body = await response.body()
      body[body.length - 100] ^= 1
      await route.fulfill({ response, body })
    })
    await card.getByRole('button', { name: `Download ${modelName}` }).click()
    await expect(card.getByRole('alert')).toContainText('Download failed', { timeout: 120_000 })
    expect(await folderListing(page)).toEqual({ 'config.json': '{"mine":true}' })
    await page.unrouteAll()

    await card.getByRole('button', { name: `Download ${modelName}` }).click()
    await expect(card.getByTestId('download-verified')).toContainText('Version 1.0.0 verified', { timeout: 120_000 })
    // saved in the picked folder, so the page offers no in-memory copy to save
    const listed = card.getByRole('list', { name: 'Downloaded files' })
    await expect(listed.getByRole('link')).toHaveCount(0)
    expect(await pathsShown(listed)).toEqual(dropped.map((f) => f.path).sort())
    expect(await savedSha256(page, dropped.map((f) => f.path))).toEqual(hashes(dropped))
  })

  test('the buyer confirms; the seller withdraws the payout, the token balance rises by it and the payout leaves the page', async () => {
    const { page } = userOf('buyer')
    const card = page.getByRole('article', { name: modelName })
    await card.getByRole('button', { name: `Confirm order #${orderId}` }).click()
    await expect(card.getByTestId('order-status')).toHaveText('Confirmed', { timeout: 60_000 })

    const seller = userOf('seller')
    const token = chain.contracts.PlatformToken.address
    const payout = await chain.client.readContract({ address: chain.contracts.Marketplace.address, abi: marketplaceAbi, functionName: 'payoutOf', args: [seller.wallet.address, token] })
    // this order's share (the price less the platform fee), plus what earlier tests left unwithdrawn
    expect(payout).toBeGreaterThanOrEqual(price - (price * FEE_BPS) / 10_000n)
    const before = await chain.balance(seller.wallet.address)
    const revenue = seller.page.getByRole('region', { name: 'Revenue and payouts' })
    await expect(revenue.getByText(`${formatUnits(payout, 18)} AIMT to withdraw`)).toBeVisible({ timeout: 60_000 })
    await revenue.getByRole('button', { name: 'Withdraw' }).click()
    await expect(revenue.getByText(`Withdrew ${formatUnits(payout, 18)} AIMT.`)).toBeVisible({ timeout: 60_000 })
    expect((await chain.balance(seller.wallet.address)) - before).toBe(payout)
    await expect(revenue.getByText('Nothing to withdraw.')).toBeVisible({ timeout: 60_000 })
    await expect(revenue.getByRole('button', { name: 'Withdraw' })).toHaveCount(0)
  })

  test('the seller publishes a new version from a picked folder; the buyer downloads it with its relative paths', async () => {
    const work = await mkdtemp(join(tmpdir(), 'amm-web-flows-'))
    try {
      const root = join(work, 'resnet-v2')
      for (const f of folder) {
        await mkdir(dirname(join(root, f.path)), { recursive: true })
        await writeFile(join(root, f.path), f.bytes)
      }
      const { page } = userOf('seller')
      await page.goto(`/#/sell/${modelId}`)
      await expect(page.getByRole('heading', { name: `Publish a new version of model #${modelId}` })).toBeVisible()
      // an <input webkitdirectory>: the browser gives each file its path inside the picked folder
      await page.getByLabel('choose a folder').setInputFiles(root)
      const picked = page.getByTestId('picked')
      await expect(picked).toContainText('3 files')
      for (const f of folder) await expect(picked).toContainText(f.path)
      await page.getByLabel('Version', { exact: true }).fill('1.1.0')
      await page.getByLabel('Changelog').fill('Weights split into parts; tokenizer added.')
      await page.getByRole('button', { name: 'Encrypt, upload and publish' }).click()
      await expect(page.getByText(`Published version 2 of model #${modelId}.`)).toBeVisible({ timeout: 120_000 })
    } finally {
      await rm(work, { recursive: true, force: true })
    }

    const { page } = userOf('buyer')
    await clearSavedFolder(page)
    await page.reload()
    const card = page.getByRole('article', { name: modelName })
    await card.getByRole('button', { name: `Download ${modelName}` }).click()
    await expect(card.getByTestId('download-verified')).toContainText('Version 1.1.0 verified', { timeout: 120_000 })
    expect(await pathsShown(card.getByRole('list', { name: 'Downloaded files' }))).toEqual(folder.map((f) => f.path).sort())
    expect(await savedSha256(page, folder.map((f) => f.path))).toEqual(hashes(folder))
  })

  test('a second buyer gets a refund once the delivery deadline passes without delivery; Analytics follows the chain clock', async ({ browser }) => {
    const { page, wallet } = await user(browser, 'buyer2')
    const start = await chain.balance(wallet.address)
    await page.goto(`/#/model/${modelId}`)
    await page.getByRole('button', { name: /^Buy for/ }).click()
    const placed = page.getByText(/Order #\d+ placed/)
    await expect(placed).toBeVisible({ timeout: 60_000 })
    const refundOrder = (await placed.textContent())?.match(/Order #(\d+)/)?.[1] ?? ''
    expect(await chain.balance(wallet.address)).toBe(start - price)

    await nav(page, 'Library')
    const card = page.getByRole('article', { name: modelName })
    await expect(card.getByTestId('order-status')).toHaveText('Waiting for the key', { timeout: 60_000 })
    const refund = card.getByRole('button', { name: `Refund order #${refundOrder} (delivery deadline passed)` })
    // before the deadline the contract would refuse, so the page offers no refund
    await expect(refund).toHaveCount(0)
    await chain.advanceTime(DELIVERY_WINDOW + 60)
    await expect(refund).toBeVisible({ timeout: 30_000 })
    await check(page, 'library-refund')
    await refund.click()
    await expect(card.getByText('Refunded: the price is back in your wallet.')).toBeVisible({ timeout: 60_000 })
    expect(await chain.balance(wallet.address)).toBe(start)
    await expect(card.getByTestId('order-status')).toHaveText('Refunded', { timeout: 60_000 })

    // Analytics dates its days by the chain's clock, now days ahead of this computer's
    await nav(page, 'Analytics')
    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Export CSV' }).click()
    const lastDay = (await readFile(await (await download).path(), 'utf8')).trim().split('\n').at(-1)?.split(',')[0]
    const { timestamp } = await chain.client.getBlock()
    expect(lastDay).toBe(new Date(Number(timestamp) * 1000).toISOString().slice(0, 10))
  })

  test('a wallet on another network is asked to switch, and account changes show live', async ({ browser }) => {
    // the wallet starts on Ethereum mainnet and does not know the local chain: connecting adds and selects it
    const { page, wallet } = await user(browser, 'arbiter', { walletChainId: 1 })
    expect(wallet.chainId).toBe(stack.chainId)
    const switchButton = page.getByRole('button', { name: /^Wrong network: switch to / })
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible()

    // the user picks another network in the wallet: the page says so and offers to switch back
    await wallet.switchChain(1)
    await expect(switchButton).toBeVisible()
    await expect(page.getByRole('button', { name: 'Sign in' })).toHaveCount(0)
    // still so after a reload, when wagmi reconnects to the wallet where it is
    await page.reload()
    await expect(switchButton).toBeVisible()
    await check(page, 'wrong-network')
    await switchButton.click()
    await expect(switchButton).toHaveCount(0)
    expect(wallet.chainId).toBe(stack.chainId)
    await signIn(page)

    // another account picked in the wallet: shown at once, with its own (absent) session
    const account = page.getByLabel('Connected account')
    await expect(account).toHaveText(short(wallet.address))
    await wallet.switchAccount(stack.keys.admin)
    await expect(account).toHaveText(short(privateKeyToAccount(stack.keys.admin).address))
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible()
    // and back: the first account's session is still there
    await wallet.switchAccount(stack.keys.arbiter)
    await expect(account).toHaveText(short(privateKeyToAccount(stack.keys.arbiter).address))
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible()
  })

  test('without HTTP/2 the streamed upload is refused unread and kuboStore resends it buffered', async ({ playwright, launchOptions }) => {
    // a browser that speaks only HTTP/1.1, as behind a proxy without HTTP/2: Chromium sends streamed bodies over HTTP/2 only
    const browser = await playwright.chromium.launch({ ...launchOptions, args: [...(launchOptions.args ?? []), '--disable-http2'] })
    try {
      const { page } = await openUser(browser, stack, stack.keys.seller, 'seller over HTTP/1.1')
      await signIn(page)
      await nav(page, 'Sell')
      const { seen, protocols } = await watchUploads(page)
      const file = { name: 'weights.bin', mimeType: 'application/octet-stream', buffer: randomBytes(300_000) }
      await page.getByLabel('choose files').setInputFiles(file)
      await listModel(page, 'Uploaded over HTTP/1.1')
      // every upload: first the streamed request, failed before the browser sent its body, then the same upload as a Blob
      expect(seen.length % 2).toBe(0)
      for (let i = 0; i < seen.length; i += 2) {
        const [streamed, buffered] = [seen[i], seen[i + 1]]
        expect(streamed?.outcome).toMatch(/^net::ERR_/)
        expect(buffered?.outcome).toBe('finished')
        expect(buffered && (await sentLength(buffered.request))).toBeGreaterThan(0)
      }
      // the archive's buffered body holds the whole encrypted file
      expect(Math.max(...(await Promise.all(seen.map(async (u) => (await sentLength(u.request)) ?? 0))))).toBeGreaterThan(file.buffer.length)
      expect(protocols).toEqual(Array(seen.length / 2).fill('http/1.1'))
    } finally {
      await browser.close()
    }
  })
})
