// What the browser tests share: the running stack, users with their test wallet, page navigation,
// screenshots with axe-core checks, waiting for the indexer, and the chain seen from Node.
import { createHash } from 'node:crypto'
import { mkdir, readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import { type Browser, expect, type Page, test } from '@playwright/test'
import { type Address, createPublicClient, erc20Abi, type Hex, http } from 'viem'
import type { StackInfo } from './stack.ts'
import { installWallet, type TestWallet } from './wallet.ts'

const here = import.meta.dirname
const shots = join(here, '..', 'screenshots')

/**
 * The stack behind the app under test: its services as that app's `config.json` names them (the
 * stack file is shared by every stack started from this folder, so another one may have rewritten
 * it), and the dev keys from the stack file (Hardhat's fixed accounts, the same in every stack).
 */
export async function loadStack(): Promise<StackInfo> {
  // the file test/stack.ts wrote: AMM_STACK_FILE (relative to examples/web) when set, as Playwright's webServer inherits this environment
  const written: StackInfo = JSON.parse(await readFile(resolve(here, '..', process.env.AMM_STACK_FILE ?? '.stack/stack.json'), 'utf8'))
  const appUrl = String(test.info().project.use.baseURL)
  const response = await fetch(new URL('config.json', appUrl))
  if (!response.ok) throw new Error(`the app under test at ${appUrl} serves no config.json (HTTP ${response.status})`)
  const served = (await response.json()) as { chain: { id: number; rpcUrl: string }; graphqlUrl: string; storageUrl: string; deployment: unknown }
  return { ...written, appUrl, rpcUrl: served.chain.rpcUrl, chainId: served.chain.id, graphqlUrl: served.graphqlUrl, storageUrl: served.storageUrl, deployment: served.deployment }
}

export const sha256 = (b: Uint8Array) => `0x${createHash('sha256').update(b).digest('hex')}`

export type User = { page: Page; wallet: TestWallet }

/** A person in their own browser profile with the test wallet, connected to the dApp. */
export async function openUser(browser: Browser, stack: StackInfo, key: Hex, name: string, options: { walletChainId?: number } = {}): Promise<User> {
  const context = await browser.newContext()
  const wallet = await installWallet(context, { key, rpcUrl: stack.rpcUrl, chainId: stack.chainId, ...options })
  const page = await context.newPage()
  page.on('pageerror', (error) => console.error(`[${name}] page error:`, error.message))
  await page.goto('/')
  await page.getByRole('button', { name: 'Connect wallet' }).click()
  await page.getByRole('button', { name: 'Test Wallet' }).click()
  await expect(page.getByLabel('Connected account')).toBeVisible()
  return { page, wallet }
}

/** Follows a link of the page menu. */
export async function nav(page: Page, name: string) {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name, exact: true }).click()
}

export async function signIn(page: Page) {
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible()
}

/** A screenshot for review and an axe-core run: no serious or critical violation allowed. */
export async function check(page: Page, name: string) {
  await mkdir(shots, { recursive: true })
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true })
  const { violations } = await new AxeBuilder({ page }).analyze()
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`), `accessibility of ${name}`).toEqual([])
}

/** Reloads until the indexer has caught up and `ready` passes. */
export async function eventually(page: Page, ready: () => Promise<void>, timeout = 60_000) {
  await expect(async () => {
    await page.reload()
    await ready()
  }).toPass({ timeout, intervals: [1000, 2000, 3000] })
}

/** The dev chain as the test sees it from Node: balances and time travel. */
export function chainOf(stack: StackInfo) {
  const client = createPublicClient({ transport: http(stack.rpcUrl) })
  const contracts = (stack.deployment as { contracts: Record<'PlatformToken' | 'Marketplace', { address: Address }> }).contracts
  const rpc = async (method: string, params: unknown[]) => {
    const response = await fetch(stack.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
    const body = (await response.json()) as { error?: { message: string } }
    if (body.error) throw new Error(`${method}: ${body.error.message}`)
  }
  return {
    client,
    contracts,
    balance: (owner: Address) => client.readContract({ address: contracts.PlatformToken.address, abi: erc20Abi, functionName: 'balanceOf', args: [owner] }),
    /** Moves the chain's clock forward and mines a block carrying the new time. */
    async advanceTime(seconds: number) {
      await rpc('evm_increaseTime', [seconds])
      await rpc('evm_mine', [])
    },
  }
}

/** Lists a model with real files through the Sell page of a signed-in seller; returns its id. */
export async function sellInPage(
  seller: Page,
  { name, price, files, description }: { name: string; price: string; files: { name: string; mimeType: string; buffer: Buffer }[]; description?: string },
): Promise<string> {
  await seller.goto('/#/sell')
  await seller.getByLabel('choose files').setInputFiles(files)
  await seller.getByLabel('Name', { exact: true }).fill(name)
  await seller.getByLabel('Task').fill('text-classification')
  await seller.getByLabel('License (SPDX id)').fill('MIT')
  if (description) await seller.getByLabel('Model card (description)').fill(description)
  await seller.getByLabel('Price (platform tokens)').fill(price)
  await seller.getByRole('button', { name: 'Encrypt, upload and list' }).click()
  const link = seller.getByRole('status').getByRole('link', { name: /^model #\d+$/ })
  await expect(link).toBeVisible({ timeout: 120_000 })
  return String((await link.textContent())?.replace('model #', ''))
}
