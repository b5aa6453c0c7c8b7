import type { Address } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import type { BaseError } from '../../errors/base.ts'
import { ContractRevertedError } from '../../errors/chain.ts'
import { orderCreatedLogs, readOrder } from '../internal/orders.ts'
import { call, decodeError, requireAccount } from '../internal/write.ts'
import { deliverOrder } from './deliverOrder.ts'

/** What the agent did, reported through `onProgress`. */
export type SellerAgentEvent =
  | { type: 'scanned'; fromBlock: bigint; toBlock: bigint; orders: number }
  | { type: 'delivered'; orderId: bigint; modelId: bigint; hash: `0x${string}` }
  | { type: 'skipped'; orderId: bigint; status: string }
  | { type: 'failed'; orderId: bigint; error: BaseError }

export type StartSellerAgentParameters = {
  /** First block to scan (default: the marketplace's deployment block, so a restart catches up on everything). */
  fromBlock?: bigint
  /** How often to look for new blocks, in milliseconds (default 1000). */
  pollingInterval?: number
  /** Keys of models handed over by a previous owner, by model id. */
  modelKeys?: Map<bigint, Uint8Array>
  onProgress?: (event: SellerAgentEvent) => void
}
export type StartSellerAgentReturnType = {
  /** Stops watching; resolves when the current round has finished. */
  stop(): Promise<void>
  /** Resolves once every order up to the chain's head at the time of the call has been handled. */
  caughtUp(): Promise<void>
}
export type StartSellerAgentErrorType = BaseError

/**
 * Watches the chain's logs for orders of the wallet's models and delivers each one. It needs no
 * indexer and keeps no state: every order's on-chain status is read before delivering, so a
 * restart (from the deployment block) never delivers twice.
 *
 * @example
 * import { startSellerAgent } from '@ai-model-marketplace/sdk'
 * const agent = startSellerAgent(client, { onProgress: (e) => console.log(e.type, e) })
 * // … later
 * await agent.stop()
 */
export function startSellerAgent(client: MarketplaceClientConfig, parameters: StartSellerAgentParameters = {}): StartSellerAgentReturnType {
  const { pollingInterval = 1000, modelKeys, onProgress } = parameters
  const seller = requireAccount(client, 'startSellerAgent').address
  let next = parameters.fromBlock ?? BigInt(client.deployment.contracts.Marketplace.blockNumber)
  let stopped = false
  let timer: ReturnType<typeof setTimeout> | undefined
  let round: Promise<void> = Promise.resolve()
  const waiters: { block: bigint; resolve: () => void }[] = []
  // Orders whose delivery failed for a transient reason (RPC down, store busy): tried again every round.
  const retry = new Set<bigint>()

  async function handle(orderId: bigint) {
    retry.delete(orderId)
    try {
      const order = await readOrder(client, orderId)
      if (order.status !== 'Created') return onProgress?.({ type: 'skipped', orderId, status: order.status })
      const { hash, modelId } = await deliverOrder(client, { orderId, modelKeys })
      onProgress?.({ type: 'delivered', orderId, modelId, hash })
    } catch (caught) {
      const error = decodeError(caught, 'Marketplace', 'deliver')
      // A revert (deadline passed, model sold on) will not change by retrying; a network error may.
      if (!(error instanceof ContractRevertedError)) retry.add(orderId)
      onProgress?.({ type: 'failed', orderId, error })
    }
  }

  async function scan() {
    try {
      const head = await call('eth_blockNumber', () => client.publicClient.getBlockNumber())
      for (const orderId of [...retry]) if (!stopped) await handle(orderId)
      if (head >= next) {
        const orders = (await orderCreatedLogs(client, {}, { fromBlock: next, toBlock: head })).filter((o) => isSeller(o.seller, seller))
        for (const order of orders) if (!stopped) await handle(order.orderId)
        onProgress?.({ type: 'scanned', fromBlock: next, toBlock: head, orders: orders.length })
        next = head + 1n
      }
      for (const waiter of [...waiters])
        if (waiter.block < next) {
          waiters.splice(waiters.indexOf(waiter), 1)
          waiter.resolve()
        }
    } catch (error) {
      onProgress?.({ type: 'failed', orderId: 0n, error: decodeError(error, 'chain', 'eth_getLogs') })
    }
    if (!stopped) timer = setTimeout(() => (round = scan()), pollingInterval)
  }
  round = scan()

  return {
    async stop() {
      stopped = true
      clearTimeout(timer)
      await round
    },
    async caughtUp() {
      const head = await call('eth_blockNumber', () => client.publicClient.getBlockNumber())
      if (head < next) return
      await new Promise<void>((resolve) => waiters.push({ block: head, resolve }))
    },
  }
}

const isSeller = (a: Address, b: Address) => a.toLowerCase() === b.toLowerCase()
