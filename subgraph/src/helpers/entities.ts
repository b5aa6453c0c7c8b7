/** Get-or-create helpers for the shared entities and the fields every event entity carries. */
import { Address, Bytes, Entity, Value, ethereum } from "@graphprotocol/graph-ts";
import { ERC20 } from "../../generated/ModelRegistry/ERC20";
import { Account, PaymentToken, Protocol } from "../../generated/schema";
import { PROTOCOL_ID, ZERO_BD, ZERO_BI } from "./constants";
import { countInMarket } from "./stats";

/** Sets the block, timestamp, transaction and log index every event entity has. */
export function stamp(entity: Entity, event: ethereum.Event): void {
  entity.set("blockNumber", Value.fromBigInt(event.block.number));
  entity.set("blockTimestamp", Value.fromBigInt(event.block.timestamp));
  entity.set("transactionHash", Value.fromBytes(event.transaction.hash));
  entity.set("logIndex", Value.fromBigInt(event.logIndex));
}

/** The singleton with global totals; created with the contracts' defaults of zero. */
export function getProtocol(): Protocol {
  let protocol = Protocol.load(PROTOCOL_ID);
  if (protocol != null) return protocol;
  protocol = new Protocol(PROTOCOL_ID);
  protocol.modelCount = 0;
  protocol.activeModelCount = 0;
  protocol.versionCount = 0;
  protocol.accountCount = 0;
  protocol.orderCount = 0;
  protocol.openOrderCount = 0;
  protocol.licensedOrderCount = 0;
  protocol.refundedOrderCount = 0;
  protocol.freeClaimCount = 0;
  protocol.disputeCount = 0;
  protocol.openDisputeCount = 0;
  protocol.reviewCount = 0;
  protocol.evaluationCount = 0;
  protocol.evaluationRequestCount = 0;
  protocol.feeBps = 0;
  protocol.deliveryWindow = 0;
  protocol.disputeWindow = 0;
  protocol.rulingWindow = 0;
  protocol.arbitrationCost = ZERO_BI;
  protocol.evaluationRequestWindow = 0;
  protocol.marketplacePaused = false;
  protocol.platformTokenSupply = ZERO_BI;
  protocol.platformTokenHolderCount = 0;
  return protocol;
}

/** Adds `by` to an Int counter of the protocol and saves it at once (never hold a Protocol across calls). */
export function countInProtocol(field: string, by: i32): void {
  let protocol = getProtocol();
  protocol.setI32(field, protocol.getI32(field) + by);
  protocol.save();
}

/** The account of `address`; a new one counts as a new account of the protocol and of the day. */
export function getOrCreateAccount(address: Bytes, event: ethereum.Event): Account {
  let account = Account.load(address);
  if (account != null) return account;
  account = new Account(address);
  account.modelCount = 0;
  account.modelsListedCount = 0;
  account.purchaseCount = 0;
  account.licensedPurchaseCount = 0;
  account.salesCount = 0;
  account.reviewsGivenCount = 0;
  account.reviewsReceivedCount = 0;
  account.sellerRatingSum = 0;
  account.sellerRatingCount = 0;
  account.sellerRatingAverage = ZERO_BD;
  account.disputesWon = 0;
  account.disputesLost = 0;
  account.disputesSplit = 0;
  account.badDeliveryCount = 0;
  account.platformTokenBalance = ZERO_BI;
  account.votes = ZERO_BI;
  account.firstSeenAt = event.block.timestamp;
  account.firstSeenBlock = event.block.number;
  account.save();
  countInProtocol("accountCount", 1);
  countInMarket(event, "newAccountCount", 1);
  return account;
}

/** The payment token at `address`, its metadata read from the chain when first seen. */
export function getOrCreatePaymentToken(address: Bytes): PaymentToken {
  let token = PaymentToken.load(address);
  if (token != null) return token;
  token = new PaymentToken(address);
  // Any ERC-20 may be allowed; tolerate tokens without the optional metadata functions.
  let contract = ERC20.bind(Address.fromBytes(address));
  let symbol = contract.try_symbol();
  if (!symbol.reverted) token.symbol = symbol.value;
  let name = contract.try_name();
  if (!name.reverted) token.name = name.value;
  let decimals = contract.try_decimals();
  if (!decimals.reverted) token.decimals = decimals.value;
  token.allowed = false;
  let platformToken = getProtocol().platformToken;
  token.isPlatformToken = platformToken !== null && platformToken.equals(address);
  token.orderCount = 0;
  token.volume = ZERO_BI;
  token.settledVolume = ZERO_BI;
  token.fees = ZERO_BI;
  token.sellerRevenue = ZERO_BI;
  token.refunded = ZERO_BI;
  token.escrowed = ZERO_BI;
  token.save();
  return token;
}
