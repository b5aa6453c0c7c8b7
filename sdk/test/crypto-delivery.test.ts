import { secp256k1 } from '@noble/curves/secp256k1.js'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { network } from 'hardhat'
import { concatHex, type Hex, hexToBigInt, numberToHex, padHex, slice } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toHex } from '../src/crypto/bytes.ts'
import {
  DELIVERY_TAGS,
  deliverySeedFromSignature,
  deliverySeedTypedData,
  deriveOrderDeliveryKey,
  generateDeliverySalt,
  generateDeliverySeed,
  isValidBuyerDeliveryKey,
  isValidDeliveryPoint,
  keyCommitment,
  matchesCommitment,
  orderDeliveryPublicKey,
  SECP256K1_N,
  sharedDeliveryAddress,
  unwrapDeliveryKey,
  wrapDeliveryKey,
  ZERO_ADDRESS,
} from '../src/crypto/delivery.ts'
import { InvalidInputError } from '../src/errors/index.ts'
import { randomBytes } from './helpers.ts'

const buyer = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')
const marketplace = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const chainId = 31337
const binding = { chainId, marketplace, orderId: 7n } as const
const fill = (byte: number) => new Uint8Array(32).fill(byte)
const P = secp256k1.Point.Fp.ORDER
const n = SECP256K1_N
const xHex = (x: bigint) => numberToHex(x, { size: 32 })

/** The EVM's own ecrecover (precompile 0x01) on Hardhat's chain: the reference for the shared value. */
let ecrecover: (hash: Hex, v: number, r: bigint, s: bigint) => Promise<Hex>
let close: () => Promise<void>
beforeAll(async () => {
  const connection = await network.connect()
  const publicClient = await connection.viem.getPublicClient()
  ecrecover = async (hash, v, r, s) => {
    const { data } = await publicClient.call({
      to: '0x0000000000000000000000000000000000000001',
      data: concatHex([hash, padHex(numberToHex(v), { size: 32 }), xHex(r), xHex(s)]),
    })
    return data && data !== '0x' ? slice(data, 12) : ZERO_ADDRESS
  }
  close = async () => connection.close?.()
})
afterAll(() => close?.())

/** What the contract computes for the proof: ecrecover(0, 27 + parity(R), R.x, b·R.x mod n), from R's raw 33 bytes. */
async function contractShared(b: Uint8Array, R: Hex): Promise<Hex> {
  const prefix = Number.parseInt(R.slice(2, 4), 16)
  const x = hexToBigInt(slice(R, 1))
  return ecrecover(xHex(0n), 27 + (prefix & 1), x, (hexToBigInt(toHex(b)) * x) % n)
}

/** An x in 1…n−1 for which x³ + 7 is not a square mod p (no point has it). */
function offCurveX(): bigint {
  for (let x = 5n; ; x++) {
    const rhs = (x ** 3n + 7n) % P
    if (secp256k1.Point.Fp.pow(rhs, (P - 1n) / 2n) !== 1n) return x
  }
}

describe('key commitment', () => {
  it('uses the contract’s tags (DeliveryMath COMMIT_TAG, MASK_TAG)', () => {
    expect(toHex(DELIVERY_TAGS.commitment)).toBe('0x01519ecdb52c0ab92545f94daa7be3c3e40125ba491c855cfe5eb6b1e0145998')
    expect(toHex(DELIVERY_TAGS.mask)).toBe('0xc3d77f3774dd0ddc3e0ca51ac3d2517992a434794ca35276030d83990f1cbf45')
  })

  it('is keccak256(tag ‖ key), and matches only that key', () => {
    const key = fill(0x11)
    expect(keyCommitment(key)).toBe(toHex(keccak_256(new Uint8Array([...DELIVERY_TAGS.commitment, ...key]))))
    expect(matchesCommitment(key, keyCommitment(key))).toBe(true)
    expect(matchesCommitment(fill(0x12), keyCommitment(key))).toBe(false)
    expect(() => keyCommitment(new Uint8Array(31))).toThrow(InvalidInputError)
  })
})

