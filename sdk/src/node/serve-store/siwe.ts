import { randomBytes } from 'node:crypto'
import { type Address, type Client, getAddress, type Hex, verifyMessage } from 'viem'
import { generateSiweNonce, parseSiweMessage, verifySiweMessage } from 'viem/siwe'
import { HttpRefusal } from './kubo-rpc.ts'

export type SiweAuthParameters = {
  /** The dApp's host (`example.com`, `localhost:5173`), as its SIWE messages state it; several allowed. */
  domain: string | readonly string[]
  /** The chain the dApp runs on; messages for another chain are refused. */
  chainId: number
  /**
   * A client of that chain, to also accept smart-account signatures (ERC-1271 / ERC-6492).
   * Without it, only plain account (EOA) signatures are checked, offline.
   */
  client?: Client
  /** Longest session in seconds, whatever the message's expiration (default one day). */
  sessionTtl?: number
  /** How long an issued nonce stays usable, in seconds (default 10 minutes). */
  nonceTtl?: number
}

export type Session = { address: Address; expiresAt: Date }

// a cap on issued, unused nonces so that asking for nonces cannot fill memory
const MAX_OPEN_NONCES = 10_000

/**
 * Sign-In with Ethereum (EIP-4361) sessions: single-use nonces, message checks (domain, chain,
 * nonce, validity window), signature check, then an opaque bearer token until the session expires.
 * Sessions live in memory: after a restart users sign in again.
 */
export function siweSessions(parameters: SiweAuthParameters) {
  const domains = typeof parameters.domain === 'string' ? [parameters.domain] : [...parameters.domain]
  const sessionTtl = (parameters.sessionTtl ?? 86_400) * 1000
  const nonceTtl = (parameters.nonceTtl ?? 600) * 1000
  const nonces = new Map<string, number>()
  const sessions = new Map<string, Session>()

  const sweep = (now: number) => {
    for (const [nonce, expires] of nonces) if (expires <= now) nonces.delete(nonce)
    for (const [token, session] of sessions) if (session.expiresAt.getTime() <= now) sessions.delete(token)
  }
  const refuse = (message: string): never => {
    throw new HttpRefusal(401, message)
  }

  return {
    /** A fresh nonce for one SIWE message. */
    issueNonce(): string {
      const now = Date.now()
      sweep(now)
      if (nonces.size >= MAX_OPEN_NONCES) throw new HttpRefusal(503, 'too many sign-ins in progress, retry shortly')
      const nonce = generateSiweNonce()
      nonces.set(nonce, now + nonceTtl)
      return nonce
    },

    /** Checks a signed SIWE message and opens a session; every failure is a 401 saying which check failed. */
    async signIn(message: string, signature: Hex): Promise<Session & { token: string }> {
      const now = new Date()
      const fields = parseSiweMessage(message)
      if (!fields.address || !fields.nonce || !fields.domain || fields.chainId === undefined || !fields.uri)
        refuse('not a SIWE (EIP-4361) message')
      const nonceExpires = nonces.get(fields.nonce as string)
      // single use: the nonce is spent by this attempt whatever its outcome
      nonces.delete(fields.nonce as string)
      if (nonceExpires === undefined || nonceExpires <= now.getTime()) refuse('the nonce is unknown, expired or already used')
      if (!domains.includes(fields.domain as string)) refuse(`the message is for ${fields.domain}, not ${domains.join(' or ')}`)
      if (fields.chainId !== parameters.chainId) refuse(`the message is for chain ${fields.chainId}, not ${parameters.chainId}`)
      if (fields.expirationTime && fields.expirationTime <= now) refuse('the message has expired')
      if (fields.notBefore && fields.notBefore > now) refuse('the message is not valid yet')
      const address = getAddress(fields.address as Address)
      const valid = parameters.client
        ? await verifySiweMessage(parameters.client, { message, signature, time: now })
        : await verifyMessage({ address, message, signature }).catch(() => false)
      if (!valid) refuse(`the signature is not ${address}'s`)
      const expiresAt = new Date(Math.min(now.getTime() + sessionTtl, fields.expirationTime?.getTime() ?? Number.POSITIVE_INFINITY))
      const token = randomBytes(32).toString('base64url')
      sessions.set(token, { address, expiresAt })
      return { token, address, expiresAt }
    },

    /** The session behind an `Authorization: Bearer <token>` header; 401 when missing or expired. */
    session(authorization: string | undefined): Session {
      const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1]
      if (!token) refuse('sign in first: this needs a session (Authorization: Bearer <token>)')
      const session = sessions.get(token as string)
      if (!session || session.expiresAt.getTime() <= Date.now()) {
        sessions.delete(token as string)
        refuse('the session is unknown or has expired: sign in again')
      }
      return session as Session
    },

    /** Ends the session behind a token. */
    signOut(authorization: string | undefined): void {
      const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1]
      if (token) sessions.delete(token)
    },
  }
}
