import type { Address, Hex } from 'viem'
import { BaseError, type BaseErrorParameters } from './base.ts'

/** Hints for the protocol's custom errors users most often hit, by error name. */
const revertHints: Record<string, string> = {
  RegistryNotModelOwner: 'Only the model’s current owner may do this; check the wallet account.',
  MarketplaceModelInactive: 'The model is delisted; its owner can relist it.',
  MarketplacePriceAboveMax: 'The price changed; quote again and retry with the new price as `maxPrice`.',
  MarketplaceWrongStatus: 'The order is not in a state that allows this; read it with `getOrders` first.',
  MarketplaceNotBuyer: 'Only the order’s buyer may do this.',
  MarketplaceNotSeller: 'Only the model’s current owner (the seller) may do this.',
  MarketplaceDeadlinePassed: 'The window for this step has closed.',
  MarketplaceDeadlineNotReached: 'Wait until the deadline has passed.',
  MarketplaceSellerCannotBuy: 'A seller cannot buy their own model.',
  MarketplaceNothingToWithdraw: 'There is nothing credited to withdraw in this token.',
  ERC20InsufficientAllowance: 'Approve the marketplace for the price first (`buyModel` does this for you).',
  ERC20InsufficientBalance: 'The wallet does not hold enough of the payment token.',
  ReputationAlreadyReviewed: 'An order can be reviewed once.',
  ReputationHandleTaken: 'Choose another handle.',
  AccessManagedUnauthorized: 'The account lacks the role this function needs (arbiter, evaluator, …).',
  EnforcedPause: 'The marketplace is paused; purchases resume when governance unpauses it.',
  MarketplacePaymentTokenMismatch: 'The seller changed the payment token: quote again and buy only if the new token suits you.',
  MarketplaceKeyCommitmentMismatch: 'The seller changed the model’s key commitment: quote again and check what evaluators attested for the new one before buying.',
  MarketplaceNoKeyCommitment: 'The model has no key commitment yet: its seller sets one (setPrice does it) before it can be bought.',
  MarketplaceInvalidBuyerKey: 'The delivery key B is not 64 bytes x ‖ y of a secp256k1 point with x below n; `buyModel` derives a valid one.',
  MarketplaceInvalidDeliveryPoint: 'The delivery point R is malformed; `deliverOrder` picks a valid one.',
  MarketplaceProofMismatch: 'The proof does not match the order’s key, delivery or commitment: check the wallet or the `deliverySeed` the order was bought with.',
  MarketplaceDeliveryNotBad: 'The delivered key matches the commitment: there is nothing to prove.',
  MarketplaceWrongDeliveryFormat: 'The order was made before provable delivery; it is delivered and disputed in the old format.',
  RegistryKeyCommitmentRequired: 'A priced model needs a key commitment; `setPrice` and `listModel` record it.',
  ReputationAlreadyReviewedModel: 'One review per buyer and model, whatever the number of orders.',
}

/**
 * A contract call reverted. `errorName` and `args` are the decoded custom error (e.g.
 * `MarketplaceWrongStatus` with `[orderId, status]`); both are undefined when the revert carried
 * no data the protocol's ABIs know.
 */
export class ContractRevertedError extends BaseError {
  override name = 'ContractRevertedError'
  readonly contract: string
  readonly functionName: string
  readonly errorName: string | undefined
  readonly args: readonly unknown[]
  /** The raw revert data, when the node returned it. */
  readonly data: Hex | undefined
  constructor(
    parameters: BaseErrorParameters & {
      contract: string
      functionName: string
      errorName?: string
      args?: readonly unknown[]
      data?: Hex
      reason?: string
    },
  ) {
    const { contract, functionName, errorName, args = [], data, reason, ...rest } = parameters
    const what = errorName ? `${errorName}(${args.map(String).join(', ')})` : (reason ?? 'without a known reason')
    super('CONTRACT_REVERTED', `${contract}.${functionName} reverted: ${what}`, {
      hint: errorName ? revertHints[errorName] : undefined,
      ...rest,
    })
    this.contract = contract
    this.functionName = functionName
    this.errorName = errorName
    this.args = args
    this.data = data
  }
}

/** The chain or the wallet failed to answer a request (network error, RPC error, a wallet fault). */
export class ChainRequestError extends BaseError {
  override name = 'ChainRequestError'
  constructor(action: string, parameters: BaseErrorParameters = {}) {
    super('CHAIN_REQUEST_FAILED', `${action} failed.`, { hint: 'Check the RPC endpoint and retry.', ...parameters })
  }
}

