// Runs the built `amm` as a user does: a child process, its exit code, stdout and stderr.
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process'
import { join } from 'node:path'

export const amm = join(import.meta.dirname, '..', 'dist', 'amm.js')

export type Run = { code: number; stdout: string; stderr: string }

export function run(args: string[], env: Record<string, string | undefined> = {}, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [amm, ...args], { env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
    child.stdin?.end(input ?? '')
  })
}

/** Starts a long-running `amm` command; `waitFor` resolves once its output contains a text. */
export function start(args: string[], env: Record<string, string | undefined> = {}, cwd?: string) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [amm, ...args], { env: { ...process.env, ...env }, cwd })
  let stdout = ''
  let stderr = ''
  const waiters: (() => void)[] = []
  const poke = () => {
    for (const w of waiters.splice(0)) w()
  }
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk
    poke()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk
    poke()
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return {
    child,
    exited,
    get stdout() {
      return stdout
    },
    get stderr() {
      return stderr
    },
    async waitFor(text: string, timeoutMs = 180_000) {
      const deadline = Date.now() + timeoutMs
      while (!(stdout + stderr).includes(text)) {
        if (child.exitCode !== null) throw new Error(`amm ${args[0]} exited (${child.exitCode}) before printing "${text}":\n${stdout}\n${stderr}`)
        if (Date.now() > deadline) throw new Error(`amm ${args[0]} did not print "${text}" within ${timeoutMs} ms:\n${stdout}\n${stderr}`)
        await new Promise<void>((resolve) => {
          waiters.push(resolve)
          setTimeout(resolve, 500)
        })
      }
    },
  }
}
