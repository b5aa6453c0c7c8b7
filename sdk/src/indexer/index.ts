export { type SubgraphIndexerParameters, subgraphIndexer } from './subgraph.ts'
export type { Indexer } from './types.ts'
export type { ModelSummary, ModelVersionInfo, TokenAmount, Verdict } from './models.ts'
