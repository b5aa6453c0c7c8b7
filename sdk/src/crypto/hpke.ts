import { x25519 } from '@noble/curves/ed25519.js'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { IntegrityError, InvalidInputError } from '../errors/storage.ts'
import { concatBytes, utf8 } from './bytes.ts'
import { aesGcm } from './primitives.ts'

/*
 * HPKE base mode (RFC 9180) with DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and AES-256-GCM
 * (suite 0x0020/0x0001/0x0002), single-shot: the only message uses sequence number 0.
 * Interoperability with @hpke/core is checked in the tests.
 */

const KEM_ID = 0x0020
const KDF_ID = 0x0001
const AEAD_ID = 0x0002
const N_SECRET = 32
const N_KEY = 32
const N_NONCE = 12
const VERSION_LABEL = utf8('HPKE-v1')
const i2osp = (value: number, length: number) => {
  const out = new Uint8Array(length)
  for (let i = length - 1, v = value; i >= 0; i--, v >>>= 8) out[i] = v & 0xff
  return out
}
const KEM_SUITE = concatBytes(utf8('KEM'), i2osp(KEM_ID, 2))
const HPKE_SUITE = concatBytes(utf8('HPKE'), i2osp(KEM_ID, 2), i2osp(KDF_ID, 2), i2osp(AEAD_ID, 2))

const extract = (salt: Uint8Array, ikm: Uint8Array) => hmac(nobleSha256, salt.length ? salt : new Uint8Array(32), ikm)
function expand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length)
  let previous = new Uint8Array(0)
  for (let i = 0, offset = 0; offset < length; i++) {
    previous = hmac(nobleSha256, prk, concatBytes(previous, info, new Uint8Array([i + 1])))
    out.set(previous.subarray(0, Math.min(previous.length, length - offset)), offset)
    offset += previous.length
  }
  return out
}
const labeledExtract = (suite: Uint8Array, salt: Uint8Array, label: string, ikm: Uint8Array) =>
  extract(salt, concatBytes(VERSION_LABEL, suite, utf8(label), ikm))
const labeledExpand = (suite: Uint8Array, prk: Uint8Array, label: string, info: Uint8Array, length: number) =>
  expand(prk, concatBytes(i2osp(length, 2), VERSION_LABEL, suite, utf8(label), info), length)

function dh(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  try {
    return x25519.getSharedSecret(secretKey, publicKey)
  } catch (cause) {
    // a low-order point would give an all-zero secret (RFC 9180 §7.1.4)
    throw new InvalidInputError('publicKey', 'not a usable X25519 public key', { cause })
  }
}

function sharedSecret(dhValue: Uint8Array, enc: Uint8Array, recipientPublicKey: Uint8Array): Uint8Array {
  const prk = labeledExtract(KEM_SUITE, new Uint8Array(0), 'eae_prk', dhValue)
  return labeledExpand(KEM_SUITE, prk, 'shared_secret', concatBytes(enc, recipientPublicKey), N_SECRET)
}

function keySchedule(shared: Uint8Array, info: Uint8Array): { key: Uint8Array; nonce: Uint8Array } {
  const empty = new Uint8Array(0)
  const context = concatBytes(
    new Uint8Array([0]), // mode_base
    labeledExtract(HPKE_SUITE, empty, 'psk_id_hash', empty),
    labeledExtract(HPKE_SUITE, empty, 'info_hash', info),
  )
  const secret = labeledExtract(HPKE_SUITE, shared, 'secret', empty)
  return {
    key: labeledExpand(HPKE_SUITE, secret, 'key', context, N_KEY),
    nonce: labeledExpand(HPKE_SUITE, secret, 'base_nonce', context, N_NONCE),
  }
}

/** Encrypts `plaintext` to `recipientPublicKey`; returns `enc` (32 bytes) and the ciphertext (+16-byte tag). */
export async function hpkeSeal(parameters: {
  recipientPublicKey: Uint8Array
  info: Uint8Array
  plaintext: Uint8Array
  aad?: Uint8Array
  /** Ephemeral secret key; only tests pass one (RFC 9180 test vectors). */
  ephemeralSecretKey?: Uint8Array
}): Promise<{ enc: Uint8Array; ciphertext: Uint8Array }> {
  const { recipientPublicKey, info, plaintext, aad } = parameters
  if (recipientPublicKey.length !== 32) throw new InvalidInputError('recipientPublicKey', 'must be 32 bytes')
  const ephemeral = parameters.ephemeralSecretKey ?? x25519.utils.randomSecretKey()
  const enc = x25519.getPublicKey(ephemeral)
  const { key, nonce } = keySchedule(sharedSecret(dh(ephemeral, recipientPublicKey), enc, recipientPublicKey), info)
  return { enc, ciphertext: concatBytes(...(await aesGcm(key).seal(nonce, plaintext, aad ?? new Uint8Array(0)))) }
}

/** Opens what {@link hpkeSeal} produced; throws IntegrityError (check `tag`) for a wrong key, info or aad. */
export async function hpkeOpen(parameters: {
  recipientSecretKey: Uint8Array
  enc: Uint8Array
  info: Uint8Array
  ciphertext: Uint8Array
  aad?: Uint8Array
}): Promise<Uint8Array> {
  const { recipientSecretKey, enc, info, ciphertext, aad } = parameters
  if (enc.length !== 32) throw new IntegrityError('tag', 'The HPKE encapsulated key must be 32 bytes.')
  const recipientPublicKey = x25519.getPublicKey(recipientSecretKey)
  const { key, nonce } = keySchedule(sharedSecret(dh(recipientSecretKey, enc), enc, recipientPublicKey), info)
  return aesGcm(key).open(nonce, ciphertext, aad ?? new Uint8Array(0))
}
