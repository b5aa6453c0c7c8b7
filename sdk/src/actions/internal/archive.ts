import type { MarketplaceClientConfig } from '../../client/types.ts'
import { modelRegistryAbi } from '../../contracts/abis.ts'
import { call, read } from './write.ts'

/**
 * Whether a version's files are public: versions published while the model was free are stored
 * unencrypted (anyone may download them), later ones are encrypted with the version key.
 */
export async function isPublicVersion(client: MarketplaceClientConfig, modelId: bigint, version: number): Promise<boolean> {
  const [published] = await call('eth_getLogs', () =>
    client.publicClient.getContractEvents({
      address: client.deployment.contracts.ModelRegistry.address,
      abi: modelRegistryAbi,
      eventName: 'VersionPublished',
      args: { modelId, version },
      fromBlock: BigInt(client.deployment.contracts.ModelRegistry.blockNumber),
      toBlock: 'latest',
      strict: true,
    }),
  )
  if (!published) return false
  const listing = await read<{ price: bigint }>(client, { contract: 'ModelRegistry', functionName: 'getListing', args: [modelId], blockNumber: published.blockNumber })
  return listing.price === 0n
}
