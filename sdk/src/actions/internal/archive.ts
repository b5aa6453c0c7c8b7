import { CID } from 'multiformats/cid'
import { type Hex, hexToBytes } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import { modelRegistryAbi } from '../../contracts/abis.ts'
import { ChainRequestError } from '../../errors/chain.ts'
import { IntegrityError } from '../../errors/storage.ts'
import { call, read } from './write.ts'

/** A version as the registry records it. */
export type OnChainVersion = { version: number; cid: CID; sha256: Hex; size: bigint; publishedAt: bigint; deprecatedBy: number }

export async function readVersion(client: MarketplaceClientConfig, modelId: bigint, version: number): Promise<OnChainVersion> {
  const v = await read<{ contentCID: Hex; sha256: Hex; size: bigint; publishedAt: bigint; deprecatedBy: number }>(client, {
    contract: 'ModelRegistry',
    functionName: 'getVersion',
    args: [modelId, version],
  })
  let cid: CID
  try {
    cid = CID.decode(hexToBytes(v.contentCID))
  } catch (cause) {
    throw new IntegrityError('cid', `Version ${version} of model ${modelId} carries an invalid CID.`, {
      cause,
      hint: 'The version was registered with a malformed content CID, so its files cannot be found: tell the seller, who can publish a new version.',
    })
  }
  return { version, cid, sha256: v.sha256, size: v.size, publishedAt: v.publishedAt, deprecatedBy: Number(v.deprecatedBy) }
}

type LogPosition = { blockNumber: bigint; logIndex: number }
const before = (a: LogPosition, b: LogPosition) => a.blockNumber < b.blockNumber || (a.blockNumber === b.blockNumber && a.logIndex < b.logIndex)

/**
 * Whether a version's files are public (a plain archive) rather than encrypted: true when the
 * model's price was 0 as the version was published, the rule the seller's SDK encrypts by. Read
 * from the registry's logs, never from the archive's first bytes, which may be damaged.
 */
export async function isPublicVersion(client: MarketplaceClientConfig, modelId: bigint, version: number): Promise<boolean> {
  const registry = client.deployment.contracts.ModelRegistry
  const logs = { address: registry.address, abi: modelRegistryAbi, fromBlock: BigInt(registry.blockNumber), toBlock: 'latest', strict: true } as const
  const [published, listed, repriced] = await call('eth_getLogs', () =>
    Promise.all([
      client.publicClient.getContractEvents({ ...logs, eventName: 'VersionPublished', args: { modelId, version } }),
      client.publicClient.getContractEvents({ ...logs, eventName: 'ModelListed', args: { modelId } }),
      client.publicClient.getContractEvents({ ...logs, eventName: 'ModelRepriced', args: { modelId } }),
    ]),
  )
  const publication = published[0]
  // an unknown version reverts here with RegistryUnknownVersion, as the registry says it
  if (!publication) await readVersion(client, modelId, version)
  // ModelListed precedes the first VersionPublished in the listing transaction, so one always comes first.
  const price = publication && [...listed, ...repriced].filter((log) => before(log, publication)).sort((a, b) => (before(a, b) ? -1 : 1)).at(-1)?.args.price
  if (price === undefined)
    throw new ChainRequestError('eth_getLogs', {
      details: `the node returned no ${publication ? 'ModelListed' : 'VersionPublished'} log for version ${version} of model ${modelId}`,
      hint: 'Use an RPC endpoint that serves the logs since the deployment block (some prune old logs).',
    })
  return price === 0n
}
