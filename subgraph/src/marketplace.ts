/** Marketplace: orders and their escrow, licenses, disputes (ERC-792/1497 side), payouts, parameters. */
import { BigInt, Bytes, ethereum } from "@graphprotocol/graph-ts";
import {
  ArbitratorChanged as ArbitratorChangedEvent,
  AuthorityUpdated,
  Dispute as DisputeEvent,
  DisputeNotCancelled as DisputeNotCancelledEvent,
  DisputeResolved as DisputeResolvedEvent,
  Evidence as EvidenceEvent,
  FeeChanged as FeeChangedEvent,
  Initialized,
  LicenseGranted as LicenseGrantedEvent,
  MetaEvidence as MetaEvidenceEvent,
  OrderCompleted as OrderCompletedEvent,
  OrderCreated as OrderCreatedEvent,
  OrderDelivered as OrderDeliveredEvent,
  OrderDeliveredWrapped as OrderDeliveredWrappedEvent,
  OrderDisputed as OrderDisputedEvent,
  OrderRefunded as OrderRefundedEvent,
  OrderSettled as OrderSettledEvent,
  Paused,
  PayoutCredited as PayoutCreditedEvent,
  PayoutWithdrawn as PayoutWithdrawnEvent,
  ReputationNotRecorded as ReputationNotRecordedEvent,
  Ruling,
  SettlementOffered as SettlementOfferedEvent,
  TreasuryChanged as TreasuryChangedEvent,
  Unpaused,
  Upgraded,
  WindowsChanged as WindowsChangedEvent,
} from "../generated/Marketplace/Marketplace";
import {
  ArbitratorChanged,
  ArbitratorDispute,
  Dispute,
  DisputeCreated,
  DisputeNotCancelled,
  DisputeResolved,
  Evidence,
  FeeChanged,
  License,
  LicenseGranted,
  MetaEvidence,
  Model,
  Order,
  OrderCompleted,
  OrderCreated,
  OrderDelivered,
  OrderDeliveredWrapped,
  OrderDisputed,
  OrderRefunded,
  OrderSettled,
  Payout,
  PayoutCredited,
  PayoutWithdrawn,
  ReputationNotRecorded,
  RulingGiven,
  SettlementOffered,
  TreasuryChanged,
  WindowsChanged,
} from "../generated/schema";
import {
  MARKETPLACE,
  STATUS_COMPLETED,
  STATUS_CREATED,
  STATUS_DELIVERED,
  STATUS_DISPUTED,
  STATUS_REFUNDED,
  STATUS_RESOLVED,
  ZERO_BI,
} from "./helpers/constants";
import { countInProtocol, getOrCreateAccount, getOrCreatePaymentToken, getProtocol, stamp } from "./helpers/entities";
import { arbitratorDisputeId, eventId, versionId } from "./helpers/ids";
import { recordAuthorityUpdated, recordInitialized, recordPauseChanged, recordUpgraded } from "./helpers/lifecycle";
import { addTokenAmount, countInMarket, countPaidSale, countTokenOrder, modelDay } from "./helpers/stats";

const REFUND_REASONS = ["DeliveryTimeout", "SellerDeclined", "Ruling", "BadDelivery", "Settlement"];

function loadOrder(orderId: BigInt): Order {
  return Order.load(orderId.toString())!;
}

/** Moves an order out of escrow: counted as closed whatever its end. */
function closeOrder(event: ethereum.Event, order: Order, status: string): void {
  order.status = status;
  order.closedAt = event.block.timestamp;
  order.updatedAt = event.block.timestamp;
  countInProtocol("openOrderCount", -1);
}

/**
 * Counts a licensed order (Completed or Resolved): the seller's revenue, the buyer's spending, the
 * model's sales, the token's settled volume and fees, in totals and in the day and hour buckets.
 */
