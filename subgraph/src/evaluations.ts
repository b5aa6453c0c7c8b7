/** Evaluations: evaluator keys, evaluation requests, attestations and the latest verdict per suite. */
import { BigInt, store } from "@graphprotocol/graph-ts";
import {
  AuthorityUpdated,
  EvaluationAttested as EvaluationAttestedEvent,
  EvaluationRequestCancelled as EvaluationRequestCancelledEvent,
  EvaluationRequested as EvaluationRequestedEvent,
  EvaluationRevoked as EvaluationRevokedEvent,
  EvaluatorKeySet as EvaluatorKeySetEvent,
  Initialized,
  RequestWindowChanged as RequestWindowChangedEvent,
  Upgraded,
} from "../generated/Evaluations/Evaluations";
import {
  Evaluation,
  EvaluationAttested,
  EvaluationRequest,
  EvaluationRequestCancelled,
  EvaluationRequested,
  EvaluationRevoked,
  EvaluatorKeySet,
  Model,
  ModelVerdict,
  RequestWindowChanged,
  VersionVerdict,
} from "../generated/schema";
import { cidOfIpfsURI } from "./helpers/cid";
import { EVALUATIONS } from "./helpers/constants";
import { countInProtocol, getOrCreateAccount, getProtocol, stamp } from "./helpers/entities";
import { eventId, versionId } from "./helpers/ids";
import { recordAuthorityUpdated, recordInitialized, recordUpgraded } from "./helpers/lifecycle";
import { countInMarket } from "./helpers/stats";

const VERDICTS = ["None", "Pass", "Warn", "Fail"];
const KEY_CHECKS = ["NotChecked", "Opens", "DoesNotOpen"];

/** Whether `a` should stand as a model's verdict over `b`: a later version, then a later attestation. */
function supersedes(a: Evaluation, b: Evaluation): boolean {
  if (a.version != b.version) return a.version > b.version;
  return a.attestationId.gt(b.attestationId);
}

function setModelVerdict(evaluation: Evaluation, timestamp: BigInt): void {
  let verdict = new ModelVerdict(evaluation.model + "-" + evaluation.suite);
  verdict.model = evaluation.model;
  verdict.suite = evaluation.suite;
  verdict.verdict = evaluation.verdict;
  verdict.score = evaluation.score;
  verdict.version = evaluation.version;
  verdict.evaluation = evaluation.id;
  verdict.updatedAt = timestamp;
  verdict.save();
}

function setVersionVerdict(evaluation: Evaluation, timestamp: BigInt): void {
  let verdict = new VersionVerdict(evaluation.modelVersion + "-" + evaluation.suite);
  verdict.model = evaluation.model;
  verdict.modelVersion = evaluation.modelVersion;
  verdict.suite = evaluation.suite;
  verdict.verdict = evaluation.verdict;
  verdict.score = evaluation.score;
  verdict.evaluation = evaluation.id;
  verdict.updatedAt = timestamp;
  verdict.save();
}

export function handleEvaluatorKeySet(event: EvaluatorKeySetEvent): void {
  let evaluator = getOrCreateAccount(event.params.evaluator, event);
  evaluator.evaluatorPublicKey = event.params.publicKey;
  evaluator.save();

  let entity = new EvaluatorKeySet(eventId(event));
  entity.evaluator = evaluator.id;
  entity.publicKey = event.params.publicKey;
  stamp(entity, event);
  entity.save();
}

export function handleEvaluationRequested(event: EvaluationRequestedEvent): void {
  let evaluator = getOrCreateAccount(event.params.evaluator, event);
  let requester = getOrCreateAccount(event.params.requester, event);
  let request = new EvaluationRequest(event.params.requestId.toString());
  request.requestId = event.params.requestId;
  request.model = event.params.modelId.toString();
  request.version = event.params.version.toI32();
  request.modelVersion = versionId(event.params.modelId, request.version);
  request.evaluator = evaluator.id;
  request.requester = requester.id;
  request.wrappedKey = event.params.wrappedKey;
  request.status = "Open";
  request.requestedAt = event.block.timestamp;
  request.save();
  countInProtocol("evaluationRequestCount", 1);

  let entity = new EvaluationRequested(eventId(event));
  entity.model = request.model;
  entity.request = request.id;
  entity.evaluator = evaluator.id;
  entity.requester = requester.id;
  entity.version = request.version;
  stamp(entity, event);
  entity.save();
}

export function handleEvaluationRequestCancelled(event: EvaluationRequestCancelledEvent): void {
  let request = EvaluationRequest.load(event.params.requestId.toString())!;
  request.status = "Cancelled";
  request.cancelledAt = event.block.timestamp;
  request.save();

  let entity = new EvaluationRequestCancelled(eventId(event));
  entity.model = request.model;
  entity.request = request.id;
  stamp(entity, event);
  entity.save();
}

