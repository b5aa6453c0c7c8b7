// Deploys the protocol with viem: the AccessManager, each implementation behind an ERC-1967 proxy,
// roles and function roles, the platform token allowed as payment. Resumable from a partial deployment.
import {
  type Abi,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
  encodeFunctionData,
  getAddress,
  getAbiItem,
  isAddressEqual,
  parseEther,
  toFunctionSelector,
} from 'viem'
import { readArtifact } from './artifacts.ts'
import type { ContractName, DeployedContract, Deployment, PartialDeployment } from './deployment.ts'
import { contractNames } from './deployment.ts'
import { type RoleName, functionRoles, roles } from './roles.ts'

export type DeployWalletClient = WalletClient<Transport, Chain | undefined, Account>

/** Who holds each role after deployment. Every list defaults to `[admin]`. */
export interface RoleHolders {
  upgraders?: Address[]
  pausers?: Address[]
  arbiters?: Address[]
  evaluators?: Address[]
  treasurers?: Address[]
  minters?: Address[]
  /** Receives the platform fees. Defaults to the admin. */
  treasury?: Address
}

/** Economic parameters; the defaults suit a test network. */
export interface ProtocolConfig {
  feeBps?: number
  deliveryWindow?: number
  disputeWindow?: number
  rulingWindow?: number
  requestWindow?: number
  tokenName?: string
  tokenSymbol?: string
  tokenCap?: bigint
  /** ERC-1497 meta-evidence of every marketplace dispute (a JSON file's URI). */
  metaEvidenceURI?: string
  /** Fee of a dispute in wei. */
  arbitrationCost?: bigint
}

export interface DeployProtocolParameters {
  walletClient: DeployWalletClient
  publicClient: PublicClient
  /** Holds the AccessManager's ADMIN role at the end. Defaults to the deployer. */
  admin?: Address
  roles?: RoleHolders
  config?: ProtocolConfig
  /** Platform tokens to mint, e.g. dev balances. */
  mint?: { to: Address; amount: bigint }[]
  /** A deployment in progress: contracts already deployed (and still on chain) are kept. */
  resume?: PartialDeployment
  onProgress?: (step: string, deployment: PartialDeployment) => void
}

export const defaultConfig = {
  feeBps: 250,
  deliveryWindow: 3 * 86_400,
  disputeWindow: 3 * 86_400,
  rulingWindow: 14 * 86_400,
  requestWindow: 7 * 86_400,
  tokenName: 'AI Model Marketplace Token',
  tokenSymbol: 'AIMT',
  tokenCap: parseEther('1000000000'),
  metaEvidenceURI: `data:application/json,${encodeURIComponent(
    JSON.stringify({
      category: 'AI model sale',
      title: 'Dispute over the delivery of an AI model',
      description: 'The buyer says the delivered model key or files do not match the listing.',
      question: 'How should the escrowed payment be divided?',
      rulingOptions: {
        type: 'uint',
        titles: ['Refund the buyer', 'Pay the seller', 'Split: 3 + the buyer share in basis points'],
      },
    }),
  )}`,
  arbitrationCost: 0n,
} satisfies Required<ProtocolConfig>

/**
 * Deploys (or finishes deploying) the protocol and returns where each contract lives.
 * @example
 * const deployment = await deployProtocol({ walletClient, publicClient, roles: { arbiters: [arbiter] } })
 */