function settle(event: ethereum.Event, order: Order, seller: Bytes, sellerProceeds: BigInt, fee: BigInt): void {
  let paid = sellerProceeds.plus(fee);
  order.seller = seller;
  order.sellerProceeds = sellerProceeds;
  order.fee = fee;

  let sellerAccount = getOrCreateAccount(seller, event);
  sellerAccount.salesCount += 1;
  sellerAccount.save();
  let buyer = getOrCreateAccount(order.buyer, event);
  buyer.licensedPurchaseCount += 1;
  buyer.save();

  let model = Model.load(order.model)!;
  model.salesCount += 1;
  if (!order.isFree) model.paidSalesCount += 1;
  model.save();
  let day = modelDay(event, model);
  day.salesCount += 1;
  day.save();
  // Money is kept per token: a model repriced into another token, or a seller paid in several, never adds two tokens' units.
  if (!order.isFree) countPaidSale(day, order.token, seller, order.buyer, sellerProceeds, paid);

  countInProtocol("licensedOrderCount", 1);
  if (order.isFree) countInProtocol("freeClaimCount", 1);
  countInMarket(event, "salesCount", 1);
  if (!order.isFree) {
    addTokenAmount(event, order.token, "settledVolume", paid);
    addTokenAmount(event, order.token, "fees", fee);
    addTokenAmount(event, order.token, "sellerRevenue", sellerProceeds);
    addEscrow(order.token, paid.neg());
  }
}

function addEscrow(token: Bytes, delta: BigInt): void {
  let total = getOrCreatePaymentToken(token);
  total.escrowed = total.escrowed.plus(delta);
  total.save();
}

/** Counts money returned to the buyer (a full refund, or the buyer's share of a split). */
function refundToBuyer(event: ethereum.Event, order: Order, amount: BigInt): void {
  order.buyerRefund = order.buyerRefund.plus(amount);
  if (amount.isZero()) return;
  addTokenAmount(event, order.token, "refunded", amount);
  addEscrow(order.token, amount.neg());
}

export function handleOrderCreated(event: OrderCreatedEvent): void {
  let buyer = getOrCreateAccount(event.params.buyer, event);
  if (buyer.purchaseCount == 0) {
    buyer.firstPurchaseAt = event.block.timestamp;
    countInMarket(event, "newBuyerCount", 1);
  }
  buyer.purchaseCount += 1;
  buyer.save();
  let seller = getOrCreateAccount(event.params.seller, event);
  let token = getOrCreatePaymentToken(event.params.token);

  let order = new Order(event.params.orderId.toString());
  order.orderId = event.params.orderId;
  order.model = event.params.modelId.toString();
  order.buyer = buyer.id;
  order.seller = seller.id;
  order.status = STATUS_CREATED;
  order.token = token.id;
  order.amount = event.params.amount;
  order.quotedFee = event.params.fee;
  order.fee = ZERO_BI;
  order.sellerProceeds = ZERO_BI;
  order.buyerRefund = ZERO_BI;
  order.isFree = event.params.amount.isZero();
  order.version = event.params.version.toI32();
  if (order.version > 0) order.modelVersion = versionId(event.params.modelId, order.version);
  order.buyerKey = event.params.buyerKey;
  order.keySalt = event.params.keySalt;
  order.keyCommitment = event.params.keyCommitment;
  order.badDeliveryProven = false;
  order.settledByParties = false;
  order.deliveryDeadline = event.params.deliveryDeadline;
  order.createdAt = event.block.timestamp;
  order.createdAtBlock = event.block.number;
  order.updatedAt = event.block.timestamp;
  order.transactionHash = event.transaction.hash;
  order.save();

  let model = Model.load(order.model)!;
  model.orderCount += 1;
  model.save();
  let day = modelDay(event, model);
  day.orderCount += 1;
  day.save();

  countInProtocol("orderCount", 1);
  countInProtocol("openOrderCount", 1);
  countInMarket(event, "orderCount", 1);
  if (!order.isFree) {
    countTokenOrder(event, token.id);
    addTokenAmount(event, token.id, "volume", order.amount);
    addEscrow(token.id, order.amount);
  }

  let entity = new OrderCreated(eventId(event));
  entity.order = order.id;
  entity.model = order.model;
  entity.buyer = buyer.id;
  entity.seller = seller.id;
  entity.token = token.id;
  entity.amount = event.params.amount;
  entity.fee = event.params.fee;
  entity.version = order.version;
  entity.buyerKey = event.params.buyerKey;
  entity.keySalt = event.params.keySalt;
  entity.keyCommitment = event.params.keyCommitment;
  entity.deliveryDeadline = event.params.deliveryDeadline;
  stamp(entity, event);
  entity.save();
}

