import { createConfig, http, injected } from 'wagmi'
import { type AppConfig, toChain } from './config.ts'

/**
 * wagmi discovers every injected wallet announced through EIP-6963 and keeps the legacy
 * `window.ethereum` as one more connector, so users pick among the wallets they have.
 */
export function createWagmiConfig(config: AppConfig) {
  const chain = toChain(config)
  return createConfig({
    chains: [chain],
    connectors: [injected()],
    multiInjectedProviderDiscovery: true,
    transports: { [chain.id]: http(config.chain.rpcUrl) },
  })
}

export { Hydrate } from 'wagmi'