export async function deployProtocol(parameters: DeployProtocolParameters): Promise<Deployment> {
  const { walletClient, publicClient, onProgress } = parameters
  const deployer = walletClient.account.address
  const admin = parameters.admin ?? deployer
  const config = { ...defaultConfig, ...parameters.config }
  const holders = resolveHolders(admin, parameters.roles)
  const chainId = await publicClient.getChainId()
  const deployment: PartialDeployment = { chainId, contracts: {} }
  let resumedAll = false
  if (parameters.resume && parameters.resume.chainId === chainId) {
    for (const [name, contract] of Object.entries(parameters.resume.contracts)) {
      // A stale file (e.g. a restarted dev node) must not hide a missing contract.
      if (contract && (await publicClient.getCode({ address: contract.address }))) {
        deployment.contracts[name as ContractName] = contract
      }
    }
    resumedAll = contractNames.every((name) => deployment.contracts[name])
  }
  const progress = (step: string) => onProgress?.(step, { chainId, contracts: { ...deployment.contracts } })

  const send = async (address: Address, abi: Abi, functionName: string, args: readonly unknown[]) => {
    const hash = await walletClient.sendTransaction({
      to: address,
      data: encodeFunctionData({ abi, functionName, args }),
      chain: walletClient.chain,
    })
    const receipt = await publicClient.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success') throw new DeploymentError(`${functionName} on ${address} reverted`, hash)
  }

  const deploy = async (artifactName: string, args: readonly unknown[]): Promise<DeployedContract> => {
    const artifact = readArtifact(artifactName)
    const hash = await walletClient.deployContract({
      abi: artifact.abi,
      bytecode: artifact.bytecode,
      args,
      chain: walletClient.chain,
    })
    const receipt = await publicClient.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success' || !receipt.contractAddress) {
      throw new DeploymentError(`deploying ${artifactName} failed`, hash)
    }
    return { address: getAddress(receipt.contractAddress), blockNumber: Number(receipt.blockNumber) }
  }

  const step = async (name: ContractName, run: () => Promise<DeployedContract>) => {
    if (deployment.contracts[name]) return deployment.contracts[name]
    deployment.contracts[name] = await run()
    progress(name)
    return deployment.contracts[name]
  }

  /** An implementation, then its proxy initialized in the same transaction. */
  const deployProxy = (name: Exclude<ContractName, 'AccessManager'>, initArgs: readonly unknown[]) =>
    step(name, async () => {
      const implementation = await deploy(name, [])
      const { abi } = readArtifact(name)
      const data = encodeFunctionData({ abi, functionName: 'initialize', args: initArgs })
      return deploy('ERC1967Proxy', [implementation.address, data])
    })

  const manager = (await step('AccessManager', () => deploy('AccessManager', [deployer]))).address
  const token = (
    await deployProxy('PlatformToken', [manager, config.tokenName, config.tokenSymbol, config.tokenCap])
  ).address
  const registry = (await deployProxy('ModelRegistry', [manager])).address
  const arbitration = (await deployProxy('Arbitration', [manager])).address
  const reputation = (await deployProxy('Reputation', [manager, registry])).address
  const marketplace = (
    await deployProxy('Marketplace', [
      {
        authority: manager,
        registry,
        arbitrator: arbitration,
        reputation,
        treasury: holders.treasury,
        feeBps: config.feeBps,
        deliveryWindow: config.deliveryWindow,
        disputeWindow: config.disputeWindow,
        rulingWindow: config.rulingWindow,
        metaEvidenceURI: config.metaEvidenceURI,
      },
    ])
  ).address
  await deployProxy('Evaluations', [manager, registry, config.requestWindow])
  const complete = deployment as Deployment
  const result = () =>
    ({ chainId, contracts: Object.fromEntries(contractNames.map((n) => [n, complete.contracts[n]])) }) as Deployment
  // A finished deployment run again (e.g. `npm run deploy` twice) changes nothing, even after the handover.
  if (resumedAll && (await isConfigured(publicClient, complete))) {
    progress('done')
    return result()
  }

  // Function roles and role grants in one AccessManager multicall (idempotent, so safe to repeat).
  const managerAbi = readArtifact('AccessManager').abi
  const calls: Hex[] = protocolRoleCalls(complete)
  const grants: [bigint, Address][] = [
    ...holders.upgraders.map((a) => [roles.UPGRADER, a] as [bigint, Address]),
    ...holders.pausers.map((a) => [roles.PAUSER, a] as [bigint, Address]),
    ...holders.arbiters.map((a) => [roles.ARBITER, a] as [bigint, Address]),
    ...holders.evaluators.map((a) => [roles.EVALUATOR, a] as [bigint, Address]),
    ...holders.treasurers.map((a) => [roles.TREASURER, a] as [bigint, Address]),
    ...holders.minters.map((a) => [roles.MINTER, a] as [bigint, Address]),
    // The deployer configures the contracts below; it gives these up at the end unless listed.
    [roles.TREASURER, deployer],
    [roles.MINTER, deployer],
  ]
  for (const [role, account] of grants) {
    calls.push(encodeFunctionData({ abi: managerAbi, functionName: 'grantRole', args: [role, account, 0] }))
  }
  await send(manager, managerAbi, 'multicall', [calls])
  progress('roles')

  await send(reputation, readArtifact('Reputation').abi, 'setMarketplace', [marketplace])
  await send(registry, readArtifact('ModelRegistry').abi, 'setPaymentTokenAllowed', [token, true])
  if (config.arbitrationCost !== 0n) {
    await send(arbitration, readArtifact('Arbitration').abi, 'setArbitrationCost', [config.arbitrationCost])
  }
  for (const { to, amount } of parameters.mint ?? []) {
    await send(token, readArtifact('PlatformToken').abi, 'mint', [to, amount])
  }
  progress('configuration')

  // Hand over: the admin gets ADMIN; the deployer keeps only the roles it was listed for.
  const handover: Hex[] = []
  if (!isAddressEqual(admin, deployer)) {
    handover.push(encodeFunctionData({ abi: managerAbi, functionName: 'grantRole', args: [roles.ADMIN, admin, 0] }))
  }
  if (!holders.treasurers.some((a) => isAddressEqual(a, deployer))) {
    handover.push(encodeFunctionData({ abi: managerAbi, functionName: 'renounceRole', args: [roles.TREASURER, deployer] }))
  }
  if (!holders.minters.some((a) => isAddressEqual(a, deployer))) {
    handover.push(encodeFunctionData({ abi: managerAbi, functionName: 'renounceRole', args: [roles.MINTER, deployer] }))
  }
  if (!isAddressEqual(admin, deployer)) {
    handover.push(encodeFunctionData({ abi: managerAbi, functionName: 'renounceRole', args: [roles.ADMIN, deployer] }))
  }
  if (handover.length > 0) await send(manager, managerAbi, 'multicall', [handover])
  progress('done')

  return result()
}

