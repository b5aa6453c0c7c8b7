export { type MarketplaceClient, createMarketplaceClient } from './createMarketplaceClient.ts'
export { type MarketplaceActions, marketplaceActions } from './decorator.ts'
export type { MarketplaceClientConfig } from './types.ts'
