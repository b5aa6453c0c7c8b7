import { createContext, type ReactNode, useContext, useEffect, useState } from 'react'
import { type Config, WagmiContext } from 'wagmi'
import { useAppConfig } from './hooks.ts'

type Loaded = { wagmi: Config; Hydrate: typeof import('wagmi').Hydrate }

const WalletReady = createContext(false)

/** Whether wagmi has loaded: components that use its hooks render only then. */
export const useWalletReady = () => useContext(WalletReady)

/** Runs `task` once the page has nothing else to do (soon after, where browsers cannot tell). */
function whenIdle(task: () => void) {
  if ('requestIdleCallback' in window) requestIdleCallback(task, { timeout: 1000 })
  else setTimeout(task, 50)
}

/**
 * wagmi's provider, with wagmi and the wallet code loaded once `after` settles (the first results
 * on Browse) and the page is idle: Browse needs none of it, and compiling it would hold those
 * results back. The tree keeps its shape when it arrives (the context's value changes, nothing
 * remounts), so nothing typed meanwhile is lost.
 */
export function WalletRoot({ children, after }: { children: ReactNode; after: Promise<unknown> }) {
  const config = useAppConfig()
  const [loaded, setLoaded] = useState<Loaded>()
  const [failure, setFailure] = useState<unknown>()
  useEffect(() => {
    let current = true
    const load = () =>
      import('./wallet.ts').then(
        ({ createWagmiConfig, Hydrate }) => current && setLoaded({ wagmi: createWagmiConfig(config), Hydrate }),
        (error: unknown) => current && setFailure(error),
      )
    void after.finally(() => whenIdle(load))
    return () => {
      current = false
    }
  }, [config, after])
  return (
    <WagmiContext.Provider value={loaded?.wagmi}>
      <WalletReady.Provider value={loaded !== undefined}>
        {/* reconnects the wallet used last time and follows EIP-6963 announcements, as WagmiProvider does */}
        {loaded ? <loaded.Hydrate config={loaded.wagmi}>{null}</loaded.Hydrate> : null}
        {failure ? (
          <p role="alert" className="error">
            The wallet code could not be loaded ({failure instanceof Error ? failure.message : String(failure)}); reload the page to connect a wallet.
          </p>
        ) : null}
        {children}
      </WalletReady.Provider>
    </WagmiContext.Provider>
  )
}
