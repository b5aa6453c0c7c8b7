import type { Address } from 'viem'

/** The protocol's contracts, by the names used in `contracts/deployments/<chainId>.json`. */
export type ContractName =
  | 'AccessManager'
  | 'PlatformToken'
  | 'ModelRegistry'
  | 'Marketplace'
  | 'Arbitration'
  | 'Reputation'
  | 'Evaluations'

/** Where the protocol lives on one chain: each contract's proxy address and the block it was deployed in. */
export type Deployment = {
  chainId: number
  contracts: Record<ContractName, { address: Address; blockNumber: number | bigint }>
}
