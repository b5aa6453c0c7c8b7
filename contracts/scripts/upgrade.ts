// Upgrades one proxy of contracts/deployments/<chainId>.json, refusing an incompatible storage layout:
//   CONTRACT=Marketplace IMPLEMENTATION=contracts/Marketplace.sol/Marketplace.json \
//   REFERENCE=contracts/previous/MarketplaceV1.sol/MarketplaceV1.json \
//   npx hardhat run contracts/scripts/upgrade.ts --network custom
// IMPLEMENTATION and REFERENCE are artifact paths under artifacts/ (or contract names); REFERENCE is
// the implementation deployed now and defaults to CONTRACT's current artifact; REFERENCE=v1 takes the
// recorded layout of the first release (contracts/deploy/layouts/v1.json). The sender needs UPGRADER.
import { network } from 'hardhat'
import type { Deployment } from '../deploy/deployment.ts'
import { readDeployment } from '../deploy/files.ts'
import { releasedLayout, upgradeContract, validateUpgrade } from '../deploy/upgrade.ts'

const name = process.env.CONTRACT as Exclude<keyof Deployment['contracts'], 'AccessManager'> | undefined
const newImplementation = process.env.IMPLEMENTATION ?? name
if (!name || !newImplementation) throw new Error('Set CONTRACT (e.g. Marketplace) and IMPLEMENTATION (an artifact path).')

// Validate before talking to the node: the solcjs compile blocks for seconds, and an HTTP connection
// idle that long is closed by the node under the client's feet. upgradeContract reuses the result.
const reference = process.env.REFERENCE === 'v1' ? releasedLayout(name) : process.env.REFERENCE
validateUpgrade(reference ?? name, newImplementation)

const connection = await network.getOrCreate()
const publicClient = await connection.viem.getPublicClient()
const [walletClient] = await connection.viem.getWalletClients()
const chainId = await publicClient.getChainId()
const deployment = readDeployment(chainId) as Deployment | undefined
if (!deployment?.contracts[name]) throw new Error(`No ${name} in contracts/deployments/${chainId}.json`)

const { implementation } = await upgradeContract({
  walletClient,
  publicClient,
  deployment,
  name,
  newImplementation,
  reference,
})
console.log(`${name} at ${deployment.contracts[name].address} now runs ${implementation}`)
