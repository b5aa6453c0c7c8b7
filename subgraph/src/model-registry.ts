/** ModelRegistry: listings, their fields, prices, versions and ERC-721 ownership. */
import { BigInt, Bytes } from "@graphprotocol/graph-ts";
import {
  Approval,
  ApprovalForAll,
  AuthorityUpdated,
  Initialized,
  KeyCommitmentChanged as KeyCommitmentChangedEvent,
  ModelActiveChanged as ModelActiveChangedEvent,
  ModelListed as ModelListedEvent,
  ModelRepriced as ModelRepricedEvent,
  ModelUpdated as ModelUpdatedEvent,
  ModelUpdatedFieldsStruct,
  PaymentTokenAllowed as PaymentTokenAllowedEvent,
  Transfer,
  Upgraded,
  VersionDeprecated as VersionDeprecatedEvent,
  VersionPublished as VersionPublishedEvent,
} from "../generated/ModelRegistry/ModelRegistry";
import {
  KeyCommitmentChanged,
  Model,
  ModelActiveChanged,
  ModelApproval,
  ModelListed,
  ModelOperatorApproval,
  ModelRepriced,
  ModelTransfer,
  ModelUpdated,
  ModelVersion,
  PaymentTokenAllowed,
  VersionDeprecated,
  VersionPublished,
} from "../generated/schema";
import { cidToString } from "./helpers/cid";
import { MODEL_REGISTRY, ZERO_ADDRESS, ZERO_BD, ZERO_BI } from "./helpers/constants";
import { countInProtocol, getOrCreateAccount, getOrCreatePaymentToken, stamp } from "./helpers/entities";
import { eventId, versionId } from "./helpers/ids";
import { recordAuthorityUpdated, recordInitialized, recordUpgraded } from "./helpers/lifecycle";
import { countInMarket } from "./helpers/stats";

/** The searchable fields, as emitted by ModelListed and ModelUpdated (same tuple). */
function setFields(model: Model, fields: ModelUpdatedFieldsStruct): void {
  model.name = fields.name;
  model.summary = fields.summary;
  model.tags = fields.tags;
  model.tagsText = fields.tags.join(" ");
  model.task = fields.task;
  model.license = fields.license;
  model.commercialUse = fields.commercialUse;
  model.metadataURI = fields.metadataURI;
}

function setTerms(model: Model, paymentToken: Bytes, price: BigInt): void {
  model.paymentToken = getOrCreatePaymentToken(paymentToken).id;
  model.price = price;
  model.isFree = price.isZero();
}

export function handleModelListed(event: ModelListedEvent): void {
  let seller = getOrCreateAccount(event.params.seller, event);
  seller.modelCount += 1;
  if (seller.modelsListedCount == 0) {
    seller.firstListingAt = event.block.timestamp;
    countInMarket(event, "newSellerCount", 1);
  }
  seller.modelsListedCount += 1;
  seller.save();

  let model = new Model(event.params.modelId.toString());
  model.modelId = event.params.modelId;
  model.owner = seller.id;
  model.creator = seller.id;
  setFields(model, changetype<ModelUpdatedFieldsStruct>(event.params.fields));
  setTerms(model, event.params.paymentToken, event.params.price);
  model.active = true;
  model.createdAt = event.block.timestamp;
  model.createdAtBlock = event.block.number;
  model.updatedAt = event.block.timestamp;
  model.versionCount = 0;
  model.orderCount = 0;
  model.salesCount = 0;
  model.paidSalesCount = 0;
  model.refundCount = 0;
  model.disputeCount = 0;
  model.badDeliveryCount = 0;
  model.ratingSum = 0;
  model.ratingCount = 0;
  model.ratingAverage = ZERO_BD;
  model.save();

  countInProtocol("modelCount", 1);
  countInProtocol("activeModelCount", 1);
  countInMarket(event, "newModelCount", 1);

  let entity = new ModelListed(eventId(event));
  entity.model = model.id;
  entity.seller = seller.id;
  entity.name = model.name;
  entity.task = model.task;
  entity.license = model.license;
  entity.paymentToken = event.params.paymentToken;
  entity.price = event.params.price;
  stamp(entity, event);
  entity.save();
}

export function handleModelUpdated(event: ModelUpdatedEvent): void {
  let model = Model.load(event.params.modelId.toString())!;
  setFields(model, event.params.fields);
  model.updatedAt = event.block.timestamp;
  model.save();

  let entity = new ModelUpdated(eventId(event));
  entity.model = model.id;
  entity.name = model.name;
  entity.summary = model.summary;
  entity.tags = model.tags;
  entity.task = model.task;
  entity.license = model.license;
  entity.commercialUse = model.commercialUse;
  entity.metadataURI = model.metadataURI;
  stamp(entity, event);
  entity.save();
}

export function handleModelRepriced(event: ModelRepricedEvent): void {
  let model = Model.load(event.params.modelId.toString())!;
  let entity = new ModelRepriced(eventId(event));
  entity.model = model.id;
  entity.previousPaymentToken = model.paymentToken;
  entity.previousPrice = model.price;
  entity.paymentToken = event.params.paymentToken;
  entity.price = event.params.price;
  stamp(entity, event);
  entity.save();

  setTerms(model, event.params.paymentToken, event.params.price);
  model.updatedAt = event.block.timestamp;
  model.save();
}

