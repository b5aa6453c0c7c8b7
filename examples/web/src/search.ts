import { type MarketplaceClientConfig, type SearchModelsParameters, searchModels } from '@ai-model-marketplace/sdk'

/** Cards per result page. */
export const PAGE_SIZE = 12

/** What Browse shows on arrival: the newest listings, first page. */
export const FIRST_PAGE: SearchModelsParameters = { first: PAGE_SIZE }

/**
 * The Browse query, shared by the page and the start-up prefetch, which sends it while React and
 * wagmi start so the first results do not wait for them.
 */
export function searchQuery(client: Pick<MarketplaceClientConfig, 'indexer'>, parameters: SearchModelsParameters) {
  return {
    // prices are bigints, which JSON (and so the query cache's keys) cannot hold: spelled out here
    queryKey: ['search', JSON.stringify(parameters, (_, value) => (typeof value === 'bigint' ? value.toString() : value))],
    queryFn: () => searchModels(client, parameters),
  }
}
