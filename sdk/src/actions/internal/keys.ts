import type { Address } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import { type Hex, toHex } from '../../crypto/bytes.ts'
import { deliverySeedFromSignature, deliverySeedTypedData, deriveOrderDeliveryKey, generateDeliverySalt, type OrderDeliveryKey } from '../../crypto/delivery.ts'
import { type BuyerKeyPair, buyerKeyTypedData, deriveBuyerKey, deriveModelKey, modelKeyTypedData } from '../../crypto/keys.ts'
import { DeliverySeedError } from '../../errors/chain.ts'
import { InvalidInputError } from '../../errors/storage.ts'
import { requireWallet, sign } from './write.ts'

// One signature per wallet account and deployment: the wallet prompts once, not on every download.
const buyerKeys = new WeakMap<object, Map<string, Promise<BuyerKeyPair>>>()
const modelKeys = new WeakMap<object, Map<string, Promise<Uint8Array>>>()
// Delivery seeds verified (signed twice alike, or matching an order's key), per wallet account and deployment.
const deliverySeeds = new WeakMap<object, Map<string, Uint8Array>>()

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

/**
 * The buyer's delivery seed: the client's locally kept `deliverySeed`, else derived from the
 * wallet's signature over a fixed EIP-712 message. Only a verified seed is cached: at purchase
 * (`verify: 'twice'`) the wallet signs twice and a wallet whose two signatures differ gets
 * DeliverySeedError `not-deterministic` (the keys of its purchases could not be derived again, so it
 * must keep a seed locally); later, one signature is verified against the key recorded with the order.
 */
async function buyerDeliverySeed(
  client: MarketplaceClientConfig,
  action: string,
  verify: 'twice' | ((seed: Uint8Array) => boolean),
): Promise<Uint8Array> {
  const { walletClient, account } = requireWallet(client, action)
  if (client.deliverySeed !== undefined) {
    if (!(client.deliverySeed instanceof Uint8Array) || client.deliverySeed.length !== 32)
      throw new InvalidInputError('deliverySeed', 'must be 32 bytes (from generateDeliverySeed())')
    if (verify !== 'twice' && !verify(client.deliverySeed)) throw new DeliverySeedError('mismatch', account.address)
    return client.deliverySeed
  }
  const marketplace = client.deployment.contracts.Marketplace.address
  const key = `${client.deployment.chainId}:${marketplace}:${account.address}`
  const seeds = deliverySeeds.get(walletClient) ?? new Map<string, Uint8Array>()
  deliverySeeds.set(walletClient, seeds)
  const known = seeds.get(key)
  if (known && (verify === 'twice' || verify(known))) return known
  const typedData = deliverySeedTypedData({ chainId: client.deployment.chainId, marketplace, account: account.address })
  const signOnce = async () => deliverySeedFromSignature(await sign(action, 'eth_signTypedData_v4', () => walletClient.signTypedData({ account, ...typedData })))
  const seed = await signOnce()
  if (verify === 'twice' ? toHex(seed) !== toHex(await signOnce()) : !verify(seed))
    throw new DeliverySeedError(verify === 'twice' ? 'not-deterministic' : 'mismatch', account.address)
  seeds.set(key, seed)
  return seed
}

const orderKeyOf = (client: MarketplaceClientConfig, seed: Uint8Array, salt: Hex, buyer: Address) =>
  deriveOrderDeliveryKey({ seed, salt, chainId: client.deployment.chainId, marketplace: client.deployment.contracts.Marketplace.address, buyer })

/** A fresh salt and the buyer's delivery key for a new order (the wallet signs twice the first time, see buyerDeliverySeed). */
export async function newOrderDeliveryKey(client: MarketplaceClientConfig, action: string): Promise<OrderDeliveryKey & { salt: Hex }> {
  const buyer = requireWallet(client, action).account.address
  const seed = await buyerDeliverySeed(client, action, 'twice')
  const salt = generateDeliverySalt()
  return { salt, ...orderKeyOf(client, seed, salt, buyer) }
}

/** The buyer's delivery key of an existing order, checked against the key recorded with it (DeliverySeedError `mismatch` otherwise). */
export async function orderDeliveryKey(
  client: MarketplaceClientConfig,
  recorded: { buyer: Address; salt: Hex; buyerDeliveryKey: Hex },
  action: string,
): Promise<OrderDeliveryKey> {
  const matches = (seed: Uint8Array) => orderKeyOf(client, seed, recorded.salt, recorded.buyer).publicKey.toLowerCase() === recorded.buyerDeliveryKey.toLowerCase()
  return orderKeyOf(client, await buyerDeliverySeed(client, action, matches), recorded.salt, recorded.buyer)
}
