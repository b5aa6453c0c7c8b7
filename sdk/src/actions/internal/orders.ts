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
}

export async function readOrder(client: MarketplaceClientConfig, orderId: bigint): Promise<OnChainOrder> {
  const order = await read<{ buyer: Address; modelId: number; deadline: number; status: number; feeBps: number; token: Address; amount: bigint }>(client, {
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
  }
}

const fromBlock = (client: MarketplaceClientConfig) => BigInt(client.deployment.contracts.Marketplace.blockNumber)

export type OrderCreatedEvent = { orderId: bigint; modelId: bigint; buyer: Address; seller: Address; buyerPublicKey: Hex; blockNumber: bigint }

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

/** The wrapped key of a delivered order, read from its OrderDelivered log. */
export async function wrappedKeyFromLogs(client: MarketplaceClientConfig, orderId: bigint): Promise<Hex | undefined> {
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
  return logs[0]?.args.wrappedKey
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
