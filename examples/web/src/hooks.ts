import { type MarketplaceClientConfig, subgraphIndexer } from '@ai-model-marketplace/sdk'
import { createContext, useCallback, useContext, useMemo, useState } from 'react'
import type { AppConfig } from './config.ts'

export const ConfigContext = createContext<AppConfig | null>(null)

export function useAppConfig(): AppConfig {
  const config = useContext(ConfigContext)
  if (!config) throw new Error('useAppConfig outside ConfigContext')
  return config
}

/**
 * What search needs: the indexer alone. Browse calls `searchModels` with it, so the first page
 * renders before wagmi and the wallet code have loaded.
 */
export function searchConfig(config: AppConfig): Pick<MarketplaceClientConfig, 'indexer'> {
  return { indexer: subgraphIndexer({ url: config.graphqlUrl }) }
}

export function useSearchConfig(): Pick<MarketplaceClientConfig, 'indexer'> {
  const config = useAppConfig()
  return useMemo(() => searchConfig(config), [config])
}

export type ActionState<T> = { status: 'idle' } | { status: 'pending'; note?: string } | { status: 'done'; result: T } | { status: 'error'; error: unknown }

/** Runs one user action at a time and keeps its outcome for display; nothing fails silently. */
export function useAction<A extends unknown[], T>(fn: (...args: A) => Promise<T>) {
  const [state, setState] = useState<ActionState<T>>({ status: 'idle' })
  const run = useCallback(
    async (...args: A) => {
      setState({ status: 'pending' })
      try {
        const result = await fn(...args)
        setState({ status: 'done', result })
        return result
      } catch (error) {
        console.error(error)
        setState({ status: 'error', error })
        return undefined
      }
    },
    [fn],
  )
  const reset = useCallback(() => setState({ status: 'idle' }), [])
  return { state, run, reset, pending: state.status === 'pending' }
}
