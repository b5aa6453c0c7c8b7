// An EIP-1193 test wallet injected into the page: announced through EIP-6963 and as
// window.ethereum; requests go to the Node side, which signs with a dev key and forwards the
// rest to the local node, as a browser wallet would.
import type { BrowserContext } from '@playwright/test'
import { createPublicClient, createWalletClient, type Hex, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

export async function installWallet(context: BrowserContext, options: { key: Hex; rpcUrl: string; chainId: number; name?: string }) {
  const account = privateKeyToAccount(options.key)
  const transport = http(options.rpcUrl)
  const wallet = createWalletClient({ account, transport })
  const reader = createPublicClient({ transport })
  const chainHex = `0x${options.chainId.toString(16)}`

  // like a real wallet, the site sees no account until the user connects it
  let connected = false
  await context.exposeFunction('__ammWalletRequest', async (method: string, params: unknown[] = []) => {
    switch (method) {
      case 'eth_requestAccounts':
        connected = true
        return [account.address]
      case 'eth_accounts':
        return connected ? [account.address] : []
      case 'eth_chainId':
        return chainHex
      case 'wallet_switchEthereumChain':
      case 'wallet_addEthereumChain':
        return null
      case 'wallet_requestPermissions':
      case 'wallet_getPermissions':
        return [{ parentCapability: 'eth_accounts' }]
      case 'personal_sign':
        return account.signMessage({ message: { raw: params[0] as Hex } })
      case 'eth_signTypedData_v4': {
        const typed = JSON.parse(params[1] as string)
        const { EIP712Domain: _, ...types } = typed.types
        return account.signTypedData({ domain: typed.domain, types, primaryType: typed.primaryType, message: typed.message })
      }
      case 'eth_sendTransaction': {
        const tx = params[0] as { to?: Hex; data?: Hex; value?: Hex; gas?: Hex }
        return wallet.sendTransaction({
          chain: null,
          to: tx.to,
          data: tx.data,
          value: tx.value ? BigInt(tx.value) : undefined,
          gas: tx.gas ? BigInt(tx.gas) : undefined,
        })
      }
      default:
        return reader.request({ method: method as never, params: params as never })
    }
  })

  await context.addInitScript(
    ({ name, address }) => {
      const listeners = new Map<string, Set<(...args: unknown[]) => void>>()
      const provider = {
        isTestWallet: true,
        request: ({ method, params }: { method: string; params?: unknown[] }) =>
          (window as unknown as { __ammWalletRequest(m: string, p?: unknown[]): Promise<unknown> }).__ammWalletRequest(method, params),
        on(event: string, fn: (...args: unknown[]) => void) {
          const set = listeners.get(event) ?? new Set()
          set.add(fn)
          listeners.set(event, set)
          return provider
        },
        removeListener(event: string, fn: (...args: unknown[]) => void) {
          listeners.get(event)?.delete(fn)
          return provider
        },
      }
      Object.assign(window, { ethereum: provider })
      const icon =
        'data:image/svg+xml,%3Csvg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"%3E%3Crect width="16" height="16" fill="%231d4ed8"/%3E%3C/svg%3E'
      const announce = () =>
        window.dispatchEvent(
          new CustomEvent('eip6963:announceProvider', {
            detail: Object.freeze({ info: { uuid: `test-${address}`, name, icon, rdns: 'org.example.testwallet' }, provider }),
          }),
        )
      window.addEventListener('eip6963:requestProvider', announce)
      announce()
      // downloads stream into the origin-private file system instead of a folder chosen in a dialog
      Object.assign(window, { showDirectoryPicker: () => navigator.storage.getDirectory() })
    },
    { name: options.name ?? 'Test Wallet', address: account.address },
  )
  return account
}
