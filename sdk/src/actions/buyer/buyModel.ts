import { type Address, type Hex, parseSignature, toHex } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import { erc20PermitAbi } from '../../contracts/erc20.ts'
import { ContractRevertedError, PriceChangedError } from '../../errors/chain.ts'
import { InvalidInputError } from '../../errors/storage.ts'
import { buyerKeyPair } from '../internal/keys.ts'
import { assertAmount, assertId } from '../internal/validate.ts'
import { call, eventOf, requireAccount, requireWallet, sign, write } from '../internal/write.ts'
import type { TransactionResult, WriteErrorType } from '../types.ts'
import { quote } from './quote.ts'

export type BuyModelParameters = {
  modelId: bigint
  /**
   * The most the buyer accepts to pay (default: the price quoted now). A higher price, before or
   * after sending (a reprice front-running the purchase), fails with PriceChangedError.
   */
  maxPrice?: bigint
  /** How to let the marketplace take the price: `auto` (default) signs an EIP-2612 permit when the token supports one, else approves. */
  payment?: 'auto' | 'permit' | 'approve'
}
export type BuyModelReturnType = TransactionResult & {
  orderId: bigint
  /** What was paid (0 for a free model, licensed at once). */
  price: bigint
  token: Address
  /** How the price was authorised: `permit`, `approve`, `allowance` (enough was already approved) or `free`. */
  payment: 'permit' | 'approve' | 'allowance' | 'free'
  /** Until when the seller must deliver (unix seconds); 0 for a free model. */
  deliveryDeadline: bigint
}
export type BuyModelErrorType = WriteErrorType | PriceChangedError

/**
 * Buys a model: pays its price into escrow with the buyer's X25519 public key (derived from a
 * wallet signature, so no key file is needed), or takes a free model's license at once.
 *
 * @example
 * import { buyModel } from '@ai-model-marketplace/sdk'
 * const { price } = await quote(client, { modelId: 1n })
 * const { orderId } = await buyModel(client, { modelId: 1n, maxPrice: price })
 */
export async function buyModel(client: MarketplaceClientConfig, parameters: BuyModelParameters): Promise<BuyModelReturnType> {
  const { modelId, maxPrice, payment = 'auto' } = parameters
  assertId('modelId', modelId)
  if (!['auto', 'permit', 'approve'].includes(payment)) throw new InvalidInputError('payment', "expected 'auto', 'permit' or 'approve'")
  if (maxPrice !== undefined) assertAmount('maxPrice', maxPrice)
  const account = requireAccount(client, 'buyModel')
  const terms = await quote(client, { modelId })
  const limit = maxPrice ?? terms.price
  if (terms.price > limit) throw new PriceChangedError(modelId, terms.price, limit)

  if (terms.price === 0n) {
    const { hash, receipt, result } = await write<bigint>(client, { contract: 'Marketplace', functionName: 'claimFree', args: [modelId], action: 'buyModel' })
    return { hash, blockNumber: receipt.blockNumber, orderId: result, price: 0n, token: terms.token, payment: 'free', deliveryDeadline: 0n }
  }

  const { publicKey } = await buyerKeyPair(client)
  const buyerPublicKey = toHex(publicKey)
  const marketplace = client.deployment.contracts.Marketplace.address
  const allowance = await call('allowance', () =>
    client.publicClient.readContract({ address: terms.token, abi: erc20PermitAbi, functionName: 'allowance', args: [account.address, marketplace] }),
  )
  let used: BuyModelReturnType['payment'] = 'allowance'
  let send = () => write(client, { contract: 'Marketplace', functionName: 'purchase', args: [modelId, limit, buyerPublicKey], action: 'buyModel' })
  if (allowance < terms.price) {
    const permit = payment === 'approve' ? undefined : await signPermit(client, terms.token, marketplace, terms.price)
    if (!permit && payment === 'permit') throw new InvalidInputError('payment', `the payment token ${terms.token} does not support EIP-2612 permits`)
    if (permit) {
      used = 'permit'
      send = () =>
        write(client, {
          contract: 'Marketplace',
          functionName: 'purchaseWithPermit',
          args: [modelId, limit, buyerPublicKey, permit.deadline, permit.v, permit.r, permit.s],
          action: 'buyModel',
        })
    } else {
      used = 'approve'
      await write(client, {
        contract: 'Marketplace',
        target: { address: terms.token, abi: erc20PermitAbi },
        functionName: 'approve',
        args: [marketplace, terms.price],
        action: 'buyModel',
      })
    }
  }
  try {
    const { hash, receipt } = await send()
    const created = eventOf<{ orderId: bigint; amount: bigint; deliveryDeadline: bigint }>('Marketplace', 'OrderCreated', receipt)
    return { hash, blockNumber: receipt.blockNumber, orderId: created.orderId, price: created.amount, token: terms.token, payment: used, deliveryDeadline: created.deliveryDeadline }
  } catch (error) {
    if (error instanceof ContractRevertedError && error.errorName === 'MarketplacePriceAboveMax') {
      const [, price, max] = error.args as [bigint, bigint, bigint]
      throw new PriceChangedError(modelId, price, max, { cause: error })
    }
    throw error
  }
}

/** Signs an EIP-2612 permit for `value`, or returns undefined when the token has no EIP-5267 domain and nonces. */
async function signPermit(client: MarketplaceClientConfig, token: Address, spender: Address, value: bigint) {
  const { walletClient, account } = requireWallet(client, 'buyModel')
  let domain: readonly unknown[]
  let nonce: bigint
  try {
    ;[domain, nonce] = await Promise.all([
      client.publicClient.readContract({ address: token, abi: erc20PermitAbi, functionName: 'eip712Domain' }),
      client.publicClient.readContract({ address: token, abi: erc20PermitAbi, functionName: 'nonces', args: [account.address] }),
    ])
  } catch {
    return undefined // not an EIP-2612 token: fall back to approve
  }
  const [, name, version, chainId, verifyingContract] = domain as [Hex, string, string, bigint, Address]
  const block = await call('eth_getBlockByNumber', () => client.publicClient.getBlock())
  // Chain time, not the local clock: test chains and wallets' clocks drift apart.
  const deadline = block.timestamp + 3600n
  const signature = await sign('buyModel', 'eth_signTypedData_v4', () =>
    walletClient.signTypedData({
      account,
      domain: { name, version, chainId, verifyingContract },
      types: {
        Permit: [
          { name: 'owner', type: 'address' },
          { name: 'spender', type: 'address' },
          { name: 'value', type: 'uint256' },
          { name: 'nonce', type: 'uint256' },
          { name: 'deadline', type: 'uint256' },
        ],
      },
      primaryType: 'Permit',
      message: { owner: account.address, spender, value, nonce, deadline },
    }),
  )
  const { r, s, v, yParity } = parseSignature(signature)
  return { deadline, r, s, v: Number(v ?? BigInt(yParity + 27)) }
}
