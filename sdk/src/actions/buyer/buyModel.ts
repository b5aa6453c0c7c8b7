import { type Address, type Hex, parseSignature } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import { erc20PermitAbi } from '../../contracts/erc20.ts'
import { ContractRevertedError, type DeliverySeedError, PriceChangedError } from '../../errors/chain.ts'
import { InvalidInputError } from '../../errors/storage.ts'
import { newOrderDeliveryKey } from '../internal/keys.ts'
import { assertAddress, assertAmount, assertId } from '../internal/validate.ts'
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
  /**
   * The ERC-20 the buyer expects to pay in (default: the model's token quoted now). The purchase
   * names it, so a seller switching the token in front of it makes it revert
   * (`MarketplacePaymentTokenMismatch`) instead of charging another token.
   */
  paymentToken?: Address
  /**
   * The model's key commitment the buyer saw, e.g. where an evaluator attested that it opens the
   * version (default: the one quoted now). The purchase names it, so a seller changing the
   * commitment in front of it makes it revert (`MarketplaceKeyCommitmentMismatch`).
   */
  keyCommitment?: Hex
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
  /** The order's delivery key `B` (64 bytes `x ‖ y`) and the salt its secret derives with (empty for a free model). */
  buyerKey: Hex
  keySalt: Hex
}
export type BuyModelErrorType = WriteErrorType | PriceChangedError | DeliverySeedError

/**
 * Buys a model: pays its price into escrow in the token it names, with a per-order delivery key
 * `B = b·G` and a random salt. `b` derives from the buyer's delivery seed (from a wallet signature,
 * so no key file is needed; the wallet signs twice the first time, and one whose two signatures
 * differ gets DeliverySeedError `not-deterministic`: pass a locally kept `deliverySeed` to the
 * client instead) and the salt, so revealing it opens this order only. Takes a free model's
 * license at once.
 *
 * @example
 * import { buyModel } from '@ai-model-marketplace/sdk'
 * const { price } = await quote(client, { modelId: 1n })
 * const { orderId } = await buyModel(client, { modelId: 1n, maxPrice: price })
 */
export async function buyModel(client: MarketplaceClientConfig, parameters: BuyModelParameters): Promise<BuyModelReturnType> {
  const { modelId, maxPrice, payment = 'auto', paymentToken, keyCommitment: expectedCommitment } = parameters
  assertId('modelId', modelId)
  if (paymentToken !== undefined) assertAddress('paymentToken', paymentToken)
  if (expectedCommitment !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(expectedCommitment))
    throw new InvalidInputError('keyCommitment', 'expected 32 bytes as 0x-prefixed hex')
  if (!['auto', 'permit', 'approve'].includes(payment)) throw new InvalidInputError('payment', "expected 'auto', 'permit' or 'approve'")
  if (maxPrice !== undefined) assertAmount('maxPrice', maxPrice)
  const account = requireAccount(client, 'buyModel')
  const terms = await quote(client, { modelId })
  const limit = maxPrice ?? terms.price
  if (terms.price > limit) throw new PriceChangedError(modelId, terms.price, limit)
  const token = paymentToken ?? terms.token
  // Checked before anything is signed; the contract checks again when the purchase is mined.
  if (token.toLowerCase() !== terms.token.toLowerCase())
    throw new ContractRevertedError({
      contract: 'Marketplace',
      functionName: 'purchase',
      errorName: 'MarketplacePaymentTokenMismatch',
      args: [modelId, terms.token, token],
      details: `Model ${modelId} is priced in ${terms.token}, not in ${token}.`,
    })
  const keyCommitment = expectedCommitment ?? terms.keyCommitment
  if (terms.price !== 0n && keyCommitment.toLowerCase() !== terms.keyCommitment.toLowerCase())
    throw new ContractRevertedError({
      contract: 'Marketplace',
      functionName: 'purchase',
      errorName: 'MarketplaceKeyCommitmentMismatch',
      args: [modelId, terms.keyCommitment, keyCommitment],
      details: `Model ${modelId} now commits to key ${terms.keyCommitment}, not ${keyCommitment}: check what was attested for the new one before buying.`,
    })

  if (terms.price === 0n) {
    const { hash, receipt, result } = await write<bigint>(client, { contract: 'Marketplace', functionName: 'claimFree', args: [modelId], action: 'buyModel' })
    return { hash, blockNumber: receipt.blockNumber, orderId: result, price: 0n, token: terms.token, payment: 'free', deliveryDeadline: 0n, buyerKey: '0x', keySalt: '0x' }
  }

  const { publicKey: buyerKey, salt: keySalt } = await newOrderDeliveryKey(client, 'buyModel')
  const marketplace = client.deployment.contracts.Marketplace.address
  const allowance = await call('allowance', () =>
    client.publicClient.readContract({ address: token, abi: erc20PermitAbi, functionName: 'allowance', args: [account.address, marketplace] }),
  )
  let used: BuyModelReturnType['payment'] = 'allowance'
  let send = () => write(client, { contract: 'Marketplace', functionName: 'purchase', args: [modelId, token, limit, keyCommitment, buyerKey, keySalt], action: 'buyModel' })
  if (allowance < terms.price) {
    const permit = payment === 'approve' ? undefined : await signPermit(client, token, marketplace, terms.price)
    if (!permit && payment === 'permit') throw new InvalidInputError('payment', `the payment token ${token} does not support EIP-2612 permits`)
    if (permit) {
      used = 'permit'
      send = () =>
        write(client, {
          contract: 'Marketplace',
          functionName: 'purchaseWithPermit',
          args: [modelId, token, limit, keyCommitment, buyerKey, keySalt, permit.deadline, permit.v, permit.r, permit.s],
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
    return {
      hash,
      blockNumber: receipt.blockNumber,
      orderId: created.orderId,
      price: created.amount,
      token: terms.token,
      payment: used,
      deliveryDeadline: created.deliveryDeadline,
      buyerKey,
      keySalt,
    }
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
