import { mapHashToField } from '@noble/curves/abstract/modular.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { InvalidInputError } from '../errors/storage.ts'
import { addressBytes, type BytesLike, concatBytes, type Hex, toBytes, toHex, uint256Bytes, utf8 } from './bytes.ts'
import type { Address } from './keys.ts'
import { hkdfSha256, randomBytes } from './primitives.ts'

/*
 * Provable key delivery over secp256k1 (see the SDK README, "Provable delivery"):
 * - the seller commits to the model key when listing: `keyCommitment(key)`;
 * - the buyer derives a per-order secret b from one wallet-signed seed and a random salt posted
 *   with the order, and posts B = b·G;
 * - the seller picks r, posts R = r·G (compressed) and c = key XOR mask(address(r·B));
 * - the buyer recomputes address(b·R) exactly as the contract does with `ecrecover`
 *   (`ecrecover(0, 27 + parity(R), R.x, b·R.x mod n)`), recovers the key and checks it against the
 *   commitment; a wrong key is proven by revealing b, which opens only this one delivery.
 */

const Point = secp256k1.Point
/** Order of secp256k1's group. */
export const SECP256K1_N = Point.Fn.ORDER
const P = Point.Fp.ORDER

const keccak = (...parts: Uint8Array[]) => keccak_256(concatBytes(...parts))
const tag = (label: string) => keccak_256(utf8(label))

/** Domain separators, as the contract hashes them (`keccak256("…")`). */
export const DELIVERY_TAGS = {
  commitment: tag('ai-model-marketplace/key-commitment/v1'),
  mask: tag('ai-model-marketplace/key-delivery/v1'),
} as const

/** The zero address: what `ecrecover` returns, and so the shared value, for a malformed `R`. */
export const ZERO_ADDRESS: Address = '0x0000000000000000000000000000000000000000'

/** A secp256k1 point as the contract takes it: uncompressed, `x ‖ y` (64 bytes). */
export type UncompressedPoint = Hex
/** `R` as posted with a delivery: compressed, `0x02|0x03 ‖ x` (33 bytes). */
export type CompressedPoint = Hex

/** What a delivery's mask is bound to: this order, on this marketplace and chain. */
export type DeliveryBinding = { chainId: number | bigint; marketplace: Address; orderId: bigint | number }

/** 32-byte word helpers (Solidity's `abi.encode`). */
const word = {
  address: (a: Address, parameter: string) => concatBytes(new Uint8Array(12), addressBytes(a, parameter)),
  uint: (v: bigint | number, parameter: string) => uint256Bytes(v, parameter),
}

const bigintOf = (bytes: Uint8Array) => {
  let n = 0n
  for (const b of bytes) n = (n << 8n) | BigInt(b)
  return n
}

/** The Ethereum address of a point: the last 20 bytes of keccak256(x ‖ y). */
function addressOfPoint(point: InstanceType<typeof Point>): Address {
  const { x, y } = point.toAffine()
  return toHex(keccak(uint256Bytes(x, 'x'), uint256Bytes(y, 'y')).subarray(12)) as Address
}

/**
 * The commitment to a model key recorded when a model is listed:
 * `keccak256(abi.encode(keccak256("ai-model-marketplace/key-commitment/v1"), key))`.
 */
export function keyCommitment(key: Uint8Array): Hex {
  checkKey(key, 'key')
  return toHex(keccak(DELIVERY_TAGS.commitment, key))
}

/** Whether `key` is the key `commitment` commits to (constant-time compare is not needed: both are public once delivered). */
export function matchesCommitment(key: Uint8Array, commitment: Hex): boolean {
  return keyCommitment(key).toLowerCase() === commitment.toLowerCase()
}

// ---------------------------------------------------------------------------------------------
// Buyer: one seed per wallet, one secret per order
// ---------------------------------------------------------------------------------------------

const SEED_WARNING =
  'Signing this message reveals a secret that opens your purchased models. Sign it only in an AI Model Marketplace app; never sign it on any other website.'

/**
 * The EIP-712 message a buyer signs to derive their delivery seed ({@link deliverySeedFromSignature}),
 * from which every order's delivery secret is derived with the order's salt. Bound to the chain,
 * the marketplace and the account.
 */
export function deliverySeedTypedData(parameters: { chainId: number | bigint; marketplace: Address; account: Address }) {
  addressBytes(parameters.marketplace, 'marketplace')
  addressBytes(parameters.account, 'account')
  return {
    domain: { name: 'AI Model Marketplace', version: '2', chainId: BigInt(parameters.chainId), verifyingContract: parameters.marketplace },
    types: {
      DeliverySeed: [
        { name: 'purpose', type: 'string' },
        { name: 'warning', type: 'string' },
        { name: 'account', type: 'address' },
      ],
    },
    primaryType: 'DeliverySeed',
    message: { purpose: 'Derive my keys for receiving purchased models', warning: SEED_WARNING, account: parameters.account },
  } as const
}