function markDelivered(event: ethereum.Event, order: Order, disputeDeadline: BigInt): void {
  order.status = STATUS_DELIVERED;
  order.disputeDeadline = disputeDeadline;
  order.deliveredAt = event.block.timestamp;
  order.updatedAt = event.block.timestamp;
  order.save();
}

export function handleOrderDelivered(event: OrderDeliveredEvent): void {
  let order = loadOrder(event.params.orderId);
  order.deliveryPoint = event.params.deliveryPoint;
  order.encryptedKey = event.params.encryptedKey;
  markDelivered(event, order, event.params.disputeDeadline);

  let entity = new OrderDelivered(eventId(event));
  entity.order = order.id;
  entity.seller = getOrCreateAccount(event.params.seller, event).id;
  entity.deliveryPoint = event.params.deliveryPoint;
  entity.encryptedKey = event.params.encryptedKey;
  entity.disputeDeadline = event.params.disputeDeadline;
  stamp(entity, event);
  entity.save();
}

/** An order made before provable delivery, delivered in the old format. */
export function handleOrderDeliveredWrapped(event: OrderDeliveredWrappedEvent): void {
  let order = loadOrder(event.params.orderId);
  order.wrappedKey = event.params.wrappedKey;
  markDelivered(event, order, event.params.disputeDeadline);

  let entity = new OrderDeliveredWrapped(eventId(event));
  entity.order = order.id;
  entity.wrappedKey = event.params.wrappedKey;
  entity.disputeDeadline = event.params.disputeDeadline;
  stamp(entity, event);
  entity.save();
}

/** A dispute that ends without a ruling (a proven bad delivery, a settlement by the parties): cancelled at the arbitrator. */
function closeDispute(event: ethereum.Event, order: Order): void {
  if (order.dispute == null) return;
  let dispute = Dispute.load(order.dispute!)!;
  if (dispute.status != "Open") return;
  dispute.status = "Cancelled";
  dispute.resolvedAt = event.block.timestamp;
  dispute.save();
  countInProtocol("openDisputeCount", -1);
}

export function handleSettlementOffered(event: SettlementOfferedEvent): void {
  let order = loadOrder(event.params.orderId);
  let party = getOrCreateAccount(event.params.party, event);
  if (party.id.equals(order.buyer)) order.buyerSettlementOfferBps = event.params.buyerShareBps;
  else order.sellerSettlementOfferBps = event.params.buyerShareBps;
  order.updatedAt = event.block.timestamp;
  order.save();

  let entity = new SettlementOffered(eventId(event));
  entity.order = order.id;
  entity.party = party.id;
  entity.buyerShareBps = event.params.buyerShareBps;
  stamp(entity, event);
  entity.save();
}

/**
 * The parties settled. A full refund (10000 bps) is counted by its OrderRefunded (reason Settlement);
 * any other share licenses the buyer, like a split ruling.
 */
export function handleOrderSettled(event: OrderSettledEvent): void {
  let order = loadOrder(event.params.orderId);
  order.settledByParties = true;
  closeDispute(event, order);
  if (event.params.buyerShareBps != 10000) {
    let owner = Model.load(order.model)!.owner;
    closeOrder(event, order, STATUS_RESOLVED);
    settle(event, order, owner, event.params.sellerProceeds, event.params.fee);
    refundToBuyer(event, order, event.params.buyerRefund);
  }
  order.save();

  let entity = new OrderSettled(eventId(event));
  entity.order = order.id;
  entity.buyerShareBps = event.params.buyerShareBps;
  entity.buyerRefund = event.params.buyerRefund;
  entity.sellerProceeds = event.params.sellerProceeds;
  entity.fee = event.params.fee;
  stamp(entity, event);
  entity.save();
}

export function handleOrderCompleted(event: OrderCompletedEvent): void {
  let order = loadOrder(event.params.orderId);
  closeOrder(event, order, STATUS_COMPLETED);
  // A free claim completes at once: there was nothing to confirm.
  if (!order.isFree) order.confirmedByBuyer = event.params.confirmedByBuyer;
  settle(event, order, event.params.seller, event.params.sellerProceeds, event.params.fee);
  order.save();

  let entity = new OrderCompleted(eventId(event));
  entity.order = order.id;
  entity.seller = order.seller;
  entity.sellerProceeds = event.params.sellerProceeds;
  entity.fee = event.params.fee;
  entity.confirmedByBuyer = event.params.confirmedByBuyer;
  stamp(entity, event);
  entity.save();
}

