// A real protocol on Hardhat's in-process chain (EDR) with the SDK's clients for each role.
import { deployProtocol } from '@ai-model-marketplace/contracts/deploy'
import { network } from 'hardhat'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther } from 'viem'
import { createMarketplaceClient } from '../../src/client/createMarketplaceClient.ts'
import type { MarketplaceClientConfig } from '../../src/client/types.ts'
import type { Deployment } from '../../src/contracts/types.ts'
import type { Indexer } from '../../src/indexer/types.ts'
import { embeddedStore } from '../../src/storage/node/embedded.ts'

export async function startProtocol(options: { indexer?: Indexer } = {}) {
  const connection = await network.connect()
  const { viem, provider } = connection
  const publicClient = await viem.getPublicClient()
  const [admin, seller, buyer, arbiter, evaluator, stranger] = await viem.getWalletClients()
  if (!admin || !seller || !buyer || !arbiter || !evaluator || !stranger) throw new Error('the Hardhat network needs six accounts')
  const deployment = (await deployProtocol({
    walletClient: admin,
    publicClient: publicClient as never,
    roles: { arbiters: [arbiter.account.address], evaluators: [evaluator.account.address] },
    mint: [buyer, stranger].map((w) => ({ to: w.account.address, amount: parseEther('1000') })),
  })) as Deployment
  const dir = await mkdtemp(join(tmpdir(), 'amm-sdk-actions-'))
  const store = await embeddedStore({ dir })
  const clientOf = (walletClient?: typeof admin, overrides: Partial<MarketplaceClientConfig> = {}) =>
    createMarketplaceClient({ publicClient: publicClient as never, walletClient: walletClient as never, deployment, store, indexer: options.indexer, ...overrides })
  return {
    connection,
    provider,
    viem,
    publicClient,
    deployment,
    store,
    /** The embedded store's folder, to damage its files as a failing disk would. */
    storeDir: dir,
    accounts: { admin, seller, buyer, arbiter, evaluator, stranger },
    seller: clientOf(seller),
    buyer: clientOf(buyer),
    arbiter: clientOf(arbiter),
    evaluator: clientOf(evaluator),
    stranger: clientOf(stranger),
    reader: clientOf(undefined),
    clientOf,
    /** Moves the chain's clock (windows are in seconds) and mines a block. */
    async increaseTime(seconds: number) {
      await provider.request({ method: 'evm_increaseTime', params: [seconds] })
      await provider.request({ method: 'evm_mine', params: [] })
    },
    async close() {
      await store.close?.()
      await connection.close?.()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
