// Reads the compiled contracts: in the repository, the Hardhat 3 artifacts (artifacts/ at its root);
// in the published package, the copies `npm run build -w contracts` puts in the package's artifacts/.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Abi, Hex } from 'viem'

// this file runs from deploy/ (sources) or dist/ (the build): the package root is one folder up either way
const packageDir = join(import.meta.dirname, '..')
const repositoryDir = join(packageDir, '..')

/** Where the artifacts are read from: the repository's `hardhat build` output, or the package's own copies. */
export const artifactsDir = existsSync(join(repositoryDir, 'hardhat.config.ts')) ? join(repositoryDir, 'artifacts') : join(packageDir, 'artifacts')

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
    super(`Artifact not found: ${path} in ${artifactsDir}. In the repository, run \`npx hardhat build\` at its root first; the published package ships the artifacts it deploys.`)
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
