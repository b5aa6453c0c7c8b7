import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { join } from 'node:path'
import { type Address, type Client, getAddress, type Hex, verifyMessage } from 'viem'
import { parseSiweMessage, verifySiweMessage } from 'viem/siwe'
import { openJournal } from './journal.ts'
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
  /** Sign-in attempts one client (IP address) may make per minute (default 60). */
  signInsPerMinute?: number
  /** Life of an API token (`POST /api-tokens`, for the Pinning Service API and tools), in seconds (default 90 days). */
  apiTokenTtl?: number
}

export type Session = { address: Address; expiresAt: Date }

/** One line of `sessions.jsonl`: a session opened (by the SHA-256 of its token, never the token) or closed. */
type SessionEntry = { t: 'open'; id: string; address: Address; expiresAt: number } | { t: 'close'; id: string }

// clients tracked for the sign-in rate limit; past this, the fullest buckets are forgotten first
const MAX_TRACKED_CLIENTS = 10_000

const tokenId = (token: string) => createHash('sha256').update(token).digest('base64url')
const bearer = (authorization: string | undefined) => /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1]

/**
 * Sign-In with Ethereum (EIP-4361) sessions: nonces, message checks (domain, URI, version, chain,
 * nonce, validity window), signature check, then an opaque bearer token until the session expires.
 *
 * Nonces are stateless: `<expiry><random><HMAC>` under a key drawn at start, so asking for nonces
 * costs the service no memory and cannot lock anyone out; a nonce is spent by the sign-in it
 * opens (kept until it expires, so a signed message cannot be replayed), and those issued before
 * a restart are refused after it. Sign-in attempts are limited per client address.
 * Sessions and API tokens are kept in `<dir>/sessions.jsonl` (token hashes only), so a restart keeps them.
 */
