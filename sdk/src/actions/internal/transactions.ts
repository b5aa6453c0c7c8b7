import type { MarketplaceClientConfig } from '../../client/types.ts'
import type { TransactionResult } from '../types.ts'
import { assertId } from './validate.ts'
import { write } from './write.ts'

/** Shared by delist and relist: the registry's one switch. */
export async function setActive(client: MarketplaceClientConfig, modelId: bigint, active: boolean, action: string): Promise<TransactionResult> {
  assertId('modelId', modelId)
  const { hash, receipt } = await write(client, { contract: 'ModelRegistry', functionName: 'setActive', args: [modelId, active], action })
  return { hash, blockNumber: receipt.blockNumber }
}

/** Shared by the order actions that send `functionName(orderId)` to the marketplace. */
export async function orderTransaction(client: MarketplaceClientConfig, functionName: string, orderId: bigint, action: string): Promise<TransactionResult> {
  assertId('orderId', orderId)
  const { hash, receipt } = await write(client, { contract: 'Marketplace', functionName, args: [orderId], action })
  return { hash, blockNumber: receipt.blockNumber }
}
