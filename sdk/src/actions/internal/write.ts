import {
  type Account,
  type Address,
  type Hash,
  type Log,
  type TransactionReceipt,
  parseEventLogs,
} from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import { BaseError } from '../../errors/base.ts'
import {
  ChainMismatchError,
  ChainRequestError,
  ContractRevertedError,
  EventMissingError,
  UserRejectedError,
  type WalletRequestKind,
  WalletMissingError,
} from '../../errors/chain.ts'
import { type ProtocolContract, abis, addressOf, allErrorsAbi } from './contracts.ts'

/** The wallet client and its account, or WalletMissingError naming the action that needed them. */
export function requireWallet(client: MarketplaceClientConfig, action: string): { walletClient: NonNullable<MarketplaceClientConfig['walletClient']>; account: Account } {
  const walletClient = client.walletClient
  const account = walletClient?.account
  if (!walletClient || !account) throw new WalletMissingError(action)
  return { walletClient, account }
}

/** The wallet's account, or WalletMissingError naming the action that needed it. */
export function requireAccount(client: MarketplaceClientConfig, action: string): Account {
  return requireWallet(client, action).account
}

/** Refuses to send anything when the wallet or the public client is on another chain than the deployment. */
export async function assertChain(client: MarketplaceClientConfig): Promise<void> {
  const expected = client.deployment.chainId
  const publicId = client.publicClient.chain?.id ?? (await call('eth_chainId', () => client.publicClient.getChainId()))
  if (publicId !== expected) throw new ChainMismatchError(expected, publicId, 'public client')
  const walletClient = client.walletClient
  if (walletClient) {
    const walletId = await call('eth_chainId', () => walletClient.getChainId())
    if (walletId !== expected) throw new ChainMismatchError(expected, walletId, 'wallet')
  }
}

type ViemErrorLike = Error & { shortMessage?: string; cause?: unknown }
type RevertedLike = ViemErrorLike & { data?: { errorName?: string; args?: readonly unknown[] }; raw?: `0x${string}`; reason?: string }

/** The first error in the cause chain named `name`. By name, not instanceof: an app may load its own copy of viem. */
function find<T extends Error>(error: unknown, name: string): T | undefined {
  for (let e = error; e instanceof Error; e = (e as ViemErrorLike).cause) if (e.name === name) return e as T
  return undefined
}

/**
 * Whether the user declined in the wallet: viem's UserRejectedRequestError or a bare EIP-1193 4001
 * anywhere in the cause chain (a wallet or transport may throw its own error).
 */
function declined(error: unknown): boolean {
  for (let e = error; e && typeof e === 'object'; e = (e as ViemErrorLike).cause)
    if ((e as Error).name === 'UserRejectedRequestError' || (e as { code?: unknown }).code === 4001) return true
  return false
}

/** A request the wallet is asked to approve, and the SDK action asking. */
export type WalletRequest = { kind: WalletRequestKind; action: string }

/** Turns anything viem or a wallet throws into one of the SDK's typed errors; `wallet` when the wallet was asked to approve. */
export function decodeError(error: unknown, contract: string, functionName: string, wallet?: WalletRequest): BaseError {
  if (error instanceof BaseError) return error
  const details = (error as ViemErrorLike)?.shortMessage
  const reverted = find<RevertedLike>(error, 'ContractFunctionRevertedError')
  if (reverted)
    return new ContractRevertedError({
      contract,
      functionName,
      errorName: reverted.data?.errorName,
      args: reverted.data?.args ?? [],
      data: reverted.raw,
      reason: reverted.reason,
      cause: error,
      details,
    })
  if (wallet && declined(error))
    return new UserRejectedError(wallet.kind, wallet.kind === 'signature' ? functionName : `${contract}.${functionName}`, wallet.action, { cause: error, details })
  return new ChainRequestError(`${contract}.${functionName}`, { cause: error, details })
}

/** Runs a chain request, decoding whatever it throws. */
export async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    throw decodeError(error, 'chain', what)
  }
}

/** Asks the wallet to sign (`method`, e.g. `eth_signTypedData_v4`) for `action`; a refusal becomes UserRejectedError. */
export async function sign<T>(action: string, method: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    throw decodeError(error, 'wallet', method, { kind: 'signature', action })
  }
}

export type ReadParameters = { contract: ProtocolContract; functionName: string; args?: readonly unknown[]; blockNumber?: bigint }

/** Reads a protocol contract; a revert comes back as ContractRevertedError. */
export async function read<T>(client: MarketplaceClientConfig, { contract, functionName, args = [], blockNumber }: ReadParameters): Promise<T> {
  try {
    return (await client.publicClient.readContract({
      address: addressOf(client, contract),
      abi: [...abis[contract], ...allErrorsAbi],
      functionName,
      args,
      blockNumber,
    } as never)) as T
  } catch (error) {
    throw decodeError(error, contract, functionName)
  }
}

export type WriteParameters = {
  contract: ProtocolContract
  functionName: string
  args: readonly unknown[]
  value?: bigint
  /** Name of the SDK action, for WalletMissingError. */
  action: string
  /** Another contract than the protocol's (a payment token), with its ABI. */
  target?: { address: Address; abi: readonly unknown[] }
}

export type WriteResult<T> = { hash: Hash; receipt: TransactionReceipt; result: T }

/**
 * Simulates, sends and awaits a transaction. Simulating first turns a revert into a decoded
 * ContractRevertedError before anything is signed or paid for.
 */
export async function write<T = unknown>(client: MarketplaceClientConfig, parameters: WriteParameters): Promise<WriteResult<T>> {
  const { contract, functionName, args, value, action, target } = parameters
  const { walletClient, account } = requireWallet(client, action)
  await assertChain(client)
  const address = target?.address ?? addressOf(client, contract)
  const abi = [...((target?.abi ?? abis[contract]) as readonly unknown[]), ...allErrorsAbi]
  const label = target ? 'token' : contract
  let request: unknown
  let result: T
  try {
    const simulation = await client.publicClient.simulateContract({ address, abi, functionName, args, value, account } as never)
    request = simulation.request
    result = simulation.result as T
  } catch (error) {
    throw decodeError(error, label, functionName)
  }
  let hash: Hash
  try {
    hash = await walletClient.writeContract({ ...(request as object), account, chain: walletClient.chain ?? null } as never)
  } catch (error) {
    throw decodeError(error, label, functionName, { kind: 'transaction', action })
  }
  const receipt = await call('eth_getTransactionReceipt', () => client.publicClient.waitForTransactionReceipt({ hash }))
  // Simulation passed but the block said no: state changed in between (another transaction came first).
  if (receipt.status === 'reverted')
    throw new ContractRevertedError({ contract: label, functionName, reason: 'the transaction reverted when mined', metaMessages: [`Transaction: ${hash}`] })
  return { hash, receipt, result }
}

/** The protocol events of one kind in a receipt's logs. */
export function eventsOf<T = Record<string, unknown>>(contract: ProtocolContract, eventName: string, logs: Log[]): T[] {
  return parseEventLogs({ abi: abis[contract], eventName, logs } as never).map((log) => (log as unknown as { args: T }).args)
}

/** The first protocol event of one kind in a mined transaction; EventMissingError when its function emitted none. */
export function eventOf<T = Record<string, unknown>>(contract: ProtocolContract, eventName: string, receipt: TransactionReceipt): T {
  const [event] = eventsOf<T>(contract, eventName, receipt.logs)
  if (event === undefined) throw new EventMissingError(contract, eventName, receipt.transactionHash)
  return event
}