/**
 * The AccessManager calls that give every restricted function its role (`functionRoles`) and the
 * marketplace its roles (PROTOCOL, ARBITRABLE); idempotent. The ADMIN of a protocol deployed before an
 * upgrade that adds restricted functions runs them in one `multicall` before upgrading the proxies.
 * @example
 * await walletClient.writeContract({ address: manager, abi: accessManagerAbi, functionName: 'multicall', args: [protocolRoleCalls(deployment)] })
 */
export function protocolRoleCalls(deployment: Deployment): Hex[] {
  const managerAbi = readArtifact('AccessManager').abi
  const calls: Hex[] = []
  for (const [contract, selectors] of Object.entries(functionRoles)) {
    const { abi } = readArtifact(contract)
    const byRole = new Map<bigint, Hex[]>()
    for (const [functionName, role] of Object.entries(selectors)) {
      const item = getAbiItem({ abi, name: functionName })
      if (item?.type !== 'function') throw new DeploymentError(`${contract} has no function ${functionName}`)
      const list = byRole.get(roles[role as RoleName]) ?? []
      list.push(toFunctionSelector(item))
      byRole.set(roles[role as RoleName], list)
    }
    for (const [role, list] of byRole) {
      calls.push(
        encodeFunctionData({
          abi: managerAbi,
          functionName: 'setTargetFunctionRole',
          args: [deployment.contracts[contract as ContractName].address, list, role],
        }),
      )
    }
  }
  const marketplace = deployment.contracts.Marketplace.address
  for (const role of [roles.PROTOCOL, roles.ARBITRABLE]) {
    calls.push(encodeFunctionData({ abi: managerAbi, functionName: 'grantRole', args: [role, marketplace, 0] }))
  }
  return calls
}

/** The last configuration step ran: the marketplace holds PROTOCOL and Reputation points at it. */
async function isConfigured(publicClient: PublicClient, deployment: Deployment): Promise<boolean> {
  const marketplace = deployment.contracts.Marketplace.address
  const [isMember] = (await publicClient.readContract({
    address: deployment.contracts.AccessManager.address,
    abi: readArtifact('AccessManager').abi,
    functionName: 'hasRole',
    args: [roles.PROTOCOL, marketplace],
  })) as [boolean, number]
  const pointed = (await publicClient.readContract({
    address: deployment.contracts.Reputation.address,
    abi: readArtifact('Reputation').abi,
    functionName: 'marketplace',
  })) as Address
  return isMember && isAddressEqual(pointed, marketplace)
}

function resolveHolders(admin: Address, given: RoleHolders = {}) {
  return {
    upgraders: given.upgraders ?? [admin],
    pausers: given.pausers ?? [admin],
    arbiters: given.arbiters ?? [admin],
    evaluators: given.evaluators ?? [admin],
    treasurers: given.treasurers ?? [admin],
    minters: given.minters ?? [admin],
    treasury: given.treasury ?? admin,
  }
}

/** A deployment transaction reverted or an artifact does not match the expected contract. */
export class DeploymentError extends Error {
  override name = 'DeploymentError'
  readonly transactionHash?: Hex
  constructor(message: string, transactionHash?: Hex) {
    super(transactionHash ? `${message} (transaction ${transactionHash})` : message)
    this.transactionHash = transactionHash
  }
}
