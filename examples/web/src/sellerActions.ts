import type { MarketplaceClientConfig } from '@ai-model-marketplace/sdk'
import { useQuery } from '@tanstack/react-query'
import type { Address } from 'viem'
import { useSearchConfig } from './hooks.ts'
import { required } from './required.ts'

/** An open dispute on one of a seller's models, as the indexer has it. */
export type OpenDispute = {
  disputeId: string
  openedAt: string
  /** Unix seconds: past it, anyone may settle by the contract's default rule (a 50/50 split). */
  rulingDeadline: string
  order: { orderId: string; amount: string; buyer: { id: Address } }
  model: { modelId: string; name: string }
}

async function loadSellerActions(client: Pick<MarketplaceClientConfig, 'indexer'>, seller: Address) {
  const data = await required(client.indexer, 'indexer').query<{ disputes: OpenDispute[]; orders: { orderId: string }[] }>(
    `query SellerActions($seller: String!) {
      disputes(where: { seller: $seller, status: Open }, orderBy: openedAt, orderDirection: desc, first: 100) {
        disputeId openedAt rulingDeadline order { orderId amount buyer { id } } model { modelId name }
      }
      orders(where: { seller: $seller, status: Created }, first: 100) { orderId }
    }`,
    { seller: seller.toLowerCase() },
  )
  return { disputes: data.disputes, waiting: data.orders.length, count: data.disputes.length + data.orders.length }
}

/**
 * What waits for a seller: open disputes on their models (to answer before the ruling deadline) and
 * orders to deliver. One query shared by the navigation's count, the dashboard and the model page.
 */
export function useSellerActions(seller: Address | undefined) {
  const client = useSearchConfig()
  return useQuery({
    queryKey: ['seller-actions', seller?.toLowerCase()],
    enabled: Boolean(seller),
    queryFn: () => loadSellerActions(client, required(seller, 'seller')),
    refetchInterval: 8000,
  })
}
