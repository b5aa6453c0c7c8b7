// Runs an example as a user would (a child process on this Node) and collects what it printed.
import { execFile } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'

export const examplesDir = join(import.meta.dirname, '..')

export type Run = { code: number; stdout: string; stderr: string }

export function runExample(script: string, args: string[] = [], env: Record<string, string | undefined> = {}, timeout = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(examplesDir, script), ...args], { cwd: examplesDir, env: { ...process.env, ...env }, timeout, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}
