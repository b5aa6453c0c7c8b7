// `npm run deploy -- --network <name>`: deploys (or resumes deploying) the protocol and writes
// contracts/deployments/<chainId>.json after every step. Networks: localhost (`npx hardhat node`),
// custom (RPC_URL + DEPLOYER_PRIVATE_KEY). Optional env: ADMIN, ARBITERS, EVALUATORS, TREASURY
// (comma-separated addresses), DEV_BALANCE (whole tokens minted to each local account; default
// 1,000,000 on chain 31337).
import { network } from 'hardhat'
import { type Address, getAddress, parseEther } from 'viem'
import { deployProtocol } from '../deploy/deploy.ts'
import { readDeployment, writeDeployment } from '../deploy/files.ts'

const addresses = (value: string | undefined): Address[] | undefined =>
  value ? value.split(',').map((a) => getAddress(a.trim())) : undefined

const connection = await network.getOrCreate()
const publicClient = await connection.viem.getPublicClient()
const walletClients = await connection.viem.getWalletClients()
const [walletClient] = walletClients
const chainId = await publicClient.getChainId()
// The in-process network vanishes with this process: there is nothing to record for it.
const persistent = connection.networkConfig.type === 'http'

const devBalance = process.env.DEV_BALANCE ?? (chainId === 31337 ? '1000000' : undefined)
const mint = devBalance ? walletClients.map((w) => ({ to: w.account.address, amount: parseEther(devBalance) })) : []

const deployment = await deployProtocol({
  walletClient,
  publicClient,
  admin: process.env.ADMIN ? getAddress(process.env.ADMIN) : undefined,
  roles: {
    arbiters: addresses(process.env.ARBITERS),
    evaluators: addresses(process.env.EVALUATORS),
    treasury: process.env.TREASURY ? getAddress(process.env.TREASURY) : undefined,
  },
  mint,
  resume: persistent ? readDeployment(chainId) : undefined,
  onProgress: (step, partial) => {
    console.log(`✓ ${step}`)
    if (persistent) writeDeployment(partial)
  },
})
if (persistent) console.log(`wrote ${writeDeployment(deployment)}`)
for (const [name, { address, blockNumber }] of Object.entries(deployment.contracts)) {
  console.log(`${name.padEnd(14)} ${address}  block ${blockNumber}`)
}