export async function openSiweSessions(parameters: SiweAuthParameters, dir: string) {
  const domains = typeof parameters.domain === 'string' ? [parameters.domain] : [...parameters.domain]
  const sessionTtl = (parameters.sessionTtl ?? 86_400) * 1000
  const nonceTtl = (parameters.nonceTtl ?? 600) * 1000
  const perMinute = parameters.signInsPerMinute ?? 60
  const apiTokenTtl = (parameters.apiTokenTtl ?? 90 * 86_400) * 1000
  const key = randomBytes(32)
  const spent = new Map<string, number>()
  const sessions = new Map<string, Session>()
  const attempts = new Map<string, { tokens: number; at: number }>()

  const { journal } = await openJournal<SessionEntry>(join(dir, 'sessions.jsonl'), (entries) => {
    const now = Date.now()
    for (const entry of entries)
      if (entry.t === 'open') sessions.set(entry.id, { address: entry.address, expiresAt: new Date(entry.expiresAt) })
      else sessions.delete(entry.id)
    for (const [id, session] of sessions) if (session.expiresAt.getTime() <= now) sessions.delete(id)
    return [...sessions].map(([id, { address, expiresAt }]) => ({ t: 'open', id, address, expiresAt: expiresAt.getTime() }))
  })

  const open = async (address: Address, expiresAt: Date): Promise<Session & { token: string }> => {
    const token = randomBytes(32).toString('base64url')
    const id = tokenId(token)
    sessions.set(id, { address, expiresAt })
    await journal.append({ t: 'open', id, address, expiresAt: expiresAt.getTime() })
    return { token, address, expiresAt }
  }
  const mac = (body: string) => createHmac('sha256', key).update(body).digest('hex').slice(0, 32)
  const sweep = (now: number) => {
    for (const [nonce, expires] of spent) if (expires <= now) spent.delete(nonce)
    for (const [id, session] of sessions) if (session.expiresAt.getTime() <= now) sessions.delete(id)
  }
  const refuse = (message: string): never => {
    throw new HttpRefusal(401, message)
  }
  /** The nonce's expiry (ms) if this service issued it, else undefined. */
  const nonceExpiry = (nonce: string) => {
    const match = /^([0-9a-z]{9})([0-9a-f]{16})([0-9a-f]{32})$/.exec(nonce)
    if (!match) return undefined
    const given = Buffer.from(match[3] as string)
    if (!timingSafeEqual(given, Buffer.from(mac(`${match[1]}${match[2]}`)))) return undefined
    return Number.parseInt(match[1] as string, 36)
  }

  return {
    /** A fresh nonce for one SIWE message. */
    issueNonce(): string {
      const body = `${(Date.now() + nonceTtl).toString(36).padStart(9, '0')}${randomBytes(8).toString('hex')}`
      return `${body}${mac(body)}`
    },

    /** Spends one sign-in attempt of a client (429 past the limit). */
    attempt(client: string, now = Date.now()): void {
      if (attempts.size >= MAX_TRACKED_CLIENTS) {
        for (const [id, bucket] of attempts) if (bucket.tokens + ((now - bucket.at) * perMinute) / 60_000 >= perMinute) attempts.delete(id)
        if (attempts.size >= MAX_TRACKED_CLIENTS) attempts.clear()
      }
      const bucket = attempts.get(client) ?? { tokens: perMinute, at: now }
      bucket.tokens = Math.min(perMinute, bucket.tokens + ((now - bucket.at) * perMinute) / 60_000)
      bucket.at = now
      attempts.set(client, bucket)
      if (bucket.tokens < 1) throw new HttpRefusal(429, `more than ${perMinute} sign-in attempts a minute from ${client}; wait a little`)
      bucket.tokens -= 1
    },

    /** Checks a signed SIWE message and opens a session; every failure is a 401 saying which check failed. */
    async signIn(message: string, signature: Hex): Promise<Session & { token: string }> {
      const now = new Date()
      sweep(now.getTime())
      const fields = parseSiweMessage(message)
      if (!fields.address || !fields.nonce || !fields.domain || fields.chainId === undefined || !fields.uri || !fields.version)
        refuse('not a SIWE (EIP-4361) message')
      const nonce = fields.nonce as string
      const nonceExpires = nonceExpiry(nonce)
      if (nonceExpires === undefined || nonceExpires <= now.getTime() || spent.has(nonce))
        refuse('the nonce is unknown, expired or already used')
      if (fields.version !== '1') refuse(`the message is SIWE version ${fields.version}, not 1`)
      if (!domains.includes(fields.domain as string)) refuse(`the message is for ${fields.domain}, not ${domains.join(' or ')}`)
      let uriHost: string | undefined
      try {
        uriHost = new URL(fields.uri as string).host
      } catch {}
      if (uriHost !== fields.domain) refuse(`the message's URI ${fields.uri} is not on ${fields.domain}`)
      if (fields.chainId !== parameters.chainId) refuse(`the message is for chain ${fields.chainId}, not ${parameters.chainId}`)
      if (fields.expirationTime && fields.expirationTime <= now) refuse('the message has expired')
      if (fields.notBefore && fields.notBefore > now) refuse('the message is not valid yet')
      const address = getAddress(fields.address as Address)
      const valid = parameters.client
        ? await verifySiweMessage(parameters.client, { message, signature, time: now })
        : await verifyMessage({ address, message, signature }).catch(() => false)
      if (!valid) refuse(`the signature is not ${address}'s`)
      // single use: checked again after the await, as another request may have spent it meanwhile
      if (spent.has(nonce)) refuse('the nonce is unknown, expired or already used')
      spent.set(nonce, nonceExpires as number)
      return open(address, new Date(Math.min(now.getTime() + sessionTtl, fields.expirationTime?.getTime() ?? Number.POSITIVE_INFINITY)))
    },

    /** A long-lived token for an address that is signed in, for tools that cannot sign (Kubo's `pin remote`). */
    issueApiToken: (address: Address) => open(address, new Date(Date.now() + apiTokenTtl)),

    /** The session behind an `Authorization: Bearer <token>` header; 401 when missing or expired. */
    session(authorization: string | undefined): Session {
      const token = bearer(authorization)
      if (!token) refuse('sign in first: this needs a session (Authorization: Bearer <token>)')
      const session = sessions.get(tokenId(token as string))
      if (!session || session.expiresAt.getTime() <= Date.now()) refuse('the session is unknown or has expired: sign in again')
      return session as Session
    },

    /** Ends the session behind a token. */
    async signOut(authorization: string | undefined): Promise<void> {
      const token = bearer(authorization)
      if (!token) return
      const id = tokenId(token)
      if (sessions.delete(id)) await journal.append({ t: 'close', id })
    },

    close: () => journal.close(),
  }
}