/** What the wallet was asked to approve. */
export type WalletRequestKind = 'signature' | 'transaction'

/**
 * The user declined a signature or a transaction in their wallet (EIP-1193 error 4001, viem's
 * `UserRejectedRequestError`): the declined request went nowhere.
 */
export class UserRejectedError extends BaseError {
  override name = 'UserRejectedError'
  readonly kind: WalletRequestKind
  /** The declined request: a contract function (`Marketplace.purchaseWithPermit`) or a signing method (`eth_signTypedData_v4`). */
  readonly request: string
  /** The SDK action that asked for it, e.g. `buyModel`. */
  readonly action: string
  constructor(kind: WalletRequestKind, request: string, action: string, parameters: BaseErrorParameters = {}) {
    super('USER_REJECTED', `You declined the ${kind} in your wallet.`, {
      metaMessages: [`Action: ${action}`, `Request: ${request}`],
      hint:
        kind === 'signature'
          ? 'Nothing was signed or sent. Try again and approve the signature in your wallet to go ahead.'
          : 'The transaction was not sent: nothing changed on-chain and nothing was paid. Try again and approve it in your wallet to go ahead.',
      ...parameters,
    })
    this.kind = kind
    this.request = request
    this.action = action
  }
}

/** The action sends a transaction or signs, and the client has no wallet (or the wallet has no account). */
export class WalletMissingError extends BaseError {
  override name = 'WalletMissingError'
  constructor(action: string) {
    super('WALLET_MISSING', `${action} needs a wallet client with an account.`, {
      hint: 'Pass `walletClient` (created with an `account`) to createMarketplaceClient.',
    })
  }
}

/** The wallet, the public client and the deployment do not all name the same chain. */
export class ChainMismatchError extends BaseError {
  override name = 'ChainMismatchError'
  readonly expectedChainId: number
  readonly actualChainId: number
  constructor(expectedChainId: number, actualChainId: number, source: string) {
    super('CHAIN_MISMATCH', `The ${source} is on chain ${actualChainId}, the deployment on chain ${expectedChainId}.`, {
      hint: `Switch the wallet to chain ${expectedChainId} or use the deployment of chain ${actualChainId}.`,
    })
    this.expectedChainId = expectedChainId
    this.actualChainId = actualChainId
  }
}

/** A mined transaction lacks the event its function always emits: the deployment does not match the SDK's ABIs. */
export class EventMissingError extends BaseError {
  override name = 'EventMissingError'
  readonly contract: string
  readonly eventName: string
  readonly hash: Hex
  constructor(contract: string, eventName: string, hash: Hex) {
    super('EVENT_MISSING', `${contract} emitted no ${eventName} event in transaction ${hash}.`, {
      hint: 'Check that the deployment file names the contracts deployed on this chain.',
    })
    this.contract = contract
    this.eventName = eventName
    this.hash = hash
  }
}

/** The price is higher than the buyer accepted (`maxPrice`), e.g. the seller repriced after the quote. */
export class PriceChangedError extends BaseError {
  override name = 'PriceChangedError'
  readonly modelId: bigint
  readonly price: bigint
  readonly maxPrice: bigint
  constructor(modelId: bigint, price: bigint, maxPrice: bigint, parameters: BaseErrorParameters = {}) {
    super('PRICE_CHANGED', `Model ${modelId} costs ${price}, more than the accepted ${maxPrice}.`, {
      hint: 'Quote again and confirm the new price with the buyer.',
      ...parameters,
    })
    this.modelId = modelId
    this.price = price
    this.maxPrice = maxPrice
  }
}

/** Why an account cannot download a model. */
export type NotLicensedReason = 'no-order' | 'not-delivered' | 'refunded'

/** The account holds no license to the model and no delivered order for it, so it has no key. */
export class NotLicensedError extends BaseError {
  override name = 'NotLicensedError'
  readonly modelId: bigint
  readonly account: Address
  readonly reason: NotLicensedReason
  constructor(modelId: bigint, account: Address, reason: NotLicensedReason) {
    const why = { 'no-order': 'has not bought it', 'not-delivered': 'has an order the seller has not delivered yet', refunded: 'was refunded' }[reason]
    super('NOT_LICENSED', `${account} cannot download model ${modelId}: it ${why}.`, {
      hint: reason === 'no-order' ? 'Buy the model first with `buyModel`.' : reason === 'not-delivered' ? 'Wait for the delivery, or refund after the delivery deadline.' : undefined,
    })
    this.modelId = modelId
    this.account = account
    this.reason = reason
  }
}

