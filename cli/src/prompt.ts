// Questions on the terminal: yes/no, and hidden input for passwords and keys.
import { createInterface } from 'node:readline/promises'
import { CliError, exitCodes } from './errors.ts'

/** Asks a yes/no question on stderr; only a terminal can answer (otherwise the caller needs --yes). */
export async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new CliError('NEEDS_CONFIRMATION', 'no terminal to confirm on', { hint: 'pass --yes to go ahead without the question', exitCode: exitCodes.USAGE })
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim())
  } finally {
    rl.close()
  }
}

/** Reads a line without echoing it (raw mode), on stderr. Ctrl-C aborts. */
export function readHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = process.stdin
    // raw mode (no echo) before the question, so nothing typed after it is ever echoed
    input.setRawMode(true)
    input.resume()
    process.stderr.write(question)
    let text = ''
    const done = (error?: Error) => {
      input.setRawMode(false)
      input.pause()
      input.off('data', onData)
      process.stderr.write('\n')
      if (error) reject(error)
      else resolve(text)
    }
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done()
        if (char === '\u0003') return done(new CliError('DECLINED', 'cancelled', { exitCode: exitCodes.DECLINED }))
        if (char === '\u007f' || char === '\b') text = text.slice(0, -1)
        else text += char
      }
    }
    input.on('data', onData)
  })
}

export async function readStdin(): Promise<string> {
  let text = ''
  for await (const chunk of process.stdin) text += chunk
  return text
}
