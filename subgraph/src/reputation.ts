/** Reputation: reviews and ratings, dispute outcomes per account, profiles and handles. */
import { BigDecimal, BigInt } from "@graphprotocol/graph-ts";
import {
  AuthorityUpdated,
  BadDeliveryRecorded as BadDeliveryRecordedEvent,
  DisputeOutcomeRecorded as DisputeOutcomeRecordedEvent,
  Initialized,
  MarketplaceChanged as MarketplaceChangedEvent,
  ProfileUpdated as ProfileUpdatedEvent,
  ReviewSubmitted,
  Upgraded,
} from "../generated/Reputation/Reputation";
import {
  BadDeliveryRecorded,
  DisputeOutcomeRecorded,
  MarketplaceChanged,
  Model,
  Order,
  ProfileUpdated,
  Review,
} from "../generated/schema";
import { REPUTATION } from "./helpers/constants";
import { countInProtocol, getOrCreateAccount, stamp } from "./helpers/entities";
import { eventId } from "./helpers/ids";
import { recordAuthorityUpdated, recordInitialized, recordUpgraded } from "./helpers/lifecycle";
import { countInMarket, modelDay } from "./helpers/stats";

function average(sum: i32, count: i32): BigDecimal {
  return BigInt.fromI32(sum).toBigDecimal().div(BigInt.fromI32(count).toBigDecimal());
}

/** A review of a Completed or Resolved order (a split ruling included): counts for the model and the seller. */
export function handleReviewSubmitted(event: ReviewSubmitted): void {
  let rating = event.params.rating;
  let reviewer = getOrCreateAccount(event.params.reviewer, event);
  reviewer.reviewsGivenCount += 1;
  reviewer.save();
  // The contract credits the model's owner at review time, which may differ from the order's seller.
  let seller = getOrCreateAccount(event.params.seller, event);
  seller.reviewsReceivedCount += 1;
  seller.sellerRatingSum += rating;
  seller.sellerRatingCount += 1;
  seller.sellerRatingAverage = average(seller.sellerRatingSum, seller.sellerRatingCount);
  seller.save();

  let model = Model.load(event.params.modelId.toString())!;
  model.ratingSum += rating;
  model.ratingCount += 1;
  model.ratingAverage = average(model.ratingSum, model.ratingCount);
  model.save();
  let day = modelDay(event, model);
  day.reviewCount += 1;
  day.ratingSum += rating;
  day.save();

  let review = new Review(event.params.orderId.toString());
  review.order = review.id;
  review.model = model.id;
  review.reviewer = reviewer.id;
  review.seller = seller.id;
  review.rating = rating;
  review.commentURI = event.params.commentURI;
  review.paid = event.params.paid;
  stamp(review, event);
  review.save();

  let order = Order.load(review.id)!;
  order.review = review.id;
  order.save();

  countInProtocol("reviewCount", 1);
  countInMarket(event, "reviewCount", 1);
}

/** Won and lost counts as the contract keeps them; a split counts for neither, only as split for both. */
export function handleDisputeOutcomeRecorded(event: DisputeOutcomeRecordedEvent): void {
  // Saved one after the other: a buyer who came to own the model is both parties of one entity.
  let winner = getOrCreateAccount(event.params.winner, event);
  if (event.params.split) winner.disputesSplit += 1;
  else winner.disputesWon += 1;
  winner.save();
  let loser = getOrCreateAccount(event.params.loser, event);
  if (event.params.split) loser.disputesSplit += 1;
  else loser.disputesLost += 1;
  loser.save();

  let entity = new DisputeOutcomeRecorded(eventId(event));
  entity.order = event.params.orderId.toString();
  entity.winner = winner.id;
  entity.loser = loser.id;
  entity.split = event.params.split;
  stamp(entity, event);
  entity.save();
}

export function handleProfileUpdated(event: ProfileUpdatedEvent): void {
  let account = getOrCreateAccount(event.params.account, event);
  // An empty handle releases it; an empty URI clears the profile.
  if (event.params.handle.length == 0) account.handle = null;
  else account.handle = event.params.handle;
  if (event.params.profileURI.length == 0) account.profileURI = null;
  else account.profileURI = event.params.profileURI;
  account.profileUpdatedAt = event.block.timestamp;
  account.save();

  let entity = new ProfileUpdated(eventId(event));
  entity.account = account.id;
  entity.handle = account.handle;
  entity.profileURI = account.profileURI;
  stamp(entity, event);
  entity.save();
}

export function handleMarketplaceChanged(event: MarketplaceChangedEvent): void {
  let entity = new MarketplaceChanged(eventId(event));
  entity.contract = REPUTATION;
  entity.marketplace = event.params.marketplace;
  stamp(entity, event);
  entity.save();
}

export function handleInitialized(event: Initialized): void {
  recordInitialized(event, REPUTATION, event.params.version);
}

export function handleUpgraded(event: Upgraded): void {
  recordUpgraded(event, REPUTATION, event.params.implementation);
}

export function handleAuthorityUpdated(event: AuthorityUpdated): void {
  recordAuthorityUpdated(event, REPUTATION, event.params.authority);
}

/** A proven bad delivery, as Reputation records it: the seller's fault count (`badDeliveryCount(seller)`). */
export function handleBadDeliveryRecorded(event: BadDeliveryRecordedEvent): void {
  let seller = getOrCreateAccount(event.params.seller, event);
  seller.badDeliveryCount += 1;
  seller.save();

  let entity = new BadDeliveryRecorded(eventId(event));
  entity.order = event.params.orderId.toString();
  entity.model = event.params.modelId.toString();
  entity.seller = seller.id;
  stamp(entity, event);
  entity.save();
}
