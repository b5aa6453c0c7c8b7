/** Deterministic entity ids, documented in schema.graphql. */
import { BigInt, Bytes, ethereum } from "@graphprotocol/graph-ts";

/**
 * Event entities: `<blockNumber>-<logIndex>`, zero-padded to 12 and 6 digits so that ids sort in chain
 * order (a log index counts within its block) and any list of events is chronological by default.
 */
export function eventId(event: ethereum.Event): string {
  return event.block.number.toString().padStart(12, "0") + "-" + event.logIndex.toString().padStart(6, "0");
}

/** ModelVersion: `<modelId>-<version>`. */
export function versionId(modelId: BigInt, version: i32): string {
  return modelId.toString() + "-" + version.toString();
}

/** ArbitratorDispute: `<arbitrator>-<disputeId>`. */
export function arbitratorDisputeId(arbitrator: Bytes, disputeId: BigInt): string {
  return arbitrator.toHexString() + "-" + disputeId.toString();
}