export function handleModelActiveChanged(event: ModelActiveChangedEvent): void {
  let model = Model.load(event.params.modelId.toString())!;
  // setActive may repeat the current state; only a change moves the active count.
  if (model.active != event.params.active) countInProtocol("activeModelCount", event.params.active ? 1 : -1);
  model.active = event.params.active;
  model.updatedAt = event.block.timestamp;
  model.save();

  let entity = new ModelActiveChanged(eventId(event));
  entity.model = model.id;
  entity.active = event.params.active;
  stamp(entity, event);
  entity.save();
}

export function handleVersionPublished(event: VersionPublishedEvent): void {
  let modelId = event.params.modelId;
  let number = event.params.version.toI32();
  let version = new ModelVersion(versionId(modelId, number));
  version.model = modelId.toString();
  version.version = number;
  version.semver = event.params.semver;
  version.contentCID = event.params.contentCID;
  version.contentCIDString = cidToString(event.params.contentCID);
  version.sha256 = event.params.sha256;
  version.size = event.params.size;
  version.changelogURI = event.params.changelogURI;
  version.publishedAt = event.block.timestamp;
  version.publishedAtBlock = event.block.number;
  version.transactionHash = event.transaction.hash;
  version.deprecated = false;
  version.save();

  let model = Model.load(modelId.toString())!;
  model.versionCount = number;
  model.latestVersion = version.id;
  model.updatedAt = event.block.timestamp;
  model.save();

  countInProtocol("versionCount", 1);
  countInMarket(event, "newVersionCount", 1);

  let entity = new VersionPublished(eventId(event));
  entity.model = model.id;
  entity.modelVersion = version.id;
  entity.version = number;
  stamp(entity, event);
  entity.save();
}

export function handleVersionDeprecated(event: VersionDeprecatedEvent): void {
  let modelId = event.params.modelId;
  let version = ModelVersion.load(versionId(modelId, event.params.version.toI32()))!;
  let deprecatedBy = versionId(modelId, event.params.deprecatedBy.toI32());
  version.deprecated = true;
  version.deprecatedBy = deprecatedBy;
  version.deprecatedAt = event.block.timestamp;
  version.save();

  let entity = new VersionDeprecated(eventId(event));
  entity.model = modelId.toString();
  entity.modelVersion = version.id;
  entity.deprecatedBy = deprecatedBy;
  stamp(entity, event);
  entity.save();
}

export function handlePaymentTokenAllowed(event: PaymentTokenAllowedEvent): void {
  let token = getOrCreatePaymentToken(event.params.token);
  token.allowed = event.params.allowed;
  token.save();

  let entity = new PaymentTokenAllowed(eventId(event));
  entity.contract = MODEL_REGISTRY;
  entity.token = token.id;
  entity.allowed = event.params.allowed;
  stamp(entity, event);
  entity.save();
}

/** ERC-721 transfer: the new owner becomes the seller of the model and of its open orders. */
export function handleTransfer(event: Transfer): void {
  let from = event.params.from;
  let to = event.params.to;
  // The mint at listing is counted by ModelListed (emitted right after it).
  if (!from.equals(ZERO_ADDRESS)) {
    let model = Model.load(event.params.tokenId.toString())!;
    let previous = getOrCreateAccount(from, event);
    previous.modelCount -= 1;
    previous.save();
    let next = getOrCreateAccount(to, event);
    next.modelCount += 1;
    next.save();
    model.owner = next.id;
    model.updatedAt = event.block.timestamp;
    model.save();
  }

  let entity = new ModelTransfer(eventId(event));
  entity.model = event.params.tokenId.toString();
  entity.from = from;
  entity.to = to;
  stamp(entity, event);
  entity.save();
}

export function handleApproval(event: Approval): void {
  let entity = new ModelApproval(eventId(event));
  entity.model = event.params.tokenId.toString();
  entity.owner = event.params.owner;
  entity.approved = event.params.approved;
  stamp(entity, event);
  entity.save();
}

export function handleApprovalForAll(event: ApprovalForAll): void {
  let entity = new ModelOperatorApproval(eventId(event));
  entity.owner = event.params.owner;
  entity.operator = event.params.operator;
  entity.approved = event.params.approved;
  stamp(entity, event);
  entity.save();
}

export function handleInitialized(event: Initialized): void {
  recordInitialized(event, MODEL_REGISTRY, event.params.version);
}

export function handleUpgraded(event: Upgraded): void {
  recordUpgraded(event, MODEL_REGISTRY, event.params.implementation);
}

export function handleAuthorityUpdated(event: AuthorityUpdated): void {
  recordAuthorityUpdated(event, MODEL_REGISTRY, event.params.authority);
}

/** The key commitment of a model: set at listing (emitted after ModelListed) or replaced for future orders. */
export function handleKeyCommitmentChanged(event: KeyCommitmentChangedEvent): void {
  let model = Model.load(event.params.modelId.toString())!;
  model.keyCommitment = event.params.keyCommitment;
  model.updatedAt = event.block.timestamp;
  model.save();

  let entity = new KeyCommitmentChanged(eventId(event));
  entity.model = model.id;
  entity.keyCommitment = event.params.keyCommitment;
  stamp(entity, event);
  entity.save();
}
