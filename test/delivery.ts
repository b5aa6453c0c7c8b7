// The off-chain side of provable delivery, computed independently of the contracts with noble-curves
// (the contracts use the ecrecover precompile): keys, commitments, deliveries and their opening.
import { secp256k1 } from '@noble/curves/secp256k1'
import { type Address, type Hex, bytesToHex, encodeAbiParameters, getAddress, keccak256, toHex } from 'viem'

export const N = secp256k1.CURVE.n
export const COMMIT_TAG = keccak256(toHex('ai-model-marketplace/key-commitment/v1'))
export const MASK_TAG = keccak256(toHex('ai-model-marketplace/key-delivery/v1'))
const G = secp256k1.ProjectivePoint.BASE

/** C = keccak256(abi.encode(COMMIT_TAG, key)). */
export function commitment(key: Hex): Hex {
  return keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'bytes32' }], [COMMIT_TAG, key]))
}

/** A deterministic scalar in [1, n-1] from a label (not a key derivation: test data). */
export function scalar(label: string): bigint {
  return (BigInt(keccak256(toHex(label))) % (N - 1n)) + 1n
}

/** B = b·G as the 64 bytes x‖y the marketplace takes. */
export function buyerKey(b: bigint): Hex {
  return bytesToHex(G.multiply(b).toRawBytes(false).slice(1))
}

/** The Ethereum address of a point: the last 20 bytes of keccak256(x‖y). */
function pointAddress(point: typeof G): Address {
  return getAddress(`0x${keccak256(point.toRawBytes(false).slice(1)).slice(26)}`)
}

function mask(chainId: number, marketplace: Address, orderId: bigint, point: Hex, shared: Address): Hex {
  const x = `0x${point.slice(4)}` as Hex
  const prefix = BigInt(Number.parseInt(point.slice(2, 4), 16))
  return keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'uint256' }, { type: 'address' }, { type: 'uint256' }, { type: 'bytes32' }, { type: 'uint256' }, { type: 'address' }],
      [MASK_TAG, BigInt(chainId), marketplace, orderId, x, prefix, shared],
    ),
  )
}

const xor = (a: Hex, b: Hex): Hex => toHex(BigInt(a) ^ BigInt(b), { size: 32 })

export interface DeliveryContext {
  chainId: number
  marketplace: Address
  orderId: bigint
}

/** What the seller posts: R = r·G compressed and c = key XOR mask, with the shared address(r·B). */
export function encryptKey(context: DeliveryContext, buyer: Hex, key: Hex, r: bigint): { point: Hex; encryptedKey: Hex } {
  const B = secp256k1.ProjectivePoint.fromHex(`04${buyer.slice(2)}`)
  const point = bytesToHex(G.multiply(r).toRawBytes(true))
  const shared = pointAddress(B.multiply(r))
  return { point, encryptedKey: xor(key, mask(context.chainId, context.marketplace, context.orderId, point, shared)) }
}

/**
 * The key the buyer opens with b: c XOR mask with the shared address(b·R), or address(0) when R is
 * not 33 bytes 0x02/0x03‖x with 0 < x < n on the curve (what the contract computes).
 */
export function openKey(context: DeliveryContext, b: bigint, point: Hex, encryptedKey: Hex): Hex {
  let shared: Address = '0x0000000000000000000000000000000000000000'
  const prefix = point.slice(2, 4)
  const x = BigInt(`0x${point.slice(4)}`)
  if (point.length === 68 && (prefix === '02' || prefix === '03') && x > 0n && x < N) {
    try {
      shared = pointAddress(secp256k1.ProjectivePoint.fromHex(point.slice(2)).multiply(b))
    } catch {
      // not on the curve: address(0)
    }
  }
  return xor(encryptedKey, mask(context.chainId, context.marketplace, context.orderId, point, shared))
}
