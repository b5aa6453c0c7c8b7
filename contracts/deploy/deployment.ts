// The shape of contracts/deployments/<chainId>.json, read by the subgraph and the SDK.
import type { Address } from 'viem'

/** The proxies (and the AccessManager) of one deployment, in deployment order. */
export const contractNames = [
  'AccessManager',
  'PlatformToken',
  'ModelRegistry',
  'Arbitration',
  'Reputation',
  'Marketplace',
  'Evaluations',
] as const

export type ContractName = (typeof contractNames)[number]

export interface DeployedContract {
  address: Address
  /** The block of the proxy's creation: where an indexer starts. */
  blockNumber: number
}

export interface Deployment {
  chainId: number
  contracts: Record<ContractName, DeployedContract>
}

/** A deployment in progress: what `deployProtocol` resumes from. */
export interface PartialDeployment {
  chainId: number
  contracts: Partial<Record<ContractName, DeployedContract>>
}
