import { CipherSuite, DhkemX25519HkdfSha256, HkdfSha256, Aes256Gcm } from '@hpke/core'
import { x25519 } from '@noble/curves/ed25519.js'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { hpkeOpen, hpkeSeal } from '../src/crypto/hpke.ts'
import {
  buyerKeyFromPrivateKey,
  buyerKeyTypedData,
  deriveBuyerKey,
  deriveModelKey,
  deriveVersionKey,
  exportModelKey,
  generateModelKey,
  importModelKey,
  modelKeyTypedData,
  unwrapKey,
  wrapKey,
} from '../src/crypto/keys.ts'
import { IntegrityError, InvalidInputError } from '../src/errors/index.ts'
import { flip, randomBytes, utf8 } from './helpers.ts'

const buyer = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')
const seller = privateKeyToAccount('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a')
const marketplace = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const registry = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512'
const chainId = 31337

describe('key derivation', () => {
  it('derives the same buyer key pair from the same wallet, a different one on another chain or marketplace', async () => {
    const typed = buyerKeyTypedData({ chainId, marketplace, account: buyer.address })
    expect(typed.message.warning).toMatch(/never sign it on any other website/)
    const a = deriveBuyerKey(await buyer.signTypedData(typed))
    const b = deriveBuyerKey(await buyer.signTypedData(typed))
    expect(a.publicKeyHex).toBe(b.publicKeyHex)
    expect(a.publicKey).toEqual(x25519.getPublicKey(a.privateKey))
    const otherChain = deriveBuyerKey(await buyer.signTypedData(buyerKeyTypedData({ chainId: 1, marketplace, account: buyer.address })))
    const otherMarket = deriveBuyerKey(await buyer.signTypedData(buyerKeyTypedData({ chainId, marketplace: registry, account: buyer.address })))
    expect(new Set([a.publicKeyHex, otherChain.publicKeyHex, otherMarket.publicKeyHex]).size).toBe(3)
  })

  it('ignores the recovery byte form (27/28 or 0/1)', async () => {
    const signature = await buyer.signTypedData(buyerKeyTypedData({ chainId, marketplace, account: buyer.address }))
    const v = Number.parseInt(signature.slice(-2), 16)
    const other: `0x${string}` = `0x${signature.slice(2, -2)}${(v >= 27 ? v - 27 : v + 27).toString(16).padStart(2, '0')}`
    expect(deriveBuyerKey(other).publicKeyHex).toBe(deriveBuyerKey(signature).publicKeyHex)
    expect(() => deriveBuyerKey('0x1234')).toThrow(InvalidInputError)
  })

  it('builds a buyer key pair from a stored secret for wallets without deterministic signatures', () => {
    const secret = randomBytes(32)
    const a = buyerKeyFromPrivateKey(secret)
    expect(a.publicKey).toEqual(x25519.getPublicKey(secret))
    expect(() => buyerKeyFromPrivateKey(new Uint8Array(31))).toThrow(InvalidInputError)
  })

  it('re-derives a seller model key bound to chain, registry and model id', async () => {
    const sign = (modelId: bigint) => seller.signTypedData(modelKeyTypedData({ chainId, registry, modelId }))
    const k1 = deriveModelKey(await sign(1n))
    expect(deriveModelKey(await sign(1n))).toEqual(k1)
    expect(deriveModelKey(await sign(2n))).not.toEqual(k1)
    expect(k1.length).toBe(32)
  })

  it('derives distinct per-version keys deterministically', () => {
    const modelKey = generateModelKey()
    expect(deriveVersionKey(modelKey, 1)).toEqual(deriveVersionKey(modelKey, 1))
    expect(deriveVersionKey(modelKey, 1)).not.toEqual(deriveVersionKey(modelKey, 2))
    expect(() => deriveVersionKey(modelKey, 0)).toThrow(InvalidInputError)
  })

  it('exports and imports a model key for a new owner, refusing damage or another model', () => {
    const modelKey = generateModelKey()
    const model = { chainId, registry, modelId: 7n } as const
    const text = exportModelKey(modelKey, model)
    expect(importModelKey(text, model).modelKey).toEqual(modelKey)
    expect(() => importModelKey(text, { ...model, modelId: 8n })).toThrow(InvalidInputError)
    const damaged = text.replace(/:([0-9a-f])/, (_, c) => `:${c === '0' ? '1' : '0'}`)
    expect(() => importModelKey(damaged)).toThrow(IntegrityError)
    expect(() => importModelKey(damaged)).toThrow(expect.objectContaining({ check: 'sha256', hint: expect.stringMatching(/^The text was changed or cut short/) }))
  })
})

describe('HPKE key wrapping', () => {
  const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() })

  it('interoperates with @hpke/core both ways (RFC 9180 base mode, X25519/HKDF-SHA256/AES-256-GCM)', async () => {
    const recipient = x25519.keygen()
    const info = utf8('interop')
    const aad = utf8('aad')
    const plaintext = randomBytes(32)
    const ours = await hpkeSeal({ recipientPublicKey: recipient.publicKey, info, plaintext, aad })
    const recipientKey = await suite.kem.importKey('raw', recipient.secretKey.slice().buffer, false)
    const opened = await suite.open({ recipientKey, enc: ours.enc, info }, ours.ciphertext, aad)
    expect(new Uint8Array(opened)).toEqual(plaintext)
    const theirs = await suite.seal({ recipientPublicKey: await suite.kem.importKey('raw', recipient.publicKey.slice().buffer, true), info }, plaintext, aad)
    const mine = await hpkeOpen({ recipientSecretKey: recipient.secretKey, enc: new Uint8Array(theirs.enc), info, ciphertext: new Uint8Array(theirs.ct), aad })
    expect(mine).toEqual(plaintext)
  })

  it('wraps a model key in 80 bytes that only the bound buyer, model, marketplace and chain open', async () => {
    const keys = deriveBuyerKey(await buyer.signTypedData(buyerKeyTypedData({ chainId, marketplace, account: buyer.address })))
    const modelKey = generateModelKey()
    const binding: { chainId: number; marketplace: `0x${string}`; modelId: bigint; buyer: `0x${string}` } = { chainId, marketplace, modelId: 42n, buyer: buyer.address }
    const wrappedKey = await wrapKey({ modelKey, recipientPublicKey: keys.publicKeyHex, ...binding })
    expect(wrappedKey.length).toBe(80)
    expect(await unwrapKey({ wrappedKey, privateKey: keys.privateKey, ...binding })).toEqual(modelKey)
    const fails = async (changes: Partial<typeof binding> & { privateKey?: Uint8Array }) => {
      const error = await unwrapKey({ wrappedKey, privateKey: keys.privateKey, ...binding, ...changes }).catch((e) => e)
      expect(error).toBeInstanceOf(IntegrityError)
      expect(error).toMatchObject({ check: 'tag', hint: expect.stringMatching(/^Check that the wallet account is the one the key was delivered to/) })
    }
    await fails({ modelId: 43n })
    await fails({ buyer: seller.address })
    await fails({ marketplace: registry })
    await fails({ chainId: 1 })
    await fails({ privateKey: randomBytes(32) })
    const flipped = flip(wrappedKey, 50)
    await expect(unwrapKey({ wrappedKey: flipped, privateKey: keys.privateKey, ...binding })).rejects.toBeInstanceOf(IntegrityError)
    await expect(wrapKey({ modelKey, recipientPublicKey: '0x00', ...binding })).rejects.toBeInstanceOf(InvalidInputError)
  })
})
