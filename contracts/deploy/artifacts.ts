// Reads the Hardhat 3 artifacts (artifacts/ at the repository root), found relative to this file.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Abi, Hex } from 'viem'

/** The artifacts folder Hardhat writes (`hardhat build`). */
export const artifactsDir = join(import.meta.dirname, '..', '..', 'artifacts')

/** Where each deployed contract's artifact lives, relative to `artifactsDir`. */
export const artifactPaths = {
  AccessManager: '@openzeppelin/contracts/access/manager/AccessManager.sol/AccessManager.json',
  ERC1967Proxy: '@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol/ERC1967Proxy.json',
  PlatformToken: 'contracts/PlatformToken.sol/PlatformToken.json',
  ModelRegistry: 'contracts/ModelRegistry.sol/ModelRegistry.json',
  Marketplace: 'contracts/Marketplace.sol/Marketplace.json',
  Arbitration: 'contracts/Arbitration.sol/Arbitration.json',
  Reputation: 'contracts/Reputation.sol/Reputation.json',
  Evaluations: 'contracts/Evaluations.sol/Evaluations.json',
} as const

export type ArtifactName = keyof typeof artifactPaths

export interface Artifact {
  contractName: string
  sourceName: string
  abi: Abi
  bytecode: Hex
  deployedBytecode: Hex
  buildInfoId?: string
}

/** Thrown when the contracts were not compiled yet. */
export class ArtifactNotFoundError extends Error {
  override name = 'ArtifactNotFoundError'
  readonly path: string
  constructor(path: string) {
    super(`Artifact not found: ${path}. Run \`npm run build\` (or \`npx hardhat build\`) at the repository root first.`)
    this.path = path
  }
}

/** Reads an artifact by contract name, or by a path relative to `artifactsDir` (e.g. a V2 mock). */
export function readArtifact(nameOrPath: ArtifactName | string): Artifact {
  const relative = nameOrPath in artifactPaths ? artifactPaths[nameOrPath as ArtifactName] : nameOrPath
  const path = join(artifactsDir, relative)
  if (!existsSync(path)) throw new ArtifactNotFoundError(relative)
  return JSON.parse(readFileSync(path, 'utf8')) as Artifact
}
