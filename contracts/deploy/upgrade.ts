// Upgrades one proxy's implementation, refusing a new implementation that is not upgrade-safe or
// whose storage layout (ERC-7201 namespaces included) is incompatible with the reference one.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import * as core from '@openzeppelin/upgrades-core'
import { type Address, type Hex, type PublicClient, encodeFunctionData, getAddress } from 'viem'
import { type Artifact, artifactsDir, readArtifact } from './artifacts.ts'
import type { DeployWalletClient } from './deploy.ts'
import type { ContractName, Deployment } from './deployment.ts'

const require = createRequire(import.meta.url)

interface BuildInfo {
  solcVersion: string
  userSourceNameMap: Record<string, string>
  input: core.SolcInput
  output: core.SolcOutput
}

/** The new implementation failed the upgrade-safety or storage-layout checks. */
export class UpgradeValidationError extends Error {
  override name = 'UpgradeValidationError'
  readonly report: string
  constructor(contract: string, report: string) {
    super(`Refusing to upgrade to ${contract}:\n${report}`)
    this.report = report
  }
}

const validations = new Map<string, core.ValidationRunData>()

function readBuildInfo(id: string): BuildInfo {
  const dir = join(artifactsDir, 'build-info')
  const info = JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8'))
  const { output } = JSON.parse(readFileSync(join(dir, `${id}.output.json`), 'utf8'))
  return { solcVersion: info.solcVersion, userSourceNameMap: info.userSourceNameMap, input: info.input, output }
}

/** Validation data of one compilation, with the namespaced layouts solc only emits for a modified input. */
function validationOf(id: string): { run: core.ValidationRunData; info: BuildInfo } {
  const info = readBuildInfo(id)
  let run = validations.get(id)
  if (!run) {
    const solc = require('solc') as { compile(input: string): string }
    const namespacedInput = core.makeNamespacedInput(info.input, info.output, info.solcVersion)
    const namespacedOutput = JSON.parse(solc.compile(JSON.stringify(namespacedInput))) as core.SolcOutput & {
      errors?: { severity: string; formattedMessage: string }[]
    }
    const failed = namespacedOutput.errors?.filter((e) => e.severity === 'error') ?? []
    if (failed.length > 0) throw new Error(failed.map((e) => e.formattedMessage).join('\n'))
    const decodeSrc = core.solcInputOutputDecoder(info.input, info.output)
    run = core.validate(info.output, decodeSrc, info.solcVersion, info.input, namespacedOutput)
    validations.set(id, run)
  }
  return { run, info }
}

/** The storage layout and upgrade-safety errors of a compiled contract. */
export function inspectImplementation(artifact: Artifact): { layout: core.StorageLayout; errors: ReturnType<typeof core.getErrors> } {
  if (!artifact.buildInfoId) throw new Error(`${artifact.contractName} has no build info: rebuild with hardhat`)
  const { run, info } = validationOf(artifact.buildInfoId)
  const source = info.userSourceNameMap[artifact.sourceName] ?? artifact.sourceName
  const version = core.getContractVersion(run, `${source}:${artifact.contractName}`)
  // A new implementation is never initialized again: initializer presence only matters for new proxies.
  const errors = core
    .getErrors(run, version, core.withValidationDefaults({ kind: 'uups' }))
    .filter((error) => error.kind !== 'missing-initializer' && error.kind !== 'missing-initializer-call')
  return { layout: core.getStorageLayout(run, version), errors }
}

/** A storage layout as `inspectImplementation` returns it (serializable to JSON). */
export type StorageLayout = ReturnType<typeof inspectImplementation>['layout']

/**
 * The storage layouts of the implementations of the first release (before provable delivery), recorded
 * from their build: the reference when upgrading a protocol deployed then, whose artifacts this build
 * no longer has.
 */
export function releasedLayout(name: Exclude<ContractName, 'AccessManager'>, release: 'v1' = 'v1'): StorageLayout {
  // `../deploy/layouts` from deploy/ (source) and from dist/ (the published build) alike
  const layouts = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'deploy', 'layouts', `${release}.json`), 'utf8'))
  return layouts[name] as StorageLayout
}

/**
 * Checks that `next` may replace `reference` behind a UUPS proxy; throws UpgradeValidationError if not.
 * `reference` is an artifact name (e.g. `Reputation`), a path relative to artifacts/, or a recorded
 * layout (`releasedLayout`); `next` an artifact name or path.
 */
export function validateUpgrade(reference: string | StorageLayout, next: string): void {
  const from = typeof reference === 'string' ? inspectImplementation(readArtifact(reference)).layout : reference
  const to = inspectImplementation(readArtifact(next))
  if (to.errors.length > 0) {
    throw new UpgradeValidationError(next, new core.UpgradeableContractErrorReport(to.errors).explain())
  }
  const report = core.getStorageUpgradeReport(from, to.layout, core.withValidationDefaults({ kind: 'uups' }))
  if (!report.ok) throw new UpgradeValidationError(next, report.explain())
}

export interface UpgradeContractParameters {
  walletClient: DeployWalletClient
  publicClient: PublicClient
  deployment: Deployment
  /** Which proxy to upgrade. */
  name: Exclude<ContractName, 'AccessManager'>
  /** The new implementation's artifact (name or path relative to artifacts/). */
  newImplementation: string
  /** The implementation currently behind the proxy (artifact or recorded layout). Defaults to `name`. */
  reference?: string | StorageLayout
  /** Calldata run on the proxy with the upgrade (e.g. a reinitializer). */
  call?: Hex
}

/**
 * Validates, deploys the new implementation and calls `upgradeToAndCall` (UPGRADER role).
 * @example
 * await upgradeContract({ walletClient, publicClient, deployment, name: 'Reputation', newImplementation: 'contracts/mocks/ReputationV2.sol/ReputationV2.json' })
 */
export async function upgradeContract(parameters: UpgradeContractParameters): Promise<{ implementation: Address }> {
  const { walletClient, publicClient, deployment, name, newImplementation } = parameters
  validateUpgrade(parameters.reference ?? name, newImplementation)
  const artifact = readArtifact(newImplementation)
  const deployHash = await walletClient.deployContract({
    abi: artifact.abi,
    bytecode: artifact.bytecode,
    chain: walletClient.chain,
  })
  const { contractAddress } = await publicClient.waitForTransactionReceipt({ hash: deployHash })
  if (!contractAddress) throw new Error(`deploying ${newImplementation} failed`)
  const implementation = getAddress(contractAddress)
  const hash = await walletClient.sendTransaction({
    to: deployment.contracts[name].address,
    data: encodeFunctionData({
      abi: readArtifact(name).abi,
      functionName: 'upgradeToAndCall',
      args: [implementation, parameters.call ?? '0x'],
    }),
    chain: walletClient.chain,
  })
  const receipt = await publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success') throw new Error(`upgradeToAndCall on ${name} reverted (${hash})`)
  return { implementation }
}
