/** Deterministic entity ids, documented in schema.graphql. */
import { BigInt, Bytes, ethereum } from "@graphprotocol/graph-ts";

/** Event entities: `<transactionHash>-<logIndex>`. */
export function eventId(event: ethereum.Event): string {
  return event.transaction.hash.toHexString() + "-" + event.logIndex.toString();
}

/** ModelVersion: `<modelId>-<version>`. */
export function versionId(modelId: BigInt, version: i32): string {
  return modelId.toString() + "-" + version.toString();
}

/** ArbitratorDispute: `<arbitrator>-<disputeId>`. */
export function arbitratorDisputeId(arbitrator: Bytes, disputeId: BigInt): string {
  return arbitrator.toHexString() + "-" + disputeId.toString();
}