export function handleOrderRefunded(event: OrderRefundedEvent): void {
  let order = loadOrder(event.params.orderId);
  let reason = REFUND_REASONS[event.params.reason];
  closeOrder(event, order, STATUS_REFUNDED);
  order.refundReason = reason;
  refundToBuyer(event, order, event.params.amount);
  let model = Model.load(order.model)!;
  // The buyer proved the delivered key wrong: no arbiter, and an open dispute ends without a ruling.
  if (reason == "BadDelivery") {
    order.badDeliveryProven = true;
    model.badDeliveryCount += 1;
    closeDispute(event, order);
  }
  order.save();

  model.refundCount += 1;
  model.save();
  let day = modelDay(event, model);
  day.refundCount += 1;
  day.save();
  countInProtocol("refundedOrderCount", 1);
  countInMarket(event, "refundCount", 1);

  let entity = new OrderRefunded(eventId(event));
  entity.order = order.id;
  entity.buyer = event.params.buyer;
  entity.amount = event.params.amount;
  entity.reason = reason;
  stamp(entity, event);
  entity.save();
}

export function handleOrderDisputed(event: OrderDisputedEvent): void {
  let order = loadOrder(event.params.orderId);
  let model = Model.load(order.model)!;
  // The seller of an open order is the model's current owner.
  let dispute = new Dispute(order.id);
  dispute.order = order.id;
  dispute.model = model.id;
  dispute.buyer = order.buyer;
  dispute.seller = model.owner;
  dispute.disputeId = event.params.disputeId;
  dispute.status = "Open";
  dispute.openedAt = event.block.timestamp;
  dispute.rulingDeadline = event.params.rulingDeadline;
  dispute.save();

  order.status = STATUS_DISPUTED;
  order.dispute = dispute.id;
  order.updatedAt = event.block.timestamp;
  order.save();
  model.disputeCount += 1;
  model.save();

  countInProtocol("disputeCount", 1);
  countInProtocol("openDisputeCount", 1);
  countInMarket(event, "disputesOpened", 1);

  let entity = new OrderDisputed(eventId(event));
  entity.order = order.id;
  entity.dispute = dispute.id;
  entity.disputeId = event.params.disputeId;
  entity.rulingDeadline = event.params.rulingDeadline;
  stamp(entity, event);
  entity.save();
}

/** Who a settlement favoured, from how the order's amount was split. */
function outcomeOf(amount: BigInt, buyerRefund: BigInt): string {
  if (buyerRefund.equals(amount)) return "BuyerWins";
  if (buyerRefund.isZero()) return "SellerWins";
  return "Split";
}

export function handleDisputeResolved(event: DisputeResolvedEvent): void {
  let order = loadOrder(event.params.orderId);
  let dispute = Dispute.load(order.id)!;
  dispute.status = "Resolved";
  dispute.ruling = event.params.ruling;
  dispute.outcome = outcomeOf(order.amount, event.params.buyerRefund);
  dispute.byDefault = event.params.byDefault;
  dispute.buyerRefund = event.params.buyerRefund;
  dispute.sellerProceeds = event.params.sellerProceeds;
  dispute.fee = event.params.fee;
  dispute.resolvedAt = event.block.timestamp;
  dispute.save();

  // A ruling for the buyer was already counted by its OrderRefunded; any other ruling licenses the buyer.
  if (order.status != STATUS_REFUNDED) {
    // Proceeds go to the model's owner at the time of the ruling.
    let owner = Model.load(order.model)!.owner;
    closeOrder(event, order, STATUS_RESOLVED);
    settle(event, order, owner, event.params.sellerProceeds, event.params.fee);
    refundToBuyer(event, order, event.params.buyerRefund);
    order.save();
  }

  countInProtocol("openDisputeCount", -1);
  countInMarket(event, "disputesResolved", 1);

  let entity = new DisputeResolved(eventId(event));
  entity.order = order.id;
  entity.dispute = dispute.id;
  entity.disputeId = event.params.disputeId;
  entity.ruling = event.params.ruling;
  entity.outcome = dispute.outcome!;
  entity.buyerRefund = event.params.buyerRefund;
  entity.sellerProceeds = event.params.sellerProceeds;
  entity.fee = event.params.fee;
  entity.byDefault = event.params.byDefault;
  stamp(entity, event);
  entity.save();
}

