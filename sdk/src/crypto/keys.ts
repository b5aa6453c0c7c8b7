import { x25519 } from '@noble/curves/ed25519.js'
import { IntegrityError, InvalidInputError } from '../errors/storage.ts'
import { addressBytes, type BytesLike, concatBytes, type Hex, toBytes, toHex, uint256Bytes, utf8 } from './bytes.ts'
import { hpkeOpen, hpkeSeal } from './hpke.ts'
import { hkdfSha256, randomBytes, sha256 } from './primitives.ts'

export type Address = `0x${string}`

/** The EIP-712 domain every key-derivation message uses. */
const domainOf = (chainId: number | bigint, verifyingContract: Address) =>
  ({ name: 'AI Model Marketplace', version: '1', chainId: BigInt(chainId), verifyingContract }) as const

const WARNING =
  'Signing this message reveals a secret encryption key. Sign it only in an AI Model Marketplace app; never sign it on any other website.'

/** A random 256-bit model key (the seller's secret for one model). */
export function generateModelKey(): Uint8Array {
  return randomBytes(32)
}

/**
 * The key that encrypts version `version` of a model: HKDF-SHA256(model key, version), so a buyer
 * holding the model key can open every later version without a new delivery.
 */
export function deriveVersionKey(modelKey: Uint8Array, version: number): Uint8Array {
  checkKey(modelKey, 'modelKey')
  if (!Number.isInteger(version) || version < 1 || version > 0xffffffff)
    throw new InvalidInputError('version', 'must be an integer from 1 to 2^32-1 (uint32)')
  const number = new Uint8Array(4)
  new DataView(number.buffer).setUint32(0, version)
  const info = concatBytes(utf8('ai-model-marketplace/version-key/v1'), number)
  return hkdfSha256(modelKey, new Uint8Array(0), info, 32)
}

/**
 * The EIP-712 message a buyer signs once to derive their X25519 key pair
 * (see {@link deriveBuyerKey}); pass it to viem's `signTypedData`.
 *
 * @example
 * const signature = await walletClient.signTypedData(buyerKeyTypedData({ chainId, marketplace, account }))
 * const { publicKey } = deriveBuyerKey(signature)
 */
export function buyerKeyTypedData(parameters: { chainId: number | bigint; marketplace: Address; account: Address }) {
  addressBytes(parameters.marketplace, 'marketplace')
  addressBytes(parameters.account, 'account')
  return {
    domain: domainOf(parameters.chainId, parameters.marketplace),
    types: {
      BuyerEncryptionKey: [
        { name: 'purpose', type: 'string' },
        { name: 'warning', type: 'string' },
        { name: 'account', type: 'address' },
      ],
    },
    primaryType: 'BuyerEncryptionKey',
    message: {
      purpose: 'Derive my key for receiving purchased models',
      warning: WARNING,
      account: parameters.account,
    },
  } as const
}

/**
 * The EIP-712 message a seller signs to (re-)derive a model's key with {@link deriveModelKey};
 * bound to the chain, the registry and the model id, so the key can always be recomputed from the
 * wallet and no key file can be lost.
 */
export function modelKeyTypedData(parameters: { chainId: number | bigint; registry: Address; modelId: bigint | number }) {
  addressBytes(parameters.registry, 'registry')
  uint256Bytes(parameters.modelId, 'modelId')
  return {
    domain: domainOf(parameters.chainId, parameters.registry),
    types: {
      ModelEncryptionKey: [
        { name: 'purpose', type: 'string' },
        { name: 'warning', type: 'string' },
        { name: 'modelId', type: 'uint256' },
      ],
    },
    primaryType: 'ModelEncryptionKey',
    message: { purpose: 'Derive the encryption key of my model', warning: WARNING, modelId: BigInt(parameters.modelId) },
  } as const
}

export type BuyerKeyPair = { privateKey: Uint8Array; publicKey: Uint8Array; publicKeyHex: Hex }

/**
 * Derives the buyer's X25519 key pair from their signature over {@link buyerKeyTypedData}. Only r
 * and s enter the derivation, so a recovery byte of 0/1 or 27/28 gives the same key. Wallets with
 * deterministic (RFC 6979) signatures re-derive the same key on any device.
 */
export function deriveBuyerKey(signature: BytesLike): BuyerKeyPair {
  return buyerKeyFromPrivateKey(hkdfSha256(signatureSecret(signature), utf8('ai-model-marketplace/buyer-key/v1'), utf8('x25519'), 32))
}

/**
 * A buyer key pair from a 32-byte secret, for wallets whose signatures are not deterministic
 * (smart accounts, MPC): generate one with `randomBytes(32)` and keep an encrypted backup.
 */
export function buyerKeyFromPrivateKey(privateKey: Uint8Array): BuyerKeyPair {
  checkKey(privateKey, 'privateKey')
  const publicKey = x25519.getPublicKey(privateKey)
  return { privateKey, publicKey, publicKeyHex: toHex(publicKey) }
}

/** Derives a model key from the seller's signature over {@link modelKeyTypedData}. */
export function deriveModelKey(signature: BytesLike): Uint8Array {
  return hkdfSha256(signatureSecret(signature), utf8('ai-model-marketplace/model-key/v1'), utf8('aes-256'), 32)
}

function signatureSecret(signature: BytesLike): Uint8Array {
  const bytes = toBytes(signature, 'signature')
  if (bytes.length !== 65 && bytes.length !== 64)
    throw new InvalidInputError('signature', `expected a 65-byte (or 64-byte compact) ECDSA signature, got ${bytes.length} bytes`)
  // r || s only (EIP-2098 compact signatures fold v into s's top bit, which we clear)
  const rs = bytes.slice(0, 64)
  if (bytes.length === 64) rs[32] = (rs[32] as number) & 0x7f
  return rs
}

