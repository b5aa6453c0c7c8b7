import type { Address, Hex } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import { marketplaceAbi } from '../../contracts/abis.ts'
import { ChainRequestError } from '../../errors/chain.ts'
import { call, read } from './write.ts'

/** Order states, in the contract's enum order. */
export const orderStatuses = ['None', 'Created', 'Delivered', 'Completed', 'Refunded', 'Disputed', 'Resolved'] as const
export type OrderStatus = (typeof orderStatuses)[number]

export type OnChainOrder = {
  orderId: bigint
  buyer: Address
  modelId: bigint
  status: OrderStatus
  /** Delivery deadline (Created), dispute deadline (Delivered) or ruling deadline (Disputed), unix seconds. */
  deadline: bigint
  token: Address
  amount: bigint
  feeBps: number
  /** The model's latest version when the order was made (0 for orders made before versions were recorded). */
  version: number
  /** The order's delivery check (0 for orders made before provable delivery). */
  deliveryCheck: Hex
}

export async function readOrder(client: MarketplaceClientConfig, orderId: bigint): Promise<OnChainOrder> {
  const order = await read<{
    buyer: Address
    modelId: number
    deadline: number
    status: number
    feeBps: number
    token: Address
    amount: bigint
    version: number
    deliveryCheck: Hex
  }>(client, {
    contract: 'Marketplace',
    functionName: 'getOrder',
    args: [orderId],
  })
  const status = orderStatuses[order.status]
  if (status === undefined)
    throw new ChainRequestError('Marketplace.getOrder', {
      details: `Order ${orderId} has status ${order.status}, which this SDK does not know.`,
      hint: 'The deployed Marketplace is newer than this SDK; upgrade @ai-model-marketplace/sdk.',
    })
  return {
    orderId,
    buyer: order.buyer,
    modelId: BigInt(order.modelId),
    status,
    deadline: BigInt(order.deadline),
    token: order.token,
    amount: order.amount,
    feeBps: Number(order.feeBps),
    version: Number(order.version),
    deliveryCheck: order.deliveryCheck,
  }
}

const fromBlock = (client: MarketplaceClientConfig) => BigInt(client.deployment.contracts.Marketplace.blockNumber)

export type OrderCreatedEvent = {
  orderId: bigint
  modelId: bigint
  buyer: Address
  seller: Address
  token: Address
  amount: bigint
  version: number
  /** The order's delivery key `B` (64 bytes `x ‖ y`; empty for a free model). */
  buyerKey: Hex
  /** The salt the buyer derived `b` with from its seed. */
  keySalt: Hex
  /** The model's key commitment, snapshotted into the order. */
  keyCommitment: Hex
  blockNumber: bigint
}

/** OrderCreated events from the chain's logs, filtered on the indexed fields; the indexer is not needed. */
export async function orderCreatedLogs(
  client: MarketplaceClientConfig,
  filter: { orderId?: bigint; modelId?: bigint; buyer?: Address },
  range: { fromBlock?: bigint; toBlock?: bigint } = {},
): Promise<OrderCreatedEvent[]> {
  const logs = await call('eth_getLogs', () =>
    client.publicClient.getContractEvents({
      address: client.deployment.contracts.Marketplace.address,
      abi: marketplaceAbi,
      eventName: 'OrderCreated',
      args: filter,
      fromBlock: range.fromBlock ?? fromBlock(client),
      toBlock: range.toBlock ?? 'latest',
      strict: true,
    }),
  )
  return logs.map((log) => ({ ...(log.args as Omit<OrderCreatedEvent, 'blockNumber'>), blockNumber: log.blockNumber }))
}

/** A delivery as posted on-chain: `R` (33 bytes), `c` (32 bytes) and the seller who posted it. */
export type OnChainDelivery = { R: Hex; c: Hex; seller: Address; blockNumber: bigint }

/**
 * The delivery of an order, read from its OrderDelivered log: the chain is the only source of a
 * delivery the SDK uses (an indexer may point at orders, never supply their keys).
 */
export async function deliveryFromLogs(client: MarketplaceClientConfig, orderId: bigint): Promise<OnChainDelivery | undefined> {
  const logs = await call('eth_getLogs', () =>
    client.publicClient.getContractEvents({
      address: client.deployment.contracts.Marketplace.address,
      abi: marketplaceAbi,
      eventName: 'OrderDelivered',
      args: { orderId },
      fromBlock: fromBlock(client),
      toBlock: 'latest',
      strict: true,
    }),
  )
  const log = logs[0]
  return log && { R: log.args.deliveryPoint, c: log.args.encryptedKey, seller: log.args.seller, blockNumber: log.blockNumber }
}

/** The order's OrderCreated event; ChainRequestError when the node has pruned it (its `B` and salt are only there). */
export async function orderCreatedLog(client: MarketplaceClientConfig, orderId: bigint): Promise<OrderCreatedEvent> {
  const [created] = await orderCreatedLogs(client, { orderId })
  if (!created)
    throw new ChainRequestError('eth_getLogs', {
      details: `No OrderCreated log for order ${orderId}.`,
      hint: 'Use an RPC endpoint that keeps logs since the deployment block.',
    })
  return created
}

/** The dispute id of an order, from its OrderDisputed log (the marketplace maps only dispute → order). */
export async function disputeIdFromLogs(client: MarketplaceClientConfig, orderId: bigint): Promise<bigint | undefined> {
  const logs = await call('eth_getLogs', () =>
    client.publicClient.getContractEvents({
      address: client.deployment.contracts.Marketplace.address,
      abi: marketplaceAbi,
      eventName: 'OrderDisputed',
      args: { orderId },
      fromBlock: fromBlock(client),
      toBlock: 'latest',
      strict: true,
    }),
  )
  return logs.at(-1)?.args.disputeId
}
