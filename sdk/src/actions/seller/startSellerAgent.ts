import { type Address, zeroAddress } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import { modelRegistryAbi } from '../../contracts/abis.ts'
import type { BaseError } from '../../errors/base.ts'
import { ContractRevertedError, UndeliverableOrderError } from '../../errors/chain.ts'
import { type OrderCreatedEvent, orderCreatedLogs, readOrder } from '../internal/orders.ts'
import { call, decodeError, read, requireAccount } from '../internal/write.ts'
import { declineOrder } from './declineOrder.ts'
import { deliverOrder } from './deliverOrder.ts'

/** What the agent did, reported through `onProgress`. */
export type SellerAgentEvent =
  | { type: 'scanned'; fromBlock: bigint; toBlock: bigint; orders: number }
  | { type: 'delivered'; orderId: bigint; modelId: bigint; hash: `0x${string}` }
  /** The buyer's delivery key is not a valid point: no key can reach it, so the order was declined (refunded in full). */
  | { type: 'declined'; orderId: bigint; hash: `0x${string}`; error: UndeliverableOrderError }
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
 * Watches the chain's logs for orders of the models the wallet currently owns and delivers each
 * one (checking each key against the order's commitment first, see `deliverOrder`); an order whose
 * buyer key is not a valid point is declined, which refunds the buyer. The model's current owner
 * is its seller (IModelRegistry): an order placed before a model
 * was transferred to the wallet is delivered by the wallet, not by the owner named in the order's
 * event. It needs no indexer and keeps no state: the model's owner and the order's status are read
 * on-chain before delivering, so a restart (from the deployment block) never delivers twice.
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
      const { hash, modelId } = await deliverOrder(client, { orderId, modelKeys }).catch(async (error) => {
        if (!(error instanceof UndeliverableOrderError && error.reason === 'buyer-key-invalid')) throw error
        const { hash } = await declineOrder(client, { orderId })
        onProgress?.({ type: 'declined', orderId, hash, error })
        return { hash: undefined, modelId: undefined }
      })
      if (hash && modelId !== undefined) onProgress?.({ type: 'delivered', orderId, modelId, hash })
    } catch (caught) {
      const error = decodeError(caught, 'Marketplace', 'deliver')
      // A revert (deadline passed, model sold on) or a key that does not match the commitment will
      // not change by retrying; a network error may.
      if (!(error instanceof ContractRevertedError) && !(error instanceof UndeliverableOrderError)) retry.add(orderId)
      onProgress?.({ type: 'failed', orderId, error })
    }
  }

  async function scan() {
    try {
      const head = await call('eth_blockNumber', () => client.publicClient.getBlockNumber({ cacheTime: 0 }))
      for (const orderId of [...retry]) if (!stopped) await handle(orderId)
      if (head >= next) {
        const orders = await ownedOrders(client, seller, next, head)
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
      // uncached: viem's cached head can predate the caller's last write, ending the wait too early
      const head = await call('eth_blockNumber', () => client.publicClient.getBlockNumber({ cacheTime: 0 }))
      if (head < next) return
      await new Promise<void>((resolve) => waiters.push({ block: head, resolve }))
    },
  }
}

const sameAddress = (a: Address, b: Address) => a.toLowerCase() === b.toLowerCase()

/**
 * The orders to look at for blocks `from`..`to`: those created in the range, plus every earlier
 * order of a model transferred to `owner` in the range; kept only where `owner` owns the model now.
 */
async function ownedOrders(client: MarketplaceClientConfig, owner: Address, from: bigint, to: bigint): Promise<OrderCreatedEvent[]> {
  const [created, received] = await Promise.all([
    orderCreatedLogs(client, {}, { fromBlock: from, toBlock: to }),
    call('eth_getLogs', () =>
      client.publicClient.getContractEvents({
        address: client.deployment.contracts.ModelRegistry.address,
        abi: modelRegistryAbi,
        eventName: 'Transfer',
        args: { to: owner },
        fromBlock: from,
        toBlock: to,
        strict: true,
      }),
    ),
  ])
  // A mint (listing) has no earlier orders to catch up on, nor has a range that starts at the deployment.
  const deployed = BigInt(client.deployment.contracts.Marketplace.blockNumber)
  const transferred = new Set(received.filter((log) => log.args.from !== zeroAddress && from > deployed).map((log) => log.args.tokenId))
  const earlier = await Promise.all([...transferred].map((modelId) => orderCreatedLogs(client, { modelId }, { toBlock: from - 1n })))
  const byId = new Map<bigint, OrderCreatedEvent>()
  for (const order of [...earlier.flat(), ...created]) byId.set(order.orderId, order)
  const owners = new Map<bigint, Promise<Address>>()
  const ownerOf = (modelId: bigint) => {
    const found = owners.get(modelId) ?? read<Address>(client, { contract: 'ModelRegistry', functionName: 'ownerOf', args: [modelId] })
    owners.set(modelId, found)
    return found
  }
  const mine: OrderCreatedEvent[] = []
  for (const order of [...byId.values()].sort((a, b) => (a.orderId < b.orderId ? -1 : 1)))
    if (sameAddress(await ownerOf(order.modelId), owner)) mine.push(order)
  return mine
}
