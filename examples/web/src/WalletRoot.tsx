import { createContext, type ReactNode, useContext, useEffect, useState } from 'react'
import { type Config, WagmiContext } from 'wagmi'
import { useAppConfig } from './hooks.ts'

type Loaded = { wagmi: Config; Hydrate: typeof import('wagmi').Hydrate }

const WalletReady = createContext(false)

/** Whether wagmi has loaded: components that use its hooks render only then. */
export const useWalletReady = () => useContext(WalletReady)

/**
 * wagmi's provider, with wagmi and the wallet code loaded after the first render: Browse needs
 * none of it, so its first results do not wait for them. The tree keeps its shape when they
 * arrive (the context's value changes, nothing remounts), so nothing typed meanwhile is lost.
 */
export function WalletRoot({ children }: { children: ReactNode }) {
  const config = useAppConfig()
  const [loaded, setLoaded] = useState<Loaded>()
  const [failure, setFailure] = useState<unknown>()
  useEffect(() => {
    let current = true
    import('./wallet.ts').then(
      ({ createWagmiConfig, Hydrate }) => current && setLoaded({ wagmi: createWagmiConfig(config), Hydrate }),
      (error: unknown) => current && setFailure(error),
    )
    return () => {
      current = false
    }
  }, [config])
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