export function handleLicenseGranted(event: LicenseGrantedEvent): void {
  let account = getOrCreateAccount(event.params.account, event);
  let id = event.params.modelId.toString() + "-" + account.id.toHexString();
  let license = License.load(id);
  if (license == null) {
    license = new License(id);
    license.model = event.params.modelId.toString();
    license.account = account.id;
    license.order = event.params.orderId.toString();
    license.grantedAt = event.block.timestamp;
    license.grantCount = 0;
  }
  license.grantCount += 1;
  license.save();

  let entity = new LicenseGranted(eventId(event));
  entity.order = event.params.orderId.toString();
  entity.model = license.model;
  entity.account = account.id;
  entity.license = license.id;
  stamp(entity, event);
  entity.save();
}

function getOrCreatePayout(account: Bytes, token: Bytes): Payout {
  let id = account.toHexString() + "-" + token.toHexString();
  let payout = Payout.load(id);
  if (payout != null) return payout;
  payout = new Payout(id);
  payout.account = account;
  payout.token = token;
  payout.credited = ZERO_BI;
  payout.withdrawn = ZERO_BI;
  payout.pending = ZERO_BI;
  return payout;
}

export function handlePayoutCredited(event: PayoutCreditedEvent): void {
  let account = getOrCreateAccount(event.params.account, event);
  let token = getOrCreatePaymentToken(event.params.token);
  let payout = getOrCreatePayout(account.id, token.id);
  payout.credited = payout.credited.plus(event.params.amount);
  payout.pending = payout.pending.plus(event.params.amount);
  payout.save();

  let entity = new PayoutCredited(eventId(event));
  entity.account = account.id;
  entity.token = token.id;
  entity.amount = event.params.amount;
  stamp(entity, event);
  entity.save();
}

export function handlePayoutWithdrawn(event: PayoutWithdrawnEvent): void {
  let account = getOrCreateAccount(event.params.account, event);
  let token = getOrCreatePaymentToken(event.params.token);
  let payout = getOrCreatePayout(account.id, token.id);
  payout.withdrawn = payout.withdrawn.plus(event.params.amount);
  payout.pending = payout.pending.minus(event.params.amount);
  payout.save();

  let entity = new PayoutWithdrawn(eventId(event));
  entity.account = account.id;
  entity.token = token.id;
  entity.amount = event.params.amount;
  stamp(entity, event);
  entity.save();
}

/** ERC-1497 `Dispute`: the marketplace uses the order id as the evidence group id. */
export function handleDispute(event: DisputeEvent): void {
  let orderId = event.params._evidenceGroupID.toString();
  let adId = arbitratorDisputeId(event.params._arbitrator, event.params._disputeID);
  let dispute = Dispute.load(orderId)!;
  dispute.arbitrator = event.params._arbitrator;
  dispute.metaEvidenceId = event.params._metaEvidenceID;
  dispute.evidenceGroupId = event.params._evidenceGroupID;
  dispute.arbitratorDispute = adId;
  dispute.save();

  // An external arbitrator's disputes are not indexed from its side: start their record here.
  let ad = ArbitratorDispute.load(adId);
  if (ad == null) {
    ad = new ArbitratorDispute(adId);
    ad.arbitrator = event.params._arbitrator;
    ad.disputeId = event.params._disputeID;
    ad.arbitrable = event.address;
    ad.createdAt = event.block.timestamp;
  }
  ad.dispute = orderId;
  ad.save();

  let entity = new DisputeCreated(eventId(event));
  entity.order = orderId;
  entity.arbitrator = event.params._arbitrator;
  entity.disputeId = event.params._disputeID;
  entity.metaEvidenceId = event.params._metaEvidenceID;
  entity.evidenceGroupId = event.params._evidenceGroupID;
  stamp(entity, event);
  entity.save();
}

export function handleEvidence(event: EvidenceEvent): void {
  let party = getOrCreateAccount(event.params._party, event);
  let orderId = event.params._evidenceGroupID.toString();
  let entity = new Evidence(eventId(event));
  entity.dispute = orderId;
  entity.order = orderId;
  entity.arbitrator = event.params._arbitrator;
  entity.evidenceGroupId = event.params._evidenceGroupID;
  entity.party = party.id;
  entity.evidenceURI = event.params._evidence;
  stamp(entity, event);
  entity.save();
}

