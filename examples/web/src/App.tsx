import { lazy, Suspense, useEffect, useRef, useState, useSyncExternalStore } from 'react'
import { ErrorBoundary } from './ErrorBoundary.tsx'
import { Browse } from './pages/Browse.tsx'
import { Loading } from './ui.tsx'
import { useWalletReady } from './WalletRoot.tsx'

// pages past the first load on demand, keeping the initial script small
const ModelPage = lazy(() => import('./pages/Model.tsx'))
const Sell = lazy(() => import('./pages/Sell.tsx'))
const Dashboard = lazy(() => import('./pages/Dashboard.tsx'))
const Library = lazy(() => import('./pages/Library.tsx'))
const Arbiter = lazy(() => import('./pages/Arbiter.tsx'))
const Profile = lazy(() => import('./pages/Profile.tsx'))
const Analytics = lazy(() => import('./pages/Analytics.tsx'))
const WalletPanel = lazy(() => import('./WalletPanel.tsx').then((m) => ({ default: m.WalletPanel })))
const ActionCount = lazy(() => import('./ActionCount.tsx').then((m) => ({ default: m.ActionCount })))

/** Stands where the wallet panel will be while wagmi loads (a moment after the first render). */
const walletPending = (
  <div className="wallet">
    <button type="button" disabled>
      Connect wallet
    </button>
  </div>
)

/** The link's description stays resolvable while the count loads: empty, nothing needed yet. */
const noActions = <span id="dashboard-actions" />

const links = [
  ['#/', 'Browse'],
  ['#/sell', 'Sell'],
  ['#/dashboard', 'Seller dashboard'],
  ['#/library', 'Library'],
  ['#/arbiter', 'Arbiter'],
  ['#/profile', 'Profile'],
  ['#/analytics', 'Analytics'],
] as const

function subscribeHash(listener: () => void) {
  window.addEventListener('hashchange', listener)
  return () => window.removeEventListener('hashchange', listener)
}

export function App() {
  const hash = useSyncExternalStore(subscribeHash, () => location.hash || '#/')
  const [path, query] = hash.slice(1).split('?') as [string, string | undefined]
  const parts = path.split('/').filter(Boolean)
  const main = useRef<HTMLElement>(null)
  const walletReady = useWalletReady()
  const shownHash = useRef(hash)
  // on phones the pages are behind a menu button; it closes once a page is picked
  const [menuOpen, setMenuOpen] = useState(false)
  // biome-ignore lint/correctness/useExhaustiveDependencies: the menu closes because the page changed; it does not read it
  useEffect(() => setMenuOpen(false), [path])
  // after navigation from the header (menu or brand), keyboard and screen-reader users start at the new page's
  // content; a link that left with the old page is covered below
  useEffect(() => {
    if (hash === shownHash.current) return
    shownHash.current = hash
    if (document.activeElement?.closest('header')) main.current?.focus()
  }, [hash])
  // a control that leaves the page while focused (a delivered order's button, a form replaced by its outcome) drops
  // focus to <body>, where the next Tab starts again at the top: focus goes to the page's content instead
  useEffect(() => {
    const content = main.current
    if (!content) return
    let focused: Element | null = null
    const track = (e: FocusEvent) => {
      focused = e.target as Element
    }
    const recover = new MutationObserver(() => {
      if (focused && !focused.isConnected && (!document.activeElement || document.activeElement === document.body)) content.focus()
    })
    document.addEventListener('focusin', track)
    recover.observe(content, { childList: true, subtree: true })
    return () => {
      document.removeEventListener('focusin', track)
      recover.disconnect()
    }
  }, [])

  let page: React.ReactNode
  switch (parts[0]) {
    case undefined:
      page = <Browse query={new URLSearchParams(query)} />
      break
    case 'model':
      page = <ModelPage modelId={BigInt(parts[1] ?? '0')} />
      break
    case 'sell':
      page = <Sell modelId={parts[1] ? BigInt(parts[1]) : undefined} />
      break
    case 'dashboard':
      page = <Dashboard />
      break
    case 'library':
      page = <Library />
      break
    case 'arbiter':
      page = <Arbiter />
      break
    case 'profile':
      page = <Profile />
      break
    case 'analytics':
      page = <Analytics />
      break
    default:
      page = <p>No such page. Go back to <a href="#/">Browse</a>.</p>
  }

  return (
    <>
      {/* biome-ignore lint/a11y/useValidAnchor: a skip link is a link by convention; following #main would route to a page named "main", so it moves focus itself */}
      <a
        className="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault()
          main.current?.focus()
        }}
      >
        Skip to content
      </a>
      <header className="top">
        <a className="brand" href="#/">
          AI Model Marketplace
        </a>
        <button type="button" className="menu-toggle secondary" aria-expanded={menuOpen} aria-controls="pages-nav" onClick={() => setMenuOpen(!menuOpen)}>
          Menu
          {walletReady ? (
            <Suspense fallback={null}>
              <ActionCount />
            </Suspense>
          ) : null}
        </button>
        <nav aria-label="Pages" id="pages-nav" className={menuOpen ? 'open' : undefined}>
          <ul>
            {links.map(([href, label]) => (
              <li key={href}>
                <a
                  href={href}
                  aria-current={(href === '#/' ? parts.length === 0 : path.startsWith(href.slice(1))) ? 'page' : undefined}
                  aria-describedby={href === '#/dashboard' ? 'dashboard-actions' : undefined}
                >
                  {label}
                </a>
                {href === '#/dashboard' ? (
                  walletReady ? (
                    <Suspense fallback={noActions}>
                      <ActionCount id="dashboard-actions" />
                    </Suspense>
                  ) : (
                    noActions
                  )
                ) : null}
              </li>
            ))}
          </ul>
        </nav>
        {walletReady ? (
          <Suspense fallback={walletPending}>
            <WalletPanel />
          </Suspense>
        ) : (
          walletPending
        )}
      </header>
      <main id="main" ref={main} tabIndex={-1} className="page">
        <ErrorBoundary key={path}>
          {/* every page but Browse reads the wallet through wagmi's hooks */}
          <Suspense fallback={<Loading label="Loading page…" />}>{walletReady || parts[0] === undefined ? page : <Loading label="Loading page…" />}</Suspense>
        </ErrorBoundary>
      </main>
    </>
  )
}
