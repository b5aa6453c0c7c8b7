import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App.tsx'
import { type AppConfig, loadConfig } from './config.ts'
import { ConfigContext, searchConfig } from './hooks.ts'
import { FIRST_PAGE, searchQuery } from './search.ts'
import { WalletRoot } from './WalletRoot.tsx'
import './styles.css'

const root = createRoot(document.getElementById('root') as HTMLElement)

function render(config: AppConfig) {
  // the indexer is polled by the pages that need fresh data; no refetch on every focus
  const queries = new QueryClient({ defaultOptions: { queries: { refetchOnWindowFocus: false, retry: 1 } } })
  // a visitor arriving on Browse gets the newest models requested before the first render, and the
  // wallet code after them
  const firstResults = (location.hash || '#/') === '#/' ? queries.prefetchQuery(searchQuery(searchConfig(config), FIRST_PAGE)) : Promise.resolve()
  root.render(
    <StrictMode>
      <QueryClientProvider client={queries}>
        <ConfigContext.Provider value={config}>
          <WalletRoot after={firstResults}>
            <App />
          </WalletRoot>
        </ConfigContext.Provider>
      </QueryClientProvider>
    </StrictMode>,
  )
}

loadConfig().then(render, (error: Error) => {
  root.render(
    <main className="page">
      <h1>AI Model Marketplace</h1>
      <p role="alert" className="error">
        {error.message}
      </p>
    </main>,
  )
})