/** ERC-792 `Ruling`: the settlement follows as DisputeResolved in the same transaction. */
export function handleRuling(event: Ruling): void {
  let ad = ArbitratorDispute.load(arbitratorDisputeId(event.params._arbitrator, event.params._disputeID))!;
  ad.ruling = event.params._ruling;
  ad.save();

  let entity = new RulingGiven(eventId(event));
  entity.order = ad.dispute!;
  entity.arbitrator = event.params._arbitrator;
  entity.disputeId = event.params._disputeID;
  entity.ruling = event.params._ruling;
  stamp(entity, event);
  entity.save();
}

export function handleMetaEvidence(event: MetaEvidenceEvent): void {
  let entity = new MetaEvidence(eventId(event));
  entity.contract = MARKETPLACE;
  entity.metaEvidenceId = event.params._metaEvidenceID;
  entity.evidenceURI = event.params._evidence;
  stamp(entity, event);
  entity.save();
}

export function handleFeeChanged(event: FeeChangedEvent): void {
  let protocol = getProtocol();
  protocol.feeBps = event.params.feeBps;
  protocol.save();

  let entity = new FeeChanged(eventId(event));
  entity.contract = MARKETPLACE;
  entity.feeBps = event.params.feeBps;
  stamp(entity, event);
  entity.save();
}

export function handleTreasuryChanged(event: TreasuryChangedEvent): void {
  let protocol = getProtocol();
  protocol.treasury = event.params.treasury;
  protocol.save();

  let entity = new TreasuryChanged(eventId(event));
  entity.contract = MARKETPLACE;
  entity.treasury = event.params.treasury;
  stamp(entity, event);
  entity.save();
}

export function handleWindowsChanged(event: WindowsChangedEvent): void {
  let protocol = getProtocol();
  protocol.deliveryWindow = event.params.deliveryWindow.toI32();
  protocol.disputeWindow = event.params.disputeWindow.toI32();
  protocol.rulingWindow = event.params.rulingWindow.toI32();
  protocol.save();

  let entity = new WindowsChanged(eventId(event));
  entity.contract = MARKETPLACE;
  entity.deliveryWindow = protocol.deliveryWindow;
  entity.disputeWindow = protocol.disputeWindow;
  entity.rulingWindow = protocol.rulingWindow;
  stamp(entity, event);
  entity.save();
}

export function handleArbitratorChanged(event: ArbitratorChangedEvent): void {
  let protocol = getProtocol();
  protocol.arbitrator = event.params.arbitrator;
  protocol.save();

  let entity = new ArbitratorChanged(eventId(event));
  entity.contract = MARKETPLACE;
  entity.arbitrator = event.params.arbitrator;
  stamp(entity, event);
  entity.save();
}

function setPaused(event: ethereum.Event, paused: boolean, by: Bytes): void {
  let protocol = getProtocol();
  protocol.marketplacePaused = paused;
  protocol.save();
  recordPauseChanged(event, MARKETPLACE, paused, by);
}

export function handlePaused(event: Paused): void {
  setPaused(event, true, event.params.account);
}

export function handleUnpaused(event: Unpaused): void {
  setPaused(event, false, event.params.account);
}

export function handleInitialized(event: Initialized): void {
  recordInitialized(event, MARKETPLACE, event.params.version);
}

export function handleUpgraded(event: Upgraded): void {
  recordUpgraded(event, MARKETPLACE, event.params.implementation);
}

export function handleAuthorityUpdated(event: AuthorityUpdated): void {
  recordAuthorityUpdated(event, MARKETPLACE, event.params.authority);
}

export function handleReputationNotRecorded(event: ReputationNotRecordedEvent): void {
  let entity = new ReputationNotRecorded(eventId(event));
  entity.order = event.params.orderId.toString();
  stamp(entity, event);
  entity.save();
}

export function handleDisputeNotCancelled(event: DisputeNotCancelledEvent): void {
  let entity = new DisputeNotCancelled(eventId(event));
  entity.order = event.params.orderId.toString();
  entity.arbitrator = event.params.arbitrator;
  entity.disputeId = event.params.disputeId;
  stamp(entity, event);
  entity.save();
}
