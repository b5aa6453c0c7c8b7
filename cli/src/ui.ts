// Output: results on stdout (text or --json), progress and messages on stderr, so `amm … --json | jq` works.
import { formatUnits } from 'viem'

const colors = Boolean(process.stderr.isTTY) && !process.env.NO_COLOR
const paint = (code: number) => (text: string) => (colors ? `\x1b[${code}m${text}\x1b[0m` : text)
const green = paint(32)
export const red = paint(31)

/** A progress or status line for people (stderr). */
export function note(text: string) {
  process.stderr.write(`${text}\n`)
}
export function ok(text: string) {
  note(`${green('✓')} ${text}`)
}

const bigints = (_: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)
/** JSON with bigints as decimal strings, indented. */
export function toJson(value: unknown) {
  return JSON.stringify(value, bigints, 2)
}
/** The same on one line (structured logs). */
export function toJsonLine(value: unknown) {
  return JSON.stringify(value, bigints)
}

/** The command's result: JSON under --json, else the text (both on stdout). */
export function result(json: boolean, value: unknown, text: () => string) {
  process.stdout.write(`${json ? toJson(value) : text()}\n`)
}

export function amount(value: bigint, token: { symbol: string; decimals: number }) {
  return `${formatUnits(value, token.decimals)} ${token.symbol}`
}

export function bytes(n: number) {
  if (n < 1024) return `${n} B`
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`
  return `${(n / 1024 ** 3).toFixed(2)} GiB`
}

/**
 * A progress bar on stderr: redrawn in place on a terminal (at most 10 times a second), a line per
 * 10% otherwise (logs, CI), and always a final line with the average rate.
 */
export function progressBar(label: string) {
  const width = 24
  const started = performance.now()
  const tty = Boolean(process.stderr.isTTY)
  let lastDraw = 0
  let lastDecile = -1
  const render = (done: number, total: number) => {
    const ratio = total > 0 ? Math.min(1, done / total) : 0
    const filled = Math.round(ratio * width)
    const seconds = (performance.now() - started) / 1000
    const rate = seconds > 0 ? `${((done / seconds) / 1e6).toFixed(1)} MB/s` : ''
    return `${label.padEnd(10)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${bytes(done)}/${bytes(total)} ${rate}`
  }
  return {
    update(done: number, total: number) {
      if (tty) {
        const now = performance.now()
        if (now - lastDraw < 100) return
        lastDraw = now
        process.stderr.write(`\r${render(done, total)}\x1b[K`)
        return
      }
      const decile = total > 0 ? Math.floor((done / total) * 10) : 0
      if (decile !== lastDecile && decile < 10) {
        lastDecile = decile
        process.stderr.write(`${render(done, total)}\n`)
      }
    },
    done(total: number) {
      process.stderr.write(tty ? `\r${render(total, total)}\x1b[K\n` : `${render(total, total)}\n`)
    },
    /** Clears a half-drawn bar before an error is printed. */
    abort() {
      if (tty && lastDraw > 0) process.stderr.write('\n')
    },
  }
}

/** Rows as an aligned table. */
export function table(rows: Record<string, string | number>[], columns = Object.keys(rows[0] ?? {})) {
  const cells = rows.map((row) => columns.map((c) => String(row[c] ?? '')))
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]?.length ?? 0)))
  const format = (values: string[]) => values.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd()
  return [format(columns), ...cells.map(format)].join('\n')
}
