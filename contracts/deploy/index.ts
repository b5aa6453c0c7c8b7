// Node-only entry: deployment from the compiled artifacts (upgrades: the `./upgrade` entry).
export { ArtifactNotFoundError, artifactPaths, artifactsDir, readArtifact } from './artifacts.ts'
export type { Artifact, ArtifactName } from './artifacts.ts'
export { DeploymentError, defaultConfig, deployProtocol, protocolRoleCalls } from './deploy.ts'
export type { DeployProtocolParameters, DeployWalletClient, ProtocolConfig, RoleHolders } from './deploy.ts'
export { contractNames } from './deployment.ts'
export type { ContractName, DeployedContract, Deployment, PartialDeployment } from './deployment.ts'
export { readDeployment, writeDeployment, deploymentsDir } from './files.ts'
export { functionRoles, roles } from './roles.ts'
