// Terminal output of the demo and the scripts: steps, progress bars, tables, token amounts.
import { formatUnits } from 'viem'

const tty = Boolean(process.stdout.isTTY)
const paint = (code: number) => (text: string) => (tty ? `\x1b[${code}m${text}\x1b[0m` : text)
export const bold = paint(1)
export const dim = paint(2)
export const green = paint(32)
export const red = paint(31)
export const cyan = paint(36)

const started = performance.now()
/** A step's title, with the seconds since the process started. */
export function heading(text: string) {
  console.log(`\n${bold(cyan(`▶ ${text}`))} ${dim(`(${((performance.now() - started) / 1000).toFixed(1)} s)`)}`)
}
export function line(text: string) {
  console.log(`  ${text}`)
}
export function ok(text: string) {
  console.log(`  ${green('✓')} ${text}`)
}

/** `12.5 AIMT` (18 decimals). */
export function aimt(amount: bigint, symbol = 'AIMT') {
  return `${formatUnits(amount, 18)} ${symbol}`
}

/** An amount in the token's own decimals and symbol: `12.5 mUSD` (the address when it has no symbol; raw units without decimals). */
export function tokenAmount(amount: bigint, token: { id?: string; token?: string; symbol: string | null; decimals: number | null }) {
  return `${formatUnits(amount, token.decimals ?? 0)} ${token.symbol ?? token.id ?? token.token ?? 'units'}`
}

export function bytes(n: number) {
  if (n < 1024) return `${n} B`
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`
  return `${(n / 1024 ** 3).toFixed(2)} GiB`
}

/**
 * A progress bar redrawn in place on a terminal; elsewhere (logs, CI) only the finished line is
 * printed, so output stays readable.
 */
export function progressBar(label: string) {
  const width = 28
  const started = performance.now()
  let last = 0
  let shown = { done: 0, total: 0 }
  const render = (done: number, total: number) => {
    const ratio = total > 0 ? Math.min(1, done / total) : 0
    const filled = Math.round(ratio * width)
    const seconds = (performance.now() - started) / 1000
    const rate = seconds > 0 ? bytes(Math.round(done / seconds)) : '…'
    return `  ${label.padEnd(22)} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${bytes(done)}/${bytes(total)} ${dim(`${rate}/s`)}`
  }
  return {
    update(done: number, total: number) {
      shown = { done, total }
      const now = performance.now()
      if (!tty || now - last < 50) return
      last = now
      process.stdout.write(`\r${render(done, total)}`)
    },
    done(total = shown.total) {
      const text = render(total, total)
      process.stdout.write(tty ? `\r${text}\n` : `${text}\n`)
    },
  }
}

/** Prints rows as an aligned table under its column names. */
export function table(rows: Record<string, string | number | bigint>[], columns = Object.keys(rows[0] ?? {})) {
  const cells = rows.map((row) => columns.map((c) => String(row[c] ?? '')))
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]?.length ?? 0)))
  const format = (values: string[]) => `  ${values.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd()
  console.log(bold(format(columns)))
  console.log(dim(format(widths.map((w) => '─'.repeat(w)))))
  for (const row of cells) console.log(format(row))
}
