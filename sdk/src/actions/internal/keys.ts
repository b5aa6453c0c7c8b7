import type { Address } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import { type BuyerKeyPair, buyerKeyTypedData, deriveBuyerKey, deriveModelKey, modelKeyTypedData } from '../../crypto/keys.ts'
import { requireWallet, sign } from './write.ts'

// One signature per wallet account and deployment: the wallet prompts once, not on every download.
const buyerKeys = new WeakMap<object, Map<string, Promise<BuyerKeyPair>>>()
const modelKeys = new WeakMap<object, Map<string, Promise<Uint8Array>>>()

function cached<T>(store: WeakMap<object, Map<string, Promise<T>>>, owner: object, key: string, make: () => Promise<T>): Promise<T> {
  const map = store.get(owner) ?? new Map<string, Promise<T>>()
  store.set(owner, map)
  let value = map.get(key)
  if (!value) {
    value = make()
    map.set(key, value)
    value.catch(() => map.delete(key)) // a declined signature may be retried
  }
  return value
}

/** The wallet account's X25519 key pair, derived from its signature over the fixed EIP-712 message. */
export function buyerKeyPair(client: MarketplaceClientConfig, action = 'buyModel'): Promise<BuyerKeyPair> {
  const { walletClient, account } = requireWallet(client, action)
  const marketplace = client.deployment.contracts.Marketplace.address
  return cached(buyerKeys, walletClient, `${client.deployment.chainId}:${marketplace}:${account.address}`, async () => {
    const typedData = buyerKeyTypedData({ chainId: client.deployment.chainId, marketplace, account: account.address })
    const signature = await sign(action, 'eth_signTypedData_v4', () => walletClient.signTypedData({ account, ...typedData }))
    return deriveBuyerKey(signature)
  })
}

/** The seller's key of `modelId`: imported when given (a model handed over by its previous owner), else derived from the wallet's signature. */
export function sellerModelKey(client: MarketplaceClientConfig, modelId: bigint, imported?: Map<bigint, Uint8Array>, action = 'deliverOrder'): Promise<Uint8Array> {
  const given = imported?.get(modelId)
  if (given) return Promise.resolve(given)
  const { walletClient, account } = requireWallet(client, action)
  const registry = client.deployment.contracts.ModelRegistry.address
  return cached(modelKeys, walletClient, `${client.deployment.chainId}:${registry}:${account.address}:${modelId}`, async () => {
    const typedData = modelKeyTypedData({ chainId: client.deployment.chainId, registry, modelId })
    const signature = await sign(action, 'eth_signTypedData_v4', () => walletClient.signTypedData({ account, ...typedData }))
    return deriveModelKey(signature)
  })
}

/** What a version key wrapped to an evaluator is bound to: the Evaluations contract takes the marketplace's place. */
export function evaluationBinding(client: MarketplaceClientConfig, modelId: bigint, evaluator: Address) {
  return { chainId: client.deployment.chainId, marketplace: client.deployment.contracts.Evaluations.address, modelId, buyer: evaluator }
}
