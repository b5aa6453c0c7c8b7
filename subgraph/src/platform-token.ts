/** PlatformToken: ERC-20 transfers and balances, approvals, votes delegation. */
import { Bytes, ethereum } from "@graphprotocol/graph-ts";
import {
  Approval,
  AuthorityUpdated,
  DelegateChanged as DelegateChangedEvent,
  DelegateVotesChanged as DelegateVotesChangedEvent,
  EIP712DomainChanged as EIP712DomainChangedEvent,
  Initialized,
  Transfer,
  Upgraded,
} from "../generated/PlatformToken/PlatformToken";
import {
  DelegateChanged,
  DelegateVotesChanged,
  EIP712DomainChanged,
  PaymentToken,
  TokenApproval,
  TokenTransfer,
} from "../generated/schema";
import { PLATFORM_TOKEN, ZERO_ADDRESS, ZERO_BI } from "./helpers/constants";
import { countInProtocol, getOrCreateAccount, getProtocol, stamp } from "./helpers/entities";
import { eventId } from "./helpers/ids";
import { recordAuthorityUpdated, recordInitialized, recordUpgraded } from "./helpers/lifecycle";

/** Remembers the platform token's address, so payment tokens can be flagged as the protocol's own. */
function notePlatformToken(event: ethereum.Event): void {
  let protocol = getProtocol();
  if (protocol.platformToken !== null) return;
  protocol.platformToken = event.address;
  protocol.save();
  let token = PaymentToken.load(event.address);
  if (token != null) {
    token.isPlatformToken = true;
    token.save();
  }
}

/** Moves `value` into or out of a holder's balance and keeps the holder count. */
function changeBalance(event: Transfer, holder: Bytes, incoming: boolean): void {
  let account = getOrCreateAccount(holder, event);
  let before = account.platformTokenBalance;
  account.platformTokenBalance = incoming ? before.plus(event.params.value) : before.minus(event.params.value);
  account.save();
  let wasHolder = before.gt(ZERO_BI);
  let isHolder = account.platformTokenBalance.gt(ZERO_BI);
  if (!wasHolder && isHolder) countInProtocol("platformTokenHolderCount", 1);
  if (wasHolder && !isHolder) countInProtocol("platformTokenHolderCount", -1);
}

export function handleTransfer(event: Transfer): void {
  notePlatformToken(event);
  let from = event.params.from;
  let to = event.params.to;
  if (from.equals(ZERO_ADDRESS) || to.equals(ZERO_ADDRESS)) {
    let protocol = getProtocol();
    protocol.platformTokenSupply = from.equals(ZERO_ADDRESS)
      ? protocol.platformTokenSupply.plus(event.params.value)
      : protocol.platformTokenSupply.minus(event.params.value);
    protocol.save();
  }
  if (!from.equals(ZERO_ADDRESS)) changeBalance(event, from, false);
  if (!to.equals(ZERO_ADDRESS)) changeBalance(event, to, true);

  let entity = new TokenTransfer(eventId(event));
  entity.from = from;
  entity.to = to;
  entity.value = event.params.value;
  stamp(entity, event);
  entity.save();
}

export function handleApproval(event: Approval): void {
  let entity = new TokenApproval(eventId(event));
  entity.owner = event.params.owner;
  entity.spender = event.params.spender;
  entity.value = event.params.value;
  stamp(entity, event);
  entity.save();
}

export function handleDelegateChanged(event: DelegateChangedEvent): void {
  let delegator = getOrCreateAccount(event.params.delegator, event);
  if (event.params.toDelegate.equals(ZERO_ADDRESS)) delegator.delegate = null;
  else delegator.delegate = event.params.toDelegate;
  delegator.save();

  let entity = new DelegateChanged(eventId(event));
  entity.delegator = delegator.id;
  entity.fromDelegate = event.params.fromDelegate;
  entity.toDelegate = event.params.toDelegate;
  stamp(entity, event);
  entity.save();
}

export function handleDelegateVotesChanged(event: DelegateVotesChangedEvent): void {
  let delegate = getOrCreateAccount(event.params.delegate, event);
  delegate.votes = event.params.newVotes;
  delegate.save();

  let entity = new DelegateVotesChanged(eventId(event));
  entity.delegate = delegate.id;
  entity.previousVotes = event.params.previousVotes;
  entity.newVotes = event.params.newVotes;
  stamp(entity, event);
  entity.save();
}

export function handleEIP712DomainChanged(event: EIP712DomainChangedEvent): void {
  let entity = new EIP712DomainChanged(eventId(event));
  entity.contract = PLATFORM_TOKEN;
  stamp(entity, event);
  entity.save();
}

export function handleInitialized(event: Initialized): void {
  notePlatformToken(event);
  recordInitialized(event, PLATFORM_TOKEN, event.params.version);
}

export function handleUpgraded(event: Upgraded): void {
  recordUpgraded(event, PLATFORM_TOKEN, event.params.implementation);
}

export function handleAuthorityUpdated(event: AuthorityUpdated): void {
  recordAuthorityUpdated(event, PLATFORM_TOKEN, event.params.authority);
}
