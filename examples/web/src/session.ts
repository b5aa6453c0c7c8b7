import type { Address, WalletClient } from 'viem'
import { createSiweMessage } from 'viem/siwe'

/** A storage session opened by Sign-In with Ethereum; the token is sent as a bearer header. */
export type Session = { address: Address; token: string; expiresAt: string }

const key = (address: Address) => `amm-session:${address.toLowerCase()}`
const listeners = new Set<() => void>()
let cache = new Map<string, Session | undefined>()

export function subscribeSessions(listener: () => void) {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

function changed() {
  cache = new Map()
  for (const listener of listeners) listener()
}

/** The stored session of `address`, unless it has expired (then it is forgotten). */
export function readSession(address: Address): Session | undefined {
  const id = key(address)
  if (cache.has(id)) return cache.get(id)
  let session: Session | undefined
  try {
    session = JSON.parse(sessionStorage.getItem(id) ?? 'null') ?? undefined
  } catch {}
  if (session && Date.parse(session.expiresAt) <= Date.now()) {
    sessionStorage.removeItem(id)
    session = undefined
  }
  cache.set(id, session)
  return session
}

/** A refusal by the storage service, with its status and its reason. */
export class SignInError extends Error {
  override name = 'SignInError'
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

async function json<T>(response: Response): Promise<T> {
  const body = await response.json().catch(() => ({}))
  if (!response.ok) throw new SignInError(response.status, (body as { Message?: string }).Message ?? response.statusText)
  return body as T
}

/**
 * Signs in to the storage service: fetches a single-use nonce, has the wallet sign an EIP-4361
 * message for this site's domain and chain, and trades the signature for a session token.
 */
export async function signIn(parameters: { storageUrl: string; walletClient: WalletClient; address: Address; chainId: number }): Promise<Session> {
  const { storageUrl, walletClient, address, chainId } = parameters
  const { nonce } = await json<{ nonce: string }>(await fetch(`${storageUrl}/siwe/nonce`))
  const now = new Date()
  const message = createSiweMessage({
    address,
    chainId,
    domain: location.host,
    uri: location.origin,
    nonce,
    version: '1',
    statement: 'Sign in to store model files and evidence with the AI Model Marketplace storage service.',
    issuedAt: now,
    expirationTime: new Date(now.getTime() + 8 * 3600_000),
  })
  const signature = await walletClient.signMessage({ account: address, message })
  const session = await json<Session>(
    await fetch(`${storageUrl}/siwe/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message, signature }) }),
  )
  sessionStorage.setItem(key(address), JSON.stringify(session))
  changed()
  return session
}

export async function signOut(storageUrl: string, session: Session): Promise<void> {
  sessionStorage.removeItem(key(session.address))
  changed()
  await fetch(`${storageUrl}/siwe/logout`, { method: 'POST', headers: { authorization: `Bearer ${session.token}` } }).catch(() => {})
}
