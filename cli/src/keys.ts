// Keys: an encrypted keystore file (Web3 Secret Storage v3, scrypt + AES-128-CTR, read and written
// by ethers) or AMM_PRIVATE_KEY. A key is never a flag, so it never lands in shell history.
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { type Address, getAddress, type Hex, type LocalAccount } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { CliError, exitCodes } from './errors.ts'
import { readHidden, readStdin } from './prompt.ts'

const noKeyHint = 'create one with `amm key new`, import one with `amm key import`, or set AMM_PRIVATE_KEY'

function parsePrivateKey(text: string, source: string): Hex {
  const key = text.trim().replace(/^(0x)?/, '0x')
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new CliError('BAD_KEY', `${source} is not a 32-byte hex private key`, { hint: 'expected 64 hex digits, with or without 0x', exitCode: exitCodes.SETUP })
  return key as Hex
}

/** The keystore's address, read without the password (the file stores it in the clear). */
export function keystoreAddress(path: string): Address {
  if (!existsSync(path)) throw new CliError('NO_KEY', `no keystore at ${path}`, { hint: noKeyHint, exitCode: exitCodes.SETUP })
  const json = JSON.parse(readFileSync(path, 'utf8')) as { address?: string }
  if (typeof json.address !== 'string') throw new CliError('BAD_KEYSTORE', `${path} is not a keystore file`, { exitCode: exitCodes.SETUP })
  return getAddress(json.address.replace(/^(0x)?/, '0x'))
}

/** The password: AMM_PASSWORD_FILE, AMM_PASSWORD, else asked on the terminal (twice when `confirm`). */
async function password(purpose: string, confirm: boolean): Promise<string> {
  if (process.env.AMM_PASSWORD_FILE) return (await readFile(process.env.AMM_PASSWORD_FILE, 'utf8')).replace(/\r?\n$/, '')
  if (process.env.AMM_PASSWORD) return process.env.AMM_PASSWORD
  if (!process.stdin.isTTY)
    throw new CliError('NO_PASSWORD', `a password is needed to ${purpose}`, { hint: 'run in a terminal, or set AMM_PASSWORD_FILE (a file holding it) or AMM_PASSWORD', exitCode: exitCodes.SETUP })
  const first = await readHidden('Keystore password: ')
  if (confirm) {
    if (first.length < 8) throw new CliError('WEAK_PASSWORD', 'the password must have at least 8 characters', { exitCode: exitCodes.USAGE })
    if ((await readHidden('Repeat it: ')) !== first) throw new CliError('PASSWORD_MISMATCH', 'the two passwords differ', { exitCode: exitCodes.USAGE })
  }
  return first
}

async function writeKeystore(path: string, privateKey: Hex): Promise<Address> {
  if (existsSync(path)) throw new CliError('KEYSTORE_EXISTS', `${path} already holds a key`, { hint: 'pass --keystore <another file>, or move that file away first', exitCode: exitCodes.USAGE })
  const secret = await password('encrypt the key', true)
  const { Wallet } = await import('ethers')
  const json = await new Wallet(privateKey).encrypt(secret)
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const temp = `${path}.${process.pid}.tmp`
  await writeFile(temp, json, { mode: 0o600, flag: 'wx' })
  await rename(temp, path)
  return keystoreAddress(path)
}

/** `amm key new`: a random key, encrypted into `path`. */
export async function newKey(path: string) {
  const { randomBytes } = await import('node:crypto')
  return writeKeystore(path, `0x${randomBytes(32).toString('hex')}`)
}

/** `amm key import`: a private key read from stdin (hidden on a terminal), encrypted into `path`. */
export async function importKey(path: string) {
  const text = process.stdin.isTTY ? await readHidden('Private key (hex): ') : await readStdin()
  return writeKeystore(path, parsePrivateKey(text, 'the key read from stdin'))
}

/** The signing account: AMM_PRIVATE_KEY, else the keystore (decrypted with its password). */
export async function loadAccount(keystore: string): Promise<LocalAccount> {
  if (process.env.AMM_PRIVATE_KEY) return privateKeyToAccount(parsePrivateKey(process.env.AMM_PRIVATE_KEY, 'AMM_PRIVATE_KEY'))
  if (!existsSync(keystore)) throw new CliError('NO_KEY', 'no key to sign with', { hint: noKeyHint, exitCode: exitCodes.SETUP })
  const json = await readFile(keystore, 'utf8')
  const secret = await password(`decrypt ${keystore}`, false)
  const { decryptKeystoreJson } = await import('ethers')
  const decrypted = await decryptKeystoreJson(json, secret).catch((cause) => {
    throw new CliError('WRONG_PASSWORD', `cannot decrypt ${keystore}: ${(cause as Error).message.split(' (')[0]}`, { hint: 'check the password (AMM_PASSWORD / AMM_PASSWORD_FILE)', exitCode: exitCodes.SETUP, cause })
  })
  return privateKeyToAccount(decrypted.privateKey as Hex)
}

/** The account's address without decrypting anything, when only reads need it. */
export function accountAddress(keystore: string): Address {
  if (process.env.AMM_PRIVATE_KEY) return privateKeyToAccount(parsePrivateKey(process.env.AMM_PRIVATE_KEY, 'AMM_PRIVATE_KEY')).address
  return keystoreAddress(keystore)
}
