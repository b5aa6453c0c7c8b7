import { useQuery } from '@tanstack/react-query'
import type { Address } from 'viem'
import { useSearchConfig } from './hooks.ts'
import { required } from './required.ts'

export type TokenInfo = { symbol: string | null; decimals: number | null }
type TokenRow = TokenInfo & { id: Address; isPlatformToken: boolean }

/**
 * The payment tokens the indexer knows, for amounts shown with their symbol and decimals
 * (`tokenOf(address)`), and the platform token's, for totals the indexer sums across tokens.
 */
export function useTokens() {
  const client = useSearchConfig()
  const tokens = useQuery({
    queryKey: ['payment-tokens'],
    queryFn: async () =>
      (await required(client.indexer, 'indexer').query<{ paymentTokens: TokenRow[] }>('{ paymentTokens(first: 100) { id symbol decimals isPlatformToken } }'))
        .paymentTokens,
    staleTime: 60_000,
  })
  const unknown: TokenInfo = { symbol: null, decimals: null }
  return {
    tokenOf: (address: Address): TokenInfo => tokens.data?.find((t) => t.id.toLowerCase() === address.toLowerCase()) ?? unknown,
    platform: tokens.data?.find((t) => t.isPlatformToken) ?? unknown,
  }
}