/** Why the buyer's delivery seed could not be used. */
export type DeliverySeedReason = 'not-deterministic' | 'mismatch'

/**
 * The wallet cannot re-derive the buyer's delivery seed: it signed the same message twice with two
 * different signatures (`not-deterministic`: MPC, passkey and ERC-6492 smart accounts), or the seed
 * it gives does not derive the key recorded with the order (`mismatch`: the order was bought with a
 * locally kept seed, or from another wallet). Such a buyer keeps a seed locally instead.
 */
export class DeliverySeedError extends BaseError {
  override name = 'DeliverySeedError'
  readonly reason: DeliverySeedReason
  readonly account: Address
  constructor(reason: DeliverySeedReason, account: Address, parameters: BaseErrorParameters = {}) {
    super(
      'DELIVERY_SEED',
      reason === 'not-deterministic'
        ? `The wallet of ${account} signs the same message differently each time, so it cannot re-derive its delivery keys.`
        : `The delivery seed does not derive the delivery key recorded with this order of ${account}.`,
      {
        hint:
          reason === 'not-deterministic'
            ? 'Keep a delivery seed locally: create one with `generateDeliverySeed()`, save it (and a backup) with the account, and pass it as `deliverySeed` to createMarketplaceClient. Without it the keys of your purchases could not be opened again.'
            : 'Pass the `deliverySeed` this order was bought with to createMarketplaceClient (a locally kept seed), or use the wallet that bought it.',
        ...parameters,
      },
    )
    this.reason = reason
    this.account = account
  }
}

/**
 * The key a seller delivered does not match the model's on-chain commitment: it opens nothing the
 * seller published. `proveBadDelivery({ orderId })` proves it to the contract for a full refund.
 */
export class BadDeliveryError extends BaseError {
  override name = 'BadDeliveryError'
  readonly orderId: bigint
  readonly modelId: bigint
  constructor(orderId: bigint, modelId: bigint, parameters: BaseErrorParameters = {}) {
    super('BAD_DELIVERY', `The key delivered for order ${orderId} (model ${modelId}) does not match the model's committed key.`, {
      hint: 'Call `proveBadDelivery({ orderId })`: the contract checks the proof and refunds the price in full, with no arbiter. It reveals only this order\u2019s delivery key.',
      ...parameters,
    })
    this.orderId = orderId
    this.modelId = modelId
  }
}

/** `proveBadDelivery` on a delivery whose key matches the commitment: submitting it would publish the model's key, so the SDK refuses. */
export class DeliveryNotBadError extends BaseError {
  override name = 'DeliveryNotBadError'
  readonly orderId: bigint
  constructor(orderId: bigint, parameters: BaseErrorParameters = {}) {
    super('DELIVERY_NOT_BAD', `The key delivered for order ${orderId} matches the commitment: there is nothing to prove.`, {
      hint: 'The key is good, and a proof would reveal it on-chain. If the model itself is not as described, open a dispute with `disputeOrder`.',
      ...parameters,
    })
    this.orderId = orderId
  }
}

/** Why the seller cannot deliver an order. */
export type UndeliverableReason = 'buyer-key-invalid' | 'key-not-committed'

/**
 * The seller's SDK refuses to deliver: the buyer's delivery key is not a secp256k1 point
 * (`buyer-key-invalid`: no key can reach that buyer, decline the order to refund it), or the model
 * key at hand is not the one committed on-chain (`key-not-committed`: the delivery would be provably bad).
 */
export class UndeliverableOrderError extends BaseError {
  override name = 'UndeliverableOrderError'
  readonly orderId: bigint
  readonly reason: UndeliverableReason
  constructor(orderId: bigint, reason: UndeliverableReason, parameters: BaseErrorParameters = {}) {
    super(
      'ORDER_UNDELIVERABLE',
      reason === 'buyer-key-invalid'
        ? `Order ${orderId} cannot be delivered: the buyer's delivery key is not a valid secp256k1 point.`
        : `Order ${orderId} was not delivered: the model key at hand does not match the key committed on-chain.`,
      {
        hint:
          reason === 'buyer-key-invalid'
            ? 'Decline the order with `declineOrder({ orderId })`: the buyer is refunded in full (the seller agent does this itself).'
            : 'Deliver from the wallet that listed the model, or pass the key it was listed with in `modelKeys` (from `importModelKey`). A wrong key would be refunded to the buyer and counted against you.',
        ...parameters,
      },
    )
    this.orderId = orderId
    this.reason = reason
  }
}