export function handleEvaluationAttested(event: EvaluationAttestedEvent): void {
  let evaluator = getOrCreateAccount(event.params.evaluator, event);
  let evaluation = new Evaluation(event.params.attestationId.toString());
  evaluation.attestationId = event.params.attestationId;
  evaluation.model = event.params.modelId.toString();
  evaluation.version = event.params.version.toI32();
  evaluation.modelVersion = versionId(event.params.modelId, evaluation.version);
  evaluation.evaluator = evaluator.id;
  evaluation.suite = event.params.suite;
  evaluation.verdict = VERDICTS[event.params.verdict];
  evaluation.score = event.params.score.toI32();
  evaluation.reportURI = event.params.reportURI;
  evaluation.reportCID = cidOfIpfsURI(event.params.reportURI);
  evaluation.keyCheck = KEY_CHECKS[event.params.keyCheck];
  if (event.params.keyCheck != 0) evaluation.keyCommitment = event.params.keyCommitment;
  evaluation.revoked = false;
  evaluation.attestedAt = event.block.timestamp;
  evaluation.transactionHash = event.transaction.hash;
  if (!event.params.requestId.isZero()) {
    let request = EvaluationRequest.load(event.params.requestId.toString())!;
    request.status = "Fulfilled";
    request.evaluation = evaluation.id;
    request.save();
    evaluation.request = request.id;
  }
  evaluation.save();

  setVersionVerdict(evaluation, event.block.timestamp);
  let current = ModelVerdict.load(evaluation.model + "-" + evaluation.suite);
  if (current == null || supersedes(evaluation, Evaluation.load(current.evaluation)!)) {
    setModelVerdict(evaluation, event.block.timestamp);
  }
  countInProtocol("evaluationCount", 1);
  countInMarket(event, "evaluationCount", 1);

  let entity = new EvaluationAttested(eventId(event));
  entity.model = evaluation.model;
  entity.evaluation = evaluation.id;
  entity.verdict = evaluation.verdict;
  entity.suite = evaluation.suite;
  entity.keyCheck = evaluation.keyCheck;
  stamp(entity, event);
  entity.save();
}

/** A revoked attestation stops counting: the verdicts fall back to the best remaining attestation, or go. */
export function handleEvaluationRevoked(event: EvaluationRevokedEvent): void {
  let revoked = Evaluation.load(event.params.attestationId.toString())!;
  revoked.revoked = true;
  revoked.revokedAt = event.block.timestamp;
  revoked.save();

  let bestForModel: Evaluation | null = null;
  let bestForVersion: Evaluation | null = null;
  let all = Model.load(revoked.model)!.evaluations.load();
  for (let i = 0; i < all.length; i++) {
    let candidate = all[i];
    if (candidate.id == revoked.id || candidate.revoked || candidate.suite != revoked.suite) continue;
    if (bestForModel == null || supersedes(candidate, bestForModel)) bestForModel = candidate;
    if (candidate.version == revoked.version) {
      if (bestForVersion == null || supersedes(candidate, bestForVersion)) bestForVersion = candidate;
    }
  }
  if (bestForModel == null) store.remove("ModelVerdict", revoked.model + "-" + revoked.suite);
  else setModelVerdict(bestForModel, event.block.timestamp);
  if (bestForVersion == null) store.remove("VersionVerdict", revoked.modelVersion + "-" + revoked.suite);
  else setVersionVerdict(bestForVersion, event.block.timestamp);

  let entity = new EvaluationRevoked(eventId(event));
  entity.model = revoked.model;
  entity.evaluation = revoked.id;
  entity.evaluator = event.params.evaluator;
  stamp(entity, event);
  entity.save();
}

export function handleRequestWindowChanged(event: RequestWindowChangedEvent): void {
  let protocol = getProtocol();
  protocol.evaluationRequestWindow = event.params.requestWindow.toI32();
  protocol.save();

  let entity = new RequestWindowChanged(eventId(event));
  entity.contract = EVALUATIONS;
  entity.requestWindow = protocol.evaluationRequestWindow;
  stamp(entity, event);
  entity.save();
}

export function handleInitialized(event: Initialized): void {
  recordInitialized(event, EVALUATIONS, event.params.version);
}

export function handleUpgraded(event: Upgraded): void {
  recordUpgraded(event, EVALUATIONS, event.params.implementation);
}

export function handleAuthorityUpdated(event: AuthorityUpdated): void {
  recordAuthorityUpdated(event, EVALUATIONS, event.params.authority);
}
