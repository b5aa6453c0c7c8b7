/** Where search, history and aggregates come from: graph-node's GraphQL API for the protocol's subgraph. */
export type Indexer = {
  /** The subgraph's GraphQL endpoint. */
  url: string
  /** Runs a GraphQL query; throws IndexerUnavailableError or IndexerQueryError. */
  query<T>(query: string, variables?: Record<string, unknown>): Promise<T>
  /** The last block the indexer has processed. */
  blockNumber(): Promise<bigint>
}