type ModelRef = { chainId: number | bigint; registry: Address; modelId: bigint | number }

const EXPORT_PREFIX = 'amm-model-key-v1'

/**
 * Serialises a model key with the model it belongs to, for handing the model to a new owner
 * (who then keeps it, since their own signature derives a different key). Treat the text as a secret.
 */
export function exportModelKey(modelKey: Uint8Array, model: ModelRef): string {
  checkKey(modelKey, 'modelKey')
  const body = `${EXPORT_PREFIX}:${BigInt(model.chainId)}:${model.registry.toLowerCase()}:${BigInt(model.modelId)}:${toHex(modelKey).slice(2)}`
  addressBytes(model.registry, 'registry')
  return `${body}:${toHex(sha256(utf8(body)).subarray(0, 4)).slice(2)}`
}

/** Reads what {@link exportModelKey} wrote; when `expected` is given, refuses a key for another model. */
export function importModelKey(text: string, expected?: ModelRef): { modelKey: Uint8Array } & Required<ModelRef> {
  const parts = text.trim().split(':')
  if (parts.length !== 6 || parts[0] !== EXPORT_PREFIX) throw new InvalidInputError('modelKey', 'not an exported model key')
  const body = parts.slice(0, 5).join(':')
  if (toHex(sha256(utf8(body)).subarray(0, 4)).slice(2) !== parts[5])
    throw new IntegrityError('sha256', 'The exported model key is damaged (checksum mismatch).', {
      hint: 'The text was changed or cut short since it was exported: copy it again, whole, from where it was saved.',
    })
  const [, chainId, registry, modelId, key] = parts as [string, string, Address, string, string]
  const result = { modelKey: toBytes(`0x${key}`, 'modelKey', 32), chainId: BigInt(chainId), registry, modelId: BigInt(modelId) }
  if (
    expected &&
    (BigInt(expected.chainId) !== result.chainId ||
      expected.registry.toLowerCase() !== registry ||
      BigInt(expected.modelId) !== result.modelId)
  )
    throw new InvalidInputError('modelKey', `the key belongs to model ${modelId} of ${registry} on chain ${chainId}`)
  return result
}

/** What a wrapped key is bound to: only this buyer, for this model, on this marketplace and chain, can open it. */
export type KeyBinding = { chainId: number | bigint; marketplace: Address; modelId: bigint | number; buyer: Address }

/** Length of a wrapped model key: HPKE enc (32) + sealed key (32) + tag (16). */
export const WRAPPED_KEY_LENGTH = 80

function bindingInfo(binding: KeyBinding): Uint8Array {
  return concatBytes(
    utf8('ai-model-marketplace/model-key-delivery/v1'),
    uint256Bytes(binding.chainId, 'chainId'),
    addressBytes(binding.marketplace, 'marketplace'),
    uint256Bytes(binding.modelId, 'modelId'),
    addressBytes(binding.buyer, 'buyer'),
  )
}

/**
 * Wraps a model key to a buyer's X25519 public key with HPKE (RFC 9180), bound to the chain,
 * marketplace, model and buyer. The 80-byte result goes on-chain with the delivery.
 *
 * @example
 * const wrappedKey = await wrapKey({ modelKey, recipientPublicKey: order.buyerPublicKey, chainId, marketplace, modelId, buyer })
 */
export async function wrapKey(parameters: { modelKey: Uint8Array; recipientPublicKey: BytesLike } & KeyBinding): Promise<Uint8Array> {
  checkKey(parameters.modelKey, 'modelKey')
  const { enc, ciphertext } = await hpkeSeal({
    recipientPublicKey: toBytes(parameters.recipientPublicKey, 'recipientPublicKey', 32),
    info: bindingInfo(parameters),
    plaintext: parameters.modelKey,
  })
  return concatBytes(enc, ciphertext)
}

/** Opens a key wrapped by {@link wrapKey}; IntegrityError (check `tag`) if it was not made for this buyer, model, marketplace and chain. */
export async function unwrapKey(parameters: { wrappedKey: BytesLike; privateKey: Uint8Array } & KeyBinding): Promise<Uint8Array> {
  const wrapped = toBytes(parameters.wrappedKey, 'wrappedKey')
  if (wrapped.length !== WRAPPED_KEY_LENGTH) throw new InvalidInputError('wrappedKey', `expected ${WRAPPED_KEY_LENGTH} bytes, got ${wrapped.length}`)
  checkKey(parameters.privateKey, 'privateKey')
  try {
    return await hpkeOpen({
      recipientSecretKey: parameters.privateKey,
      enc: wrapped.subarray(0, 32),
      ciphertext: wrapped.subarray(32),
      info: bindingInfo(parameters),
    })
  } catch (cause) {
    if (!(cause instanceof IntegrityError)) throw cause
    // Not "damaged data" as for files: the usual causes are another account or a bad delivery.
    throw new IntegrityError('tag', 'The wrapped key does not open: it was not sealed to this account for this model, marketplace and chain, or it was altered.', {
      cause,
      hint: 'Check that the wallet account is the one the key was delivered to; if it is, the delivered key is bad: tell the seller or open a dispute.',
    })
  }
}

function checkKey(key: Uint8Array, parameter: string) {
  if (!(key instanceof Uint8Array) || key.length !== 32) throw new InvalidInputError(parameter, 'must be 32 bytes')
}
