/** Arbitration: the protocol's ERC-792 arbiter panel (disputes, rulings, cost, fees). */
import { BigInt, Bytes, ethereum } from "@graphprotocol/graph-ts";
import {
  AppealDecision as AppealDecisionEvent,
  AppealPossible as AppealPossibleEvent,
  ArbitrationCostChanged as ArbitrationCostChangedEvent,
  AuthorityUpdated,
  DisputeCancelled as DisputeCancelledEvent,
  DisputeCreation as DisputeCreationEvent,
  DisputeRuled as DisputeRuledEvent,
  FeeRefundFailed as FeeRefundFailedEvent,
  FeesWithdrawn,
  Initialized,
  Upgraded,
} from "../generated/Arbitration/Arbitration";
import {
  AppealDecision,
  AppealPossible,
  ArbitrationCostChanged,
  ArbitrationFeesWithdrawn,
  ArbitratorDispute,
  DisputeCancelled,
  DisputeCreation,
  DisputeRuled,
  FeeRefundFailed,
} from "../generated/schema";
import { ARBITRATION } from "./helpers/constants";
import { getOrCreateAccount, getProtocol, stamp } from "./helpers/entities";
import { arbitratorDisputeId, eventId } from "./helpers/ids";
import { recordAuthorityUpdated, recordInitialized, recordUpgraded } from "./helpers/lifecycle";

/** This arbitrator's record of `disputeId` (created by DisputeCreation, linked by the marketplace's Dispute). */
function getOrCreateArbitratorDispute(event: ethereum.Event, disputeId: BigInt, arbitrable: Bytes): ArbitratorDispute {
  let id = arbitratorDisputeId(event.address, disputeId);
  let ad = ArbitratorDispute.load(id);
  if (ad != null) return ad;
  ad = new ArbitratorDispute(id);
  ad.arbitrator = event.address;
  ad.disputeId = disputeId;
  ad.arbitrable = arbitrable;
  ad.createdAt = event.block.timestamp;
  return ad;
}

export function handleDisputeCreation(event: DisputeCreationEvent): void {
  let ad = getOrCreateArbitratorDispute(event, event.params._disputeID, event.params._arbitrable);
  ad.save();

  let entity = new DisputeCreation(eventId(event));
  entity.arbitratorDispute = ad.id;
  entity.arbitrable = event.params._arbitrable;
  stamp(entity, event);
  entity.save();
}

export function handleAppealPossible(event: AppealPossibleEvent): void {
  let ad = getOrCreateArbitratorDispute(event, event.params._disputeID, event.params._arbitrable);
  ad.appealPossibleAt = event.block.timestamp;
  ad.save();

  let entity = new AppealPossible(eventId(event));
  entity.arbitratorDispute = ad.id;
  entity.arbitrable = event.params._arbitrable;
  stamp(entity, event);
  entity.save();
}

export function handleAppealDecision(event: AppealDecisionEvent): void {
  let ad = getOrCreateArbitratorDispute(event, event.params._disputeID, event.params._arbitrable);
  ad.appealedAt = event.block.timestamp;
  ad.save();

  let entity = new AppealDecision(eventId(event));
  entity.arbitratorDispute = ad.id;
  entity.arbitrable = event.params._arbitrable;
  stamp(entity, event);
  entity.save();
}

export function handleDisputeRuled(event: DisputeRuledEvent): void {
  let arbiter = getOrCreateAccount(event.params.arbiter, event);
  let ad = ArbitratorDispute.load(arbitratorDisputeId(event.address, event.params.disputeId))!;
  ad.arbiter = arbiter.id;
  ad.ruling = event.params.ruling;
  ad.ruledAt = event.block.timestamp;
  ad.save();

  let entity = new DisputeRuled(eventId(event));
  entity.arbitratorDispute = ad.id;
  entity.arbiter = arbiter.id;
  entity.ruling = event.params.ruling;
  stamp(entity, event);
  entity.save();
}

export function handleArbitrationCostChanged(event: ArbitrationCostChangedEvent): void {
  let protocol = getProtocol();
  protocol.arbitrationCost = event.params.cost;
  protocol.save();

  let entity = new ArbitrationCostChanged(eventId(event));
  entity.contract = ARBITRATION;
  entity.cost = event.params.cost;
  stamp(entity, event);
  entity.save();
}

export function handleFeesWithdrawn(event: FeesWithdrawn): void {
  let entity = new ArbitrationFeesWithdrawn(eventId(event));
  entity.contract = ARBITRATION;
  entity.to = event.params.to;
  entity.amount = event.params.amount;
  stamp(entity, event);
  entity.save();
}

export function handleInitialized(event: Initialized): void {
  recordInitialized(event, ARBITRATION, event.params.version);
}

export function handleUpgraded(event: Upgraded): void {
  recordUpgraded(event, ARBITRATION, event.params.implementation);
}

export function handleAuthorityUpdated(event: AuthorityUpdated): void {
  recordAuthorityUpdated(event, ARBITRATION, event.params.authority);
}

export function handleDisputeCancelled(event: DisputeCancelledEvent): void {
  let ad = ArbitratorDispute.load(arbitratorDisputeId(event.address, event.params.disputeId))!;
  ad.cancelledAt = event.block.timestamp;
  ad.save();

  let entity = new DisputeCancelled(eventId(event));
  entity.arbitratorDispute = ad.id;
  entity.refundTo = event.params.refundTo;
  entity.fee = event.params.fee;
  stamp(entity, event);
  entity.save();
}

export function handleFeeRefundFailed(event: FeeRefundFailedEvent): void {
  let entity = new FeeRefundFailed(eventId(event));
  entity.arbitratorDispute = arbitratorDisputeId(event.address, event.params.disputeId);
  entity.refundTo = event.params.refundTo;
  entity.fee = event.params.fee;
  stamp(entity, event);
  entity.save();
}
