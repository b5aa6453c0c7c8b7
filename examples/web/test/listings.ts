// Market state made from Node for the specs that need it fast: listings straight through the
// registry (their files are never uploaded, so the content is a random, valid CID and sha256), fresh
// accounts, and purchases and reviews through the SDK, as another user's browser would make them.
import { randomBytes } from 'node:crypto'
import { modelRegistryAbi } from '@ai-model-marketplace/contracts'
import { createPublicClient, createWalletClient, erc20Abi, type Hex, http, parseEventLogs, toHex, zeroHash } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { createMarketplaceClient, generateModelKey, keyCommitment, kuboStore, subgraphIndexer } from '../../../sdk/src/index.ts'
import type { StackInfo } from './stack.ts'

export type Listing = {
  name: string
  summary?: string
  tags: string[]
  task: string
  license: string
  price: bigint
  /** The model key buyers must receive (its commitment goes on-chain); a random one for a paid listing by default. */
  modelKey?: Uint8Array
}

type Deployment = { chainId: number; contracts: Record<'ModelRegistry' | 'PlatformToken', { address: Hex }> }

// polls for receipts every 100 ms (viem's default of 4 s would dominate on a chain that mines at once)
const chainClient = (stack: StackInfo) => createPublicClient({ transport: http(stack.rpcUrl), pollingInterval: 100 })

const rpc = async (stack: StackInfo, method: string, params: unknown[]) => {
  const response = await fetch(stack.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  const body = (await response.json()) as { error?: { message: string } }
  if (body.error) throw new Error(`${method}: ${body.error.message}`)
}

/** The bytes of a CIDv1 (raw codec, sha2-256) of content that exists nowhere. */
const randomCid = () => toHex(Buffer.concat([Buffer.from([0x01, 0x55, 0x12, 0x20]), randomBytes(32)]))

/** Lists the models from `key`'s account, one transaction each, and returns their ids in order. */
export async function listModels(stack: StackInfo, key: Hex, listings: Listing[]): Promise<bigint[]> {
  const publicClient = chainClient(stack)
  const wallet = createWalletClient({ account: privateKeyToAccount(key), transport: http(stack.rpcUrl) })
  const { contracts } = stack.deployment as Deployment
  const ids: bigint[] = []
  for (const l of listings) {
    const hash = await wallet.writeContract({
      chain: null,
      address: contracts.ModelRegistry.address,
      abi: modelRegistryAbi,
      functionName: 'listModel',
      args: [
        { name: l.name, summary: l.summary ?? `${l.name}, listed by the browser tests`, tags: l.tags, task: l.task, license: l.license, commercialUse: true, metadataURI: '' },
        { contentCID: randomCid(), sha256: toHex(randomBytes(32)), size: 1000n, semver: '1.0.0', changelogURI: '' },
        contracts.PlatformToken.address,
        l.price,
        // a paid model commits to its key when listed; a free one needs none
        l.modelKey || l.price > 0n ? keyCommitment(l.modelKey ?? generateModelKey()) : zeroHash,
      ],
    } as never)
    const receipt = await publicClient.waitForTransactionReceipt({ hash })
    const [listed] = parseEventLogs({ abi: modelRegistryAbi, eventName: 'ModelListed', logs: receipt.logs })
    if (!listed) throw new Error(`listing ${l.name} emitted no ModelListed`)
    ids.push((listed.args as { modelId: bigint }).modelId)
  }
  return ids
}

/** A new account holding `eth` (set directly on the dev chain) and `tokens` platform tokens (sent by the admin). */
export async function freshAccount(stack: StackInfo, { eth = 10n ** 19n, tokens = 0n }: { eth?: bigint; tokens?: bigint } = {}): Promise<Hex> {
  const key = generatePrivateKey()
  const address = privateKeyToAccount(key).address
  await rpc(stack, 'hardhat_setBalance', [address, toHex(eth)])
  if (tokens > 0n) {
    const transport = http(stack.rpcUrl)
    const admin = createWalletClient({ account: privateKeyToAccount(stack.keys.admin), transport })
    const hash = await admin.writeContract({ chain: null, address: (stack.deployment as Deployment).contracts.PlatformToken.address, abi: erc20Abi, functionName: 'transfer', args: [address, tokens] })
    await chainClient(stack).waitForTransactionReceipt({ hash })
  }
  return key
}

/** The SDK client of `key`'s account, as a script or another user's app would hold it. */
export function sdkClient(stack: StackInfo, key: Hex) {
  const transport = http(stack.rpcUrl)
  return createMarketplaceClient({
    publicClient: chainClient(stack) as never,
    walletClient: createWalletClient({ account: privateKeyToAccount(key), transport }) as never,
    deployment: stack.deployment as never,
    store: kuboStore({ url: stack.storageUrl }),
    indexer: subgraphIndexer({ url: stack.graphqlUrl }),
  })
}

/** Waits until the indexer has processed the chain's current head. */
export async function indexed(stack: StackInfo, timeoutMs = 30_000) {
  const head = await chainClient(stack).getBlockNumber()
  const indexer = subgraphIndexer({ url: stack.graphqlUrl })
  const until = Date.now() + timeoutMs
  while ((await indexer.blockNumber()) < head) {
    if (Date.now() > until) throw new Error(`the indexer did not reach block ${head} in ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
