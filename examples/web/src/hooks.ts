import { kuboStore, type MarketplaceClientConfig, subgraphIndexer } from '@ai-model-marketplace/sdk'
import { createContext, useCallback, useContext, useMemo, useState, useSyncExternalStore } from 'react'
import { useConnection, usePublicClient } from 'wagmi'
import type { AppConfig } from './config.ts'
import { readSession, subscribeSessions } from './session.ts'

export const ConfigContext = createContext<AppConfig | null>(null)

export function useAppConfig(): AppConfig {
  const config = useContext(ConfigContext)
  if (!config) throw new Error('useAppConfig outside ConfigContext')
  return config
}

/** The storage session of the connected account, if it signed in. */
export function useSession() {
  const { address } = useConnection()
  return useSyncExternalStore(subscribeSessions, () => (address ? readSession(address) : undefined))
}

/**
 * What the SDK's read-only actions need, without the action bundle: the Browse page calls
 * `searchModels(config, …)` directly so the first page loads only the code it uses.
 */
export function readConfig(config: AppConfig, publicClient: unknown): MarketplaceClientConfig {
  return {
    publicClient: publicClient as MarketplaceClientConfig['publicClient'],
    deployment: config.deployment,
    store: kuboStore({ url: config.storageUrl }),
    indexer: subgraphIndexer({ url: config.graphqlUrl }),
  }
}

/** {@link readConfig} over wagmi's public client for the app's chain. */
export function useReadConfig(): MarketplaceClientConfig {
  const config = useAppConfig()
  const publicClient = usePublicClient({ chainId: config.chain.id })
  return useMemo(() => readConfig(config, publicClient), [config, publicClient])
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
