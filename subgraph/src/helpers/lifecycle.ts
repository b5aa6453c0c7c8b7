/** Proxy lifecycle events every contract emits (OpenZeppelin Initializable, ERC-1967, AccessManaged). */
import { BigInt, Bytes, ethereum } from "@graphprotocol/graph-ts";
import { AuthorityUpdated, ContractInitialized, ContractUpgraded, PauseChanged } from "../../generated/schema";
import { getProtocol, stamp } from "./entities";
import { eventId } from "./ids";

/** Records the proxy's address on the protocol under the data source's `ProtocolContract` name. */
function recordAddress(contract: string, event: ethereum.Event): void {
  let protocol = getProtocol();
  let field = contract.charAt(0).toLowerCase() + contract.slice(1);
  protocol.setBytes(field, event.address);
  protocol.save();
}

export function recordInitialized(event: ethereum.Event, contract: string, version: BigInt): void {
  recordAddress(contract, event);
  let entity = new ContractInitialized(eventId(event));
  entity.contract = contract;
  entity.version = version;
  stamp(entity, event);
  entity.save();
}

export function recordUpgraded(event: ethereum.Event, contract: string, implementation: Bytes): void {
  recordAddress(contract, event);
  let entity = new ContractUpgraded(eventId(event));
  entity.contract = contract;
  entity.implementation = implementation;
  stamp(entity, event);
  entity.save();
}

export function recordAuthorityUpdated(event: ethereum.Event, contract: string, authority: Bytes): void {
  let entity = new AuthorityUpdated(eventId(event));
  entity.contract = contract;
  entity.authority = authority;
  stamp(entity, event);
  entity.save();
}

export function recordPauseChanged(event: ethereum.Event, contract: string, paused: boolean, by: Bytes): void {
  let entity = new PauseChanged(eventId(event));
  entity.contract = contract;
  entity.paused = paused;
  entity.by = by;
  stamp(entity, event);
  entity.save();
}
