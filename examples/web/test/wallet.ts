// An EIP-1193 test wallet injected into the page: announced through EIP-6963 and as
// window.ethereum; requests go to the Node side, which signs with a dev key and forwards the
// rest to the local node, as a browser wallet would. The test plays the wallet's user through the
// returned controller: picking another network or account emits chainChanged / accountsChanged.
import type { BrowserContext } from '@playwright/test'
import { createPublicClient, createWalletClient, type Hex, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

/** An EIP-1193 error as wallets return it (EIP-1193 and EIP-3085 codes), rebuilt in the page with its code. */
type WalletFailure = { error: { code: number; message: string } }
type WalletAnswer = { result: unknown } | WalletFailure

const UNRECOGNIZED_CHAIN = 4902
const INTERNAL_ERROR = -32603

export type TestWallet = Awaited<ReturnType<typeof installWallet>>

export async function installWallet(
  context: BrowserContext,
  options: {
    key: Hex
    rpcUrl: string
    /** The chain the dApp is on. */
    chainId: number
    name?: string
    /** The network the wallet starts on (the dApp's by default). */
    walletChainId?: number
  },
) {
  const transport = http(options.rpcUrl)
  const reader = createPublicClient({ transport })
  let account = privateKeyToAccount(options.key)
  let chainId = options.walletChainId ?? options.chainId
  // networks the wallet knows; switching to another one fails with 4902 until the dApp adds it
  const known = new Set([options.chainId, chainId])
  const toHex = (id: number) => `0x${id.toString(16)}`

  /** Delivers a provider event to every page of the context, as the extension would. */
  const emit = async (event: 'chainChanged' | 'accountsChanged', payload: unknown) => {
    for (const page of context.pages())
      await page.evaluate(([e, p]) => (window as unknown as { __ammWalletEmit(e: string, p: unknown): void }).__ammWalletEmit(e, p), [event, payload] as const)
  }
  const setChain = async (id: number) => {
    if (id === chainId) return
    chainId = id
    await emit('chainChanged', toHex(id))
  }

  // like a real wallet, the site sees no account until the user connects it
  let connected = false
  const handle = async (method: string, params: unknown[]): Promise<unknown> => {
    switch (method) {
      case 'eth_requestAccounts':
        connected = true
        return [account.address]
      case 'eth_accounts':
        return connected ? [account.address] : []
      case 'eth_chainId':
        return toHex(chainId)
      case 'wallet_switchEthereumChain': {
        const id = Number((params[0] as { chainId: Hex }).chainId)
        if (!known.has(id)) throw Object.assign(new Error(`Unrecognized chain ID ${toHex(id)}. Try adding the chain using wallet_addEthereumChain first.`), { code: UNRECOGNIZED_CHAIN })
        await setChain(id)
        return null
      }
      case 'wallet_addEthereumChain': {
        // adding a network then switching to it, as wallets offer in one prompt
        const id = Number((params[0] as { chainId: Hex }).chainId)
        known.add(id)
        await setChain(id)
        return null
      }
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
        return createWalletClient({ account, transport }).sendTransaction({
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
  }
  await context.exposeFunction('__ammWalletRequest', async (method: string, params: unknown[] = []): Promise<WalletAnswer> => {
    try {
      return { result: await handle(method, params) }
    } catch (error) {
      const { code, message } = error as { code?: unknown; message?: string }
      return { error: { code: typeof code === 'number' ? code : INTERNAL_ERROR, message: message ?? String(error) } }
    }
  })

  await context.addInitScript(
    ({ name, address }) => {
      const listeners = new Map<string, Set<(...args: unknown[]) => void>>()
      const provider = {
        isTestWallet: true,
        async request({ method, params }: { method: string; params?: unknown[] }) {
          const answer = await (window as unknown as { __ammWalletRequest(m: string, p?: unknown[]): Promise<WalletAnswer> }).__ammWalletRequest(method, params)
          if ('error' in answer) throw Object.assign(new Error(answer.error.message), { code: answer.error.code })
          return answer.result
        },
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
      Object.assign(window, {
        ethereum: provider,
        __ammWalletEmit: (event: string, payload: unknown) => {
          for (const fn of listeners.get(event) ?? []) fn(payload)
        },
      })
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
    { name: options.name ?? 'Test Wallet', address: privateKeyToAccount(options.key).address },
  )

  return {
    get address() {
      return account.address
    },
    get chainId() {
      return chainId
    },
    /** The user picks another network in the wallet (one it knows). */
    async switchChain(id: number) {
      known.add(id)
      await setChain(id)
    },
    /** The user picks another account in the wallet. */
    async switchAccount(key: Hex) {
      account = privateKeyToAccount(key)
      if (connected) await emit('accountsChanged', [account.address])
    },
  }
}