/** The 32-byte delivery seed from a signature over {@link deliverySeedTypedData} (only r ‖ s enter it). */
export function deliverySeedFromSignature(signature: BytesLike): Uint8Array {
  const bytes = toBytes(signature, 'signature')
  if (bytes.length !== 65 && bytes.length !== 64)
    throw new InvalidInputError('signature', `expected a 65-byte (or 64-byte compact) ECDSA signature, got ${bytes.length} bytes`)
  const rs = bytes.slice(0, 64)
  if (bytes.length === 64) rs[32] = (rs[32] as number) & 0x7f
  return hkdfSha256(rs, utf8('ai-model-marketplace/delivery-seed/v1'), utf8('seed'), 32)
}

/** A random delivery seed, for wallets whose signatures are not deterministic: keep it (and a backup) locally. */
export function generateDeliverySeed(): Uint8Array {
  return randomBytes(32)
}

/** A random 32-byte salt, posted with an order so that its secret differs from every other order's. */
export function generateDeliverySalt(): Hex {
  return toHex(randomBytes(32))
}

/** A buyer's delivery key for one order: the secret `b` (keep it) and `B = b·G` (posted with the order, 64 bytes `x ‖ y`). */
export type OrderDeliveryKey = { secret: Uint8Array; publicKey: UncompressedPoint }

/**
 * The buyer's secret for one order: `b = HKDF-SHA256(seed, salt, "…order-key/v1" ‖ chainId ‖
 * marketplace ‖ buyer)` reduced to 1…n−1, and `B = b·G`; in the 2^-128 case where B.x is not below n
 * (the contract's ecrecover needs it) a byte 1, 2, … is appended to the info until it is.
 * Re-derivable from the seed and the salt posted with the order; revealing `b` (to prove a bad
 * delivery) exposes this order only.
 */
export function deriveOrderDeliveryKey(parameters: {
  seed: Uint8Array
  salt: BytesLike
  chainId: number | bigint
  marketplace: Address
  buyer: Address
}): OrderDeliveryKey {
  checkKey(parameters.seed, 'seed')
  const salt = toBytes(parameters.salt, 'salt', 32)
  const info = concatBytes(
    utf8('ai-model-marketplace/order-key/v1'),
    uint256Bytes(parameters.chainId, 'chainId'),
    addressBytes(parameters.marketplace, 'marketplace'),
    addressBytes(parameters.buyer, 'buyer'),
  )
  for (let attempt = 0; ; attempt++) {
    // 48 bytes reduced mod n−1, plus 1: a uniform non-zero scalar (RFC 9380 hash_to_field)
    const secret = mapHashToField(hkdfSha256(parameters.seed, salt, attempt ? concatBytes(info, new Uint8Array([attempt])) : info, 48), SECP256K1_N)
    const publicKey = orderDeliveryPublicKey(secret)
    if (isValidBuyerDeliveryKey(publicKey)) return { secret, publicKey }
  }
}

/** `B = b·G`, uncompressed (`x ‖ y`, 64 bytes), for a secret `b` in 1…n−1. */
export function orderDeliveryPublicKey(secret: Uint8Array): UncompressedPoint {
  const b = scalarOf(secret, 'secret')
  return toHex(Point.BASE.multiply(b).toBytes(false).subarray(1))
}

/**
 * Whether `B` is a buyer key the contract takes: 64 bytes `x ‖ y` of a secp256k1 point with
 * 0 < x < n (the ecrecover trick needs x below the group order) and y < p. The seller checks it
 * before delivering.
 */
export function isValidBuyerDeliveryKey(publicKey: BytesLike): boolean {
  return pointOfUncompressed(publicKey) !== undefined
}

function pointOfUncompressed(publicKey: BytesLike): InstanceType<typeof Point> | undefined {
  let bytes: Uint8Array
  try {
    bytes = toBytes(publicKey, 'publicKey')
  } catch {
    return undefined
  }
  if (bytes.length !== 64) return undefined
  const x = bigintOf(bytes.subarray(0, 32))
  const y = bigintOf(bytes.subarray(32))
  if (x === 0n || x >= SECP256K1_N || y >= P || (y * y - (x * x * x + 7n)) % P !== 0n) return undefined
  const point = Point.fromAffine({ x, y })
  point.assertValidity()
  return point
}

// ---------------------------------------------------------------------------------------------
// The shared value, exactly as `ecrecover` computes it
// ---------------------------------------------------------------------------------------------

/**
 * `address(k·R)` for a compressed `R`, computed as the contract does with
 * `ecrecover(0, 27 + parity, R.x, k·R.x mod n)`: the zero address when the prefix is not 02/03,
 * `R.x` is 0 or ≥ n, or no point of the curve has that x.
 */
export function sharedDeliveryAddress(secret: Uint8Array, R: BytesLike): Address {
  const k = scalarOf(secret, 'secret')
  const point = pointOfCompressed(R)
  if (!point) return ZERO_ADDRESS
  // ecrecover(0, v, x, s) = x⁻¹·(s·R) with s = k·x mod n, i.e. k·R (never infinity: R has order n, 0 < k < n)
  return addressOfPoint(point.multiply(k))
}

