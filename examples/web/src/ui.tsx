import type { ReactNode } from 'react'
import { type Address, formatUnits } from 'viem'

type ErrorLike = { name?: string; shortMessage?: string; message?: string; hint?: string; details?: string; code?: string | number; status?: number }

/**
 * What to do about a request declined in the wallet that did not go through the SDK (whose errors
 * carry their own hint): wagmi's connect and network switch, and the storage sign-in's signMessage,
 * where viem reports EIP-1193's 4001.
 */
function fallbackHint(e: ErrorLike): string | undefined {
  if (e.code === 4001 || e.name === 'UserRejectedRequestError')
    return 'You declined the request in your wallet, so nothing was signed or sent. Try again and approve it to go ahead.'
  return undefined
}

/**
 * Shows any failure readably: the SDK's typed errors (and viem's) carry a one-line `shortMessage`
 * and, for the SDK's, a `hint` saying what to do; the technical details fold away.
 */
export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  const e = (error ?? {}) as ErrorLike
  const message = e.shortMessage ?? e.message ?? String(error)
  const hint = e.hint ?? fallbackHint(e)
  return (
    <div role="alert" className="error">
      <strong>{title ?? 'Something went wrong'}:</strong> {message}
      {hint ? <p className="hint">{hint}</p> : null}
      {e.details && e.details !== message ? (
        <details>
          <summary>Details{e.code ? ` (${e.code})` : ''}</summary>
          <pre>{e.details}</pre>
        </details>
      ) : null}
    </div>
  )
}

/**
 * A button that starts an action. While the action runs it is marked busy (aria-disabled) rather than
 * disabled: a focused button that becomes disabled drops keyboard focus to the page's start.
 */
export function ActionButton({
  busy,
  disabled,
  onClick,
  type = 'button',
  className,
  autoFocus,
  children,
}: { busy: boolean; disabled?: boolean; onClick?: () => void; type?: 'button' | 'submit'; className?: string; autoFocus?: boolean; children: ReactNode }) {
  return (
    <button
      type={type}
      // biome-ignore lint/a11y/noAutofocus: only where the caller moves focus to the step it just opened
      autoFocus={autoFocus}
      className={className}
      disabled={disabled}
      aria-disabled={busy || undefined}
      onClick={(e) => {
        // a busy button ignores presses (for a submit button, preventing the click also stops the form's submission)
        if (busy) e.preventDefault()
        else onClick?.()
      }}
    >
      {children}
    </button>
  )
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      {label}
    </p>
  )
}

export function ProgressBar({ label, value, max }: { label: string; value: number; max?: number }) {
  const percent = max ? Math.round((value / max) * 100) : undefined
  return (
    <div className="progress">
      <label>
        {label} {percent !== undefined ? `${percent}%` : `${(value / 1048576).toFixed(1)} MiB`}
        <progress value={value} max={max} aria-valuetext={percent !== undefined ? `${percent}%` : undefined} />
      </label>
    </div>
  )
}

export function Money({ amount, token }: { amount: bigint; token: { symbol: string | null; decimals: number | null } }) {
  if (amount === 0n) return <span className="money">Free</span>
  return (
    <span className="money">
      {formatUnits(amount, token.decimals ?? 18)} {token.symbol ?? 'tokens'}
    </span>
  )
}

export function Stars({ average, count }: { average: number; count: number }) {
  if (count === 0) return <span className="stars">No ratings yet</span>
  return (
    <span className="stars" title={`${average.toFixed(2)} out of 5`}>
      <span aria-hidden="true">{'★'.repeat(Math.round(average)).padEnd(5, '☆')}</span> {average.toFixed(1)} ({count})
    </span>
  )
}

export function Verdicts({ verdicts }: { verdicts: { suite: string; verdict: string; score: number }[] }) {
  if (verdicts.length === 0) return null
  return (
    <ul className="badges" aria-label="Evaluation verdicts">
      {verdicts.map((v) => (
        <li key={v.suite} className={`badge badge-${v.verdict.toLowerCase()}`}>
          {v.suite}: {v.verdict}
        </li>
      ))}
    </ul>
  )
}

export function Short({ address }: { address: Address }) {
  return (
    <code title={address}>
      {address.slice(0, 6)}…{address.slice(-4)}
    </code>
  )
}

export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  )
}

export const date = (seconds: bigint | number) => new Date(Number(seconds) * 1000).toLocaleString()

const statusWords: Record<string, string> = {
  Created: 'waiting for the key',
  Delivered: 'key delivered',
  Completed: 'confirmed',
  Refunded: 'refunded',
  Disputed: 'in dispute',
  Resolved: 'dispute ruled',
}

/** An order's status in words ("key delivered", "in dispute"), lower case for use inside a sentence. */
export const statusText = (status: string) => statusWords[status] ?? status.toLowerCase()

/** "1 dispute", "2 disputes". */
export const count = (n: number | bigint, one: string, many = `${one}s`) => `${n} ${Number(n) === 1 ? one : many}`

/** "9.75 AIMT" (zero included: for totals and balances, where Money's "Free" would mislead). */
export const amountText = (amount: bigint, token: { symbol: string | null; decimals: number | null }) =>
  `${formatUnits(amount, token.decimals ?? 18)} ${token.symbol ?? 'tokens'}`

/** Amounts of several tokens side by side (never added together); `zero`'s token when there are none. */
export const amountsText = (amounts: { amount: bigint; symbol: string | null; decimals: number | null }[], zero: { symbol: string | null; decimals: number | null }) =>
  amounts.length ? amounts.map((a) => amountText(a.amount, a)).join(' · ') : amountText(0n, zero)
