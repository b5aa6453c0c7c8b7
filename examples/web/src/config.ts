import type { Deployment } from '@ai-model-marketplace/sdk'
import { type Chain, defineChain } from 'viem'

/** Where the app finds the protocol: read at start-up from `config.json` beside `index.html`. */
export type AppConfig = {
  chain: { id: number; name: string; rpcUrl: string; nativeSymbol?: string; blockExplorer?: string }
  /** The subgraph's GraphQL URL (graph-node or the local indexer). */
  graphqlUrl: string
  /** A `serveStore` service (or any Kubo RPC endpoint that accepts the session header). */
  storageUrl: string
  deployment: Deployment
}

/**
 * Loads `config.json` so one static build serves any deployment; values from `VITE_*` variables
 * at build time fill what the file leaves out.
 */
export async function loadConfig(): Promise<AppConfig> {
  const response = await fetch(new URL('config.json', document.baseURI))
  if (!response.ok) throw new Error(`config.json could not be loaded (HTTP ${response.status}); see examples/web/README.md`)
  const file = (await response.json()) as Partial<AppConfig>
  const env = import.meta.env
  const config = {
    ...file,
    graphqlUrl: file.graphqlUrl ?? env.VITE_GRAPHQL_URL,
    storageUrl: file.storageUrl ?? env.VITE_STORAGE_URL,
  } as AppConfig
  for (const key of ['chain', 'graphqlUrl', 'storageUrl', 'deployment'] as const)
    if (!config[key]) throw new Error(`config.json lacks "${key}"`)
  return config
}

export function toChain(config: AppConfig): Chain {
  const { id, name, rpcUrl, nativeSymbol = 'ETH', blockExplorer } = config.chain
  return defineChain({
    id,
    name,
    nativeCurrency: { name: nativeSymbol, symbol: nativeSymbol, decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
    ...(blockExplorer ? { blockExplorers: { default: { name: 'Explorer', url: blockExplorer } } } : {}),
  })
}