describe('buyer delivery keys', () => {
  it('derives one secret per order from one seed and the order salt, re-derivable, bound to chain, marketplace and buyer', async () => {
    const signature = await buyer.signTypedData(deliverySeedTypedData({ chainId, marketplace, account: buyer.address }))
    // a private-key account signs deterministically (RFC 6979): the seed is re-derivable
    expect(await buyer.signTypedData(deliverySeedTypedData({ chainId, marketplace, account: buyer.address }))).toBe(signature)
    const seed = deliverySeedFromSignature(signature)
    const base = { seed, chainId, marketplace, buyer: buyer.address } as const
    const salt = generateDeliverySalt()
    const one = deriveOrderDeliveryKey({ ...base, salt })
    expect(deriveOrderDeliveryKey({ ...base, salt })).toEqual(one)
    expect(orderDeliveryPublicKey(one.secret)).toBe(one.publicKey)
    expect(isValidBuyerDeliveryKey(one.publicKey)).toBe(true)
    const others = [
      deriveOrderDeliveryKey({ ...base, salt: generateDeliverySalt() }),
      deriveOrderDeliveryKey({ ...base, salt, chainId: 1 }),
      deriveOrderDeliveryKey({ ...base, salt, marketplace: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512' }),
      deriveOrderDeliveryKey({ ...base, salt, buyer: marketplace }),
      deriveOrderDeliveryKey({ ...base, salt, seed: generateDeliverySeed() }),
    ]
    for (const other of others) expect(other.publicKey).not.toBe(one.publicKey)
  })

  it('pins the derivation and the delivery bytes (vectors shared with the contract tests)', () => {
    const { secret, publicKey } = deriveOrderDeliveryKey({ seed: fill(1), salt: toHex(fill(2)), chainId, marketplace, buyer: buyer.address })
    const delivery = wrapDeliveryKey({ key: fill(0x42), buyerPublicKey: publicKey, ephemeralSecret: fill(3), ...binding })
    expect({ secret: toHex(secret), publicKey, ...delivery, commitment: keyCommitment(fill(0x42)) }).toMatchInlineSnapshot(`
      {
        "R": "0x02531fe6068134503d2723133227c867ac8fa6c83c537e9a44c3c5bdbdcb1fe337",
        "c": "0x118fa2224a994c91a3cef694390155c83e8db78209aaa4213e62b04ffbef7ada",
        "commitment": "0xaced9c278b2bf3bb22ad7235d178e6a6809f255e3ea1961de1ef2059f0cb4652",
        "publicKey": "0xfd09b0b4732871e3337038ef3a826f11d8fdb1f08ad6b16e89f372e9baf0df92cfe5ac7c2c6463462be412618876744d1b6f9061276d6d41cd172be81820c94f",
        "secret": "0x50cceb21b4aabcf6c4d6ce250d89dcbaba71035111f6a3761108eed90e5dc12b",
      }
    `)
  })

  it('rejects a B that is not on the curve, has x ≥ n, the wrong length, or a secret out of range', () => {
    const { publicKey } = deriveOrderDeliveryKey({ seed: fill(1), salt: toHex(fill(2)), chainId, marketplace, buyer: buyer.address })
    // a point of the curve with x ≥ n exists (about 2^-128 of them): the contract refuses it, so must the SDK
    const high = highPoint()
    expect(secp256k1.Point.fromAffine(high).toAffine().x).toBeGreaterThanOrEqual(n)
    const bad = [
      concatHex([xHex(high.x), xHex(high.y)]),
      concatHex([xHex(1n), xHex(1n)]),
      concatHex([slice(publicKey, 0, 32), xHex(hexToBigInt(slice(publicKey, 32)) + 1n)]),
      concatHex([xHex(0n), xHex(0n)]),
      concatHex([xHex(P), slice(publicKey, 32)]),
      slice(publicKey, 0, 63),
      concatHex(['0x04', publicKey]),
    ]
    for (const B of bad) {
      expect(isValidBuyerDeliveryKey(B)).toBe(false)
      const error = (() => {
        try {
          wrapDeliveryKey({ key: fill(1), buyerPublicKey: B, ...binding })
        } catch (e) {
          return e
        }
      })()
      expect(error).toBeInstanceOf(InvalidInputError)
      expect((error as InvalidInputError).parameter).toBe('buyerPublicKey')
      expect((error as InvalidInputError).hint).toMatch(/declineOrder/)
    }
    expect(() => orderDeliveryPublicKey(new Uint8Array(32))).toThrow(InvalidInputError)
    expect(() => orderDeliveryPublicKey(hexToBytes32(n))).toThrow(InvalidInputError)
  })
})

/** A point of the curve with n ≤ x < p. */
function highPoint(): { x: bigint; y: bigint } {
  const Fp = secp256k1.Point.Fp
  for (let x = n; ; x++) {
    const rhs = Fp.create(x ** 3n + 7n)
    if (Fp.pow(rhs, (P - 1n) / 2n) === 1n) return { x, y: Fp.sqrt(rhs) }
  }
}

const hexToBytes32 = (v: bigint) => {
  const out = new Uint8Array(32)
  for (let i = 31, r = v; i >= 0; i--, r >>= 8n) out[i] = Number(r & 0xffn)
  return out
}

describe('delivery', () => {
  it('the buyer recovers the key the seller wrapped; another order, marketplace, chain or secret recovers garbage', () => {
    const key = randomBytes(32)
    const buyerKey = deriveOrderDeliveryKey({ seed: randomBytes(32), salt: generateDeliverySalt(), chainId, marketplace, buyer: buyer.address })
    const delivery = wrapDeliveryKey({ key, buyerPublicKey: buyerKey.publicKey, ...binding })
    expect(isValidDeliveryPoint(delivery.R)).toBe(true)
    expect(unwrapDeliveryKey({ secret: buyerKey.secret, ...delivery, ...binding })).toEqual(key)
    const wrong = [
      { secret: buyerKey.secret, ...delivery, ...binding, orderId: 8n },
      { secret: buyerKey.secret, ...delivery, ...binding, chainId: 1 },
      { secret: buyerKey.secret, ...delivery, ...binding, marketplace: buyer.address },
      { secret: randomBytes(32), ...delivery, ...binding },
    ]
    for (const w of wrong) expect(matchesCommitment(unwrapDeliveryKey(w), keyCommitment(key))).toBe(false)
  })

  it('computes address(b·R) as the EVM ecrecover does, for random deliveries', async () => {
    for (let i = 0; i < 20; i++) {
      const b = deriveOrderDeliveryKey({ seed: randomBytes(32), salt: generateDeliverySalt(), chainId, marketplace, buyer: buyer.address })
      const { R } = wrapDeliveryKey({ key: randomBytes(32), buyerPublicKey: b.publicKey, ...binding })
      const shared = sharedDeliveryAddress(b.secret, R)
      expect(shared).not.toBe(ZERO_ADDRESS)
      expect(shared.toLowerCase()).toBe((await contractShared(b.secret, R)).toLowerCase())
    }
  })

  it('a malformed R gives the zero address, as ecrecover does, and the key unwraps against it', async () => {
    const b = deriveOrderDeliveryKey({ seed: fill(1), salt: toHex(fill(2)), chainId, marketplace, buyer: buyer.address })
    const good = wrapDeliveryKey({ key: fill(9), buyerPublicKey: b.publicKey, ...binding }).R
    const x = offCurveX()
    const malformed: Hex[] = [
      concatHex(['0x02', xHex(0n)]), // x = 0
      concatHex(['0x02', xHex(n)]), // x = n
      concatHex(['0x03', xHex(n + 5n)]), // n ≤ x < p
      concatHex(['0x02', xHex(x)]), // no point with this x
      concatHex(['0x03', xHex(x)]),
    ]
    for (const R of malformed) {
      expect(isValidDeliveryPoint(R)).toBe(false)
      expect(sharedDeliveryAddress(b.secret, R)).toBe(ZERO_ADDRESS)
      const xR = hexToBigInt(slice(R, 1))
      if (xR < n && xR > 0n) expect(await contractShared(b.secret, R)).toBe(ZERO_ADDRESS)
    }
    // prefixes ecrecover cannot take, and wrong lengths, are malformed too
    for (const R of [concatHex(['0x04', slice(good, 1)]), concatHex(['0x00', slice(good, 1)]), slice(good, 1), concatHex([good, '0x00'])]) {
      expect(isValidDeliveryPoint(R)).toBe(false)
      expect(sharedDeliveryAddress(b.secret, R)).toBe(ZERO_ADDRESS)
    }
    // a seller posting a malformed R sends a key anyone could compute: it is never the committed one
    const key = fill(9)
    const c = toHex(fill(0x55))
    const opened = unwrapDeliveryKey({ secret: b.secret, R: malformed[3] as Hex, c, ...binding })
    const other = deriveOrderDeliveryKey({ seed: fill(4), salt: toHex(fill(2)), chainId, marketplace, buyer: buyer.address })
    expect(unwrapDeliveryKey({ secret: other.secret, R: malformed[3] as Hex, c, ...binding })).toEqual(opened)
    expect(matchesCommitment(opened, keyCommitment(key))).toBe(false)
  })

  it('picking r, never posts an R the contract would refuse', () => {
    const b = deriveOrderDeliveryKey({ seed: fill(1), salt: toHex(fill(2)), chainId, marketplace, buyer: buyer.address })
    for (let i = 0; i < 50; i++) expect(isValidDeliveryPoint(wrapDeliveryKey({ key: fill(1), buyerPublicKey: b.publicKey, ...binding }).R)).toBe(true)
    expect(() => wrapDeliveryKey({ key: fill(1), buyerPublicKey: b.publicKey, ephemeralSecret: new Uint8Array(32), ...binding })).toThrow(InvalidInputError)
  })
})
