// @ai-model-marketplace/contracts: ABIs (browser-safe) and the deployment types.
export * from './abi.ts'
export { contractNames } from './deploy/deployment.ts'
export type { ContractName, DeployedContract, Deployment, PartialDeployment } from './deploy/deployment.ts'
export { functionRoles, roles } from './deploy/roles.ts'
export type { RoleName } from './deploy/roles.ts'
