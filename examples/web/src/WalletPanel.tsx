import { useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import { useConnect, useConnection, useConnectors, useDisconnect, useSwitchChain, useWalletClient } from 'wagmi'
import { useSession } from './client.ts'
import { useAppConfig } from './hooks.ts'
import { signIn, signOut } from './session.ts'
import { ActionButton, ErrorBox, Short } from './ui.tsx'

/**
 * Connect (any EIP-6963 wallet or the legacy injected one), check the chain and offer to switch,
 * and sign in with Ethereum for the storage service. Follows account changes live: wagmi re-renders
 * with the new account, and the session shown is that account's.
 */
export function WalletPanel() {
  const config = useAppConfig()
  const { address, chainId, status } = useConnection()
  const connectors = useConnectors()
  const { mutate: connect, error: connectError, isPending: connecting } = useConnect()
  const { mutate: disconnect } = useDisconnect()
  const { mutate: switchChain, error: switchError, isPending: switching } = useSwitchChain()
  const { data: walletClient } = useWalletClient({ chainId: config.chain.id })
  const session = useSession()
  const [signInError, setSignInError] = useState<unknown>()
  const [signingIn, setSigningIn] = useState(false)
  const [open, setOpen] = useState(false)
  // connecting or disconnecting removes the button that had focus: focus then moves to the panel's next step
  // (sign in, switch network, or connect again), so keyboard users are not sent back to the page's start
  const panel = useRef<HTMLDivElement>(null)
  const refocus = useRef<'connected' | 'disconnected' | undefined>(undefined)
  const ready = status === 'disconnected' || Boolean(connectError) || (status === 'connected' && (chainId !== config.chain.id || session || walletClient))
  useEffect(() => {
    if (!refocus.current || !ready || (status !== refocus.current && !connectError)) return
    refocus.current = undefined
    panel.current?.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus()
  })
  const queries = useQueryClient()
  // wagmi keys the wallet client by the app's chain, not the wallet's: one asked for while the wallet was on
  // another network failed, and would stay failed (no signing, no transactions) after switching back
  useEffect(() => {
    if (chainId === config.chain.id) void queries.invalidateQueries({ queryKey: ['walletClient'] })
  }, [chainId, config.chain.id, queries])

  // Escape closes the wallet list and returns to its button, as menus do
  useEffect(() => {
    if (!open) return
    const close = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return
      setOpen(false)
      panel.current?.querySelector<HTMLButtonElement>('button')?.focus()
    }
    document.addEventListener('keydown', close)
    return () => document.removeEventListener('keydown', close)
  }, [open])

  if (status !== 'connected' || !address) {
    // wagmi lists EIP-6963 wallets by name; the generic "Injected" one stands for window.ethereum
    const unique = connectors.filter((c, i) => connectors.findIndex((d) => d.name === c.name) === i)
    return (
      <div className="wallet" ref={panel}>
        <button type="button" aria-expanded={open} onClick={() => setOpen(!open)} disabled={connecting}>
          {connecting ? 'Connecting…' : 'Connect wallet'}
        </button>
        {open ? (
          <ul className="menu" aria-label="Wallets">
            {unique.length === 0 ? <li>No browser wallet found. Install one (e.g. a wallet extension) and reload.</li> : null}
            {unique.map((connector) => (
              <li key={connector.uid}>
                <button
                  type="button"
                  onClick={() => {
                    refocus.current = 'connected'
                    connect({ connector, chainId: config.chain.id })
                    setOpen(false)
                  }}
                >
                  {connector.icon ? <img src={connector.icon} alt="" width={16} height={16} /> : null} {connector.name}
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        {connectError ? <ErrorBox error={connectError} title="Could not connect" /> : null}
      </div>
    )
  }

  const wrongChain = chainId !== config.chain.id
  return (
    <div className="wallet" ref={panel}>
      <output aria-label="Connected account">
        <Short address={address} />
      </output>
      {wrongChain ? (
        <ActionButton className="warn" onClick={() => switchChain({ chainId: config.chain.id })} busy={switching}>
          Wrong network: switch to {config.chain.name}
        </ActionButton>
      ) : session ? (
        // one component type in the three states, so React keeps the focused button from sign-in to sign-out
        <ActionButton busy={false} onClick={() => signOut(config.storageUrl, session)}>
          Sign out
        </ActionButton>
      ) : (
        <ActionButton
          busy={signingIn || !walletClient}
          onClick={async () => {
            setSigningIn(true)
            setSignInError(undefined)
            try {
              await signIn({ storageUrl: config.storageUrl, walletClient: walletClient as never, address, chainId: config.chain.id })
            } catch (error) {
              setSignInError(error)
            } finally {
              setSigningIn(false)
            }
          }}
        >
          {signingIn ? 'Signing in…' : 'Sign in'}
        </ActionButton>
      )}
      <button
        type="button"
        onClick={() => {
          refocus.current = 'disconnected'
          disconnect()
        }}
      >
        Disconnect
      </button>
      {switchError ? <ErrorBox error={switchError} title="Could not switch network" /> : null}
      {signInError ? <ErrorBox error={signInError} title="Sign-in failed" /> : null}
    </div>
  )
}
