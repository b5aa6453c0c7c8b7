// contracts/deployments/<chainId>.json: the one source of addresses for the subgraph and the SDK.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Deployment, PartialDeployment } from './deployment.ts'
import { contractNames } from './deployment.ts'

export const deploymentsDir = join(import.meta.dirname, '..', 'deployments')

export function readDeployment(chainId: number, dir = deploymentsDir): PartialDeployment | undefined {
  const path = join(dir, `${chainId}.json`)
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as PartialDeployment) : undefined
}

/** Writes the file with the contracts in deployment order (so diffs stay small). */
export function writeDeployment(deployment: Deployment | PartialDeployment, dir = deploymentsDir): string {
  mkdirSync(dir, { recursive: true })
  const contracts = Object.fromEntries(
    contractNames.filter((n) => deployment.contracts[n]).map((n) => [n, deployment.contracts[n]]),
  )
  const path = join(dir, `${deployment.chainId}.json`)
  writeFileSync(path, `${JSON.stringify({ chainId: deployment.chainId, contracts }, null, 2)}\n`)
  return path
}
