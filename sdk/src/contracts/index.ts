export { accessManagerAbi, arbitrationAbi, evaluationsAbi, marketplaceAbi, modelRegistryAbi, platformTokenAbi, reputationAbi } from './abis.ts'
export { deployments } from './deployments.ts'
export { erc20PermitAbi } from './erc20.ts'
export type { ContractName, Deployment } from './types.ts'