/** The point `R` when ecrecover would accept it (prefix 02/03, 0 < x < n, x on the curve), else undefined. */
function pointOfCompressed(R: BytesLike): InstanceType<typeof Point> | undefined {
  let bytes: Uint8Array
  try {
    bytes = toBytes(R, 'R')
  } catch {
    return undefined
  }
  if (bytes.length !== 33 || (bytes[0] !== 2 && bytes[0] !== 3)) return undefined
  const x = bigintOf(bytes.subarray(1))
  if (x === 0n || x >= SECP256K1_N) return undefined
  try {
    return Point.fromBytes(bytes)
  } catch {
    return undefined // x³ + 7 is not a square mod p
  }
}

/** Whether `R` is well formed: the contract's `deliver` refuses any other. */
export function isValidDeliveryPoint(R: BytesLike): boolean {
  return pointOfCompressed(R) !== undefined
}

/**
 * The mask XORed with the key: `keccak256(abi.encode(keccak256("ai-model-marketplace/key-delivery/v1"),
 * chainId, marketplace, orderId, R.x, parity, shared))`, parity being R's prefix byte (2 or 3).
 */
function deliveryMask(binding: DeliveryBinding, R: Uint8Array, shared: Address): Uint8Array {
  return keccak(
    DELIVERY_TAGS.mask,
    word.uint(binding.chainId, 'chainId'),
    word.address(binding.marketplace, 'marketplace'),
    word.uint(binding.orderId, 'orderId'),
    R.length === 33 ? R.subarray(1) : new Uint8Array(32),
    word.uint(R[0] ?? 0, 'R'),
    word.address(shared, 'shared'),
  )
}

/** A delivery as posted on-chain: `R` (compressed) and `c = key XOR mask`. */
export type KeyDelivery = { R: CompressedPoint; c: Hex }

/**
 * The seller's side: wraps `key` for the buyer's `B` of one order. Throws InvalidInputError
 * (`buyerPublicKey`) when `B` is not on the curve: decline such an order (the buyer is refunded).
 * `ephemeralSecret` (r) is for tests only; by default a fresh random r is used.
 */
export function wrapDeliveryKey(
  parameters: { key: Uint8Array; buyerPublicKey: BytesLike; ephemeralSecret?: Uint8Array } & DeliveryBinding,
): KeyDelivery {
  checkKey(parameters.key, 'key')
  const B = pointOfUncompressed(parameters.buyerPublicKey)
  if (!B)
    throw new InvalidInputError('buyerPublicKey', 'is not 64 bytes x ‖ y of a secp256k1 point with 0 < x < n: no key can be delivered to it', {
      hint: 'Decline the order (declineOrder) so the buyer is refunded; the buyer cannot receive a key for it.',
    })
  for (;;) {
    const r = parameters.ephemeralSecret ? scalarOf(parameters.ephemeralSecret, 'ephemeralSecret') : bigintOf(secp256k1.utils.randomSecretKey())
    const Rbytes = Point.BASE.multiply(r).toBytes(true)
    // r·B and b·R are the same point; the contract accepts only R with x < n (chance 2^-128 otherwise)
    if (!pointOfCompressed(Rbytes)) {
      if (parameters.ephemeralSecret) throw new InvalidInputError('ephemeralSecret', 'gives an R with x ≥ n')
      continue
    }
    const shared = addressOfPoint(B.multiply(r))
    const mask = deliveryMask(parameters, Rbytes, shared)
    return { R: toHex(Rbytes), c: toHex(xor32(parameters.key, mask)) }
  }
}

/**
 * The buyer's side: recovers the key from a delivery with the order's secret `b`, computing the
 * shared value exactly as the contract does (the zero address for a malformed `R`). The result is
 * whatever the seller sent: check it with {@link matchesCommitment} before use.
 */
export function unwrapDeliveryKey(parameters: { secret: Uint8Array; R: BytesLike; c: BytesLike } & DeliveryBinding): Uint8Array {
  const c = toBytes(parameters.c, 'c', 32)
  const R = toBytes(parameters.R, 'R')
  const shared = sharedDeliveryAddress(parameters.secret, R)
  return xor32(c, deliveryMask(parameters, R, shared))
}

function xor32(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(32)
  for (let i = 0; i < 32; i++) out[i] = (a[i] as number) ^ (b[i] as number)
  return out
}

function scalarOf(secret: Uint8Array, parameter: string): bigint {
  if (!(secret instanceof Uint8Array) || secret.length !== 32) throw new InvalidInputError(parameter, 'must be 32 bytes')
  const k = bigintOf(secret)
  if (k === 0n || k >= SECP256K1_N) throw new InvalidInputError(parameter, 'must be a secp256k1 scalar from 1 to n−1')
  return k
}

function checkKey(key: Uint8Array, parameter: string) {
  if (!(key instanceof Uint8Array) || key.length !== 32) throw new InvalidInputError(parameter, 'must be 32 bytes')
}
