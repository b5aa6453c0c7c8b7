// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IArbitrable} from "./IArbitrable.sol";
import {IEvidence} from "./IEvidence.sol";

/// @title Marketplace (escrow)
/// @notice Buyers pay a model's price in an ERC-20 into escrow with a per-order secp256k1 delivery
/// key `B`; the seller delivers the model key encrypted to `B` (a point `R` and a 32-byte `c`, see
/// `DeliveryMath`); the buyer confirms, or the dispute window passes, and the seller's proceeds (price
/// minus the platform fee) become withdrawable. A delivered key that does not match the key commitment
/// the order snapshotted at purchase is proven to the contract by the buyer (`proveBadDelivery`):
/// full refund, no arbiter. Other disagreements go to an ERC-792 arbitrator, or the parties settle
/// between themselves. Free models are licensed at once.
/// @dev Conservation: the escrow's balance of each token equals the amounts of open orders
/// (Created, Delivered, Disputed) plus unclaimed payouts.
interface IMarketplace is IArbitrable, IEvidence {
    enum OrderStatus {
        None,
        Created, // paid, waiting for delivery
        Delivered, // key posted, dispute window open
        Completed, // released to the seller (confirmed, or the window passed); licensed
        Refunded, // everything returned to the buyer; not licensed
        Disputed, // waiting for the arbitrator's ruling
        Resolved // ruled for the seller or split; licensed
    }

    /// @notice Why an order was refunded.
    enum RefundReason {
        DeliveryTimeout,
        SellerDeclined,
        Ruling,
        BadDelivery, // the buyer proved the delivered key does not match the commitment
        Settlement // the parties agreed that the buyer gets everything back
    }

    /// @notice An order as stored (packed in three slots).
    struct Order {
        address buyer;
        uint32 modelId;
        uint40 deadline; // delivery deadline (Created), dispute deadline (Delivered), ruling deadline (Disputed)
        OrderStatus status;
        uint16 feeBps; // the platform fee when the order was created
        address token;
        uint96 amount; // what the buyer paid
        // Appended by the provable-delivery upgrade; both are 0 for orders made before it (and for
        // free licenses, whose version is in their OrderCreated event only).
        uint32 version; // the model's latest version when the order was paid
        // keccak256(binding of B, key commitment) truncated to 224 bits at purchase, then
        // keccak256(that, R.x, R[0], c, seller) truncated at delivery (see DeliveryMath); 0 for orders made before the upgrade
        bytes28 deliveryCheck;
    }

    /// @notice A buyer's proof that a delivery does not open to the committed key (`proveBadDelivery`).
    struct DeliveryProof {
        uint256 buyerSecret; // b, 0 < b < n, with B = b·G the order's buyer key
        bytes deliveryPoint; // R as in OrderDelivered
        bytes32 encryptedKey; // c as in OrderDelivered
        bytes32 keyCommitment; // as in OrderCreated (the registry's may have changed since)
        address seller; // who delivered, as in OrderDelivered
    }

    /// @notice The price of a model and how it would be split.
    struct Quote {
        address token;
        uint256 price;
        uint256 fee;
        uint256 sellerProceeds;
        uint16 feeBps;
    }

    /// @notice A buyer paid for a model (or took a free one: `amount`, `buyerKey` and `keyCommitment` empty).
    /// @param version the model's latest version at purchase
    /// @param buyerKey the per-order delivery key `B`, 64 bytes x‖y (uncompressed, no 0x04 prefix)
    /// @param keySalt the salt the buyer derived `b` with from its seed (opaque to the contract)
    /// @param keyCommitment the model's key commitment snapshotted into the order
    event OrderCreated(
        uint256 indexed orderId,
        uint256 indexed modelId,
        address indexed buyer,
        address seller,
        address token,
        uint256 amount,
        uint256 fee,
        uint32 version,
        bytes buyerKey,
        bytes32 keySalt,
        bytes32 keyCommitment,
        uint64 deliveryDeadline
    );
    /// @notice `seller` posted the model key encrypted to the order's `B`: `deliveryPoint` is
    /// `R = r·G` SEC1-compressed (33 bytes) and `encryptedKey` is `key XOR mask` (see DeliveryMath).
    event OrderDelivered(
        uint256 indexed orderId,
        address indexed seller,
        bytes deliveryPoint,
        bytes32 encryptedKey,
        uint64 disputeDeadline
    );
    /// @notice An order made before the provable-delivery upgrade was delivered in the old format: the
    /// model key HPKE-wrapped to the buyer's X25519 key.
    event OrderDeliveredWrapped(uint256 indexed orderId, bytes wrappedKey, uint64 disputeDeadline);
    /// @notice `party` (the buyer or the seller) offers to settle: the buyer gets `buyerShareBps` of the amount back.
    event SettlementOffered(uint256 indexed orderId, address indexed party, uint16 buyerShareBps);
    /// @notice The buyer and the seller agreed on the same share; the order is settled without a ruling.
    event OrderSettled(
        uint256 indexed orderId, uint16 buyerShareBps, uint256 buyerRefund, uint256 sellerProceeds, uint256 fee
    );
    /// @notice The Reputation call of a settlement failed; the settlement went through without it.
    event ReputationNotRecorded(uint256 indexed orderId);
    /// @notice The arbitrator holding the dispute of a settled order could not cancel it (its fee was not returned).
    event DisputeNotCancelled(uint256 indexed orderId, address indexed arbitrator, uint256 indexed disputeId);
    /// @notice The order was released to `seller`: by the buyer's confirmation or after the dispute window.
    event OrderCompleted(
        uint256 indexed orderId, address indexed seller, uint256 sellerProceeds, uint256 fee, bool confirmedByBuyer
    );
    /// @notice Everything the buyer paid was returned.
    event OrderRefunded(uint256 indexed orderId, address indexed buyer, uint256 amount, RefundReason reason);
    /// @notice The buyer disputed a delivered order.
    event OrderDisputed(uint256 indexed orderId, uint256 indexed disputeId, uint64 rulingDeadline);
    /// @notice A dispute was settled: by the arbitrator's ruling, or by the default rule after the ruling deadline.
    event DisputeResolved(
        uint256 indexed orderId,
        uint256 indexed disputeId,
        uint256 ruling,
        uint256 buyerRefund,
        uint256 sellerProceeds,
        uint256 fee,
        bool byDefault
    );
    /// @notice `account` now holds a license to `modelId` (and all its later versions).
    event LicenseGranted(uint256 indexed modelId, address indexed account, uint256 indexed orderId);
    /// @notice `amount` of `token` was credited to `account`, to be withdrawn.
    event PayoutCredited(address indexed account, address indexed token, uint256 amount);
    /// @notice `account` withdrew its payouts of `token`.
    event PayoutWithdrawn(address indexed account, address indexed token, uint256 amount);
    event FeeChanged(uint16 feeBps);
    event TreasuryChanged(address treasury);
    event WindowsChanged(uint32 deliveryWindow, uint32 disputeWindow, uint32 rulingWindow);
    event ArbitratorChanged(address arbitrator);

    error MarketplaceUnknownOrder(uint256 orderId);
    error MarketplaceWrongStatus(uint256 orderId, OrderStatus status);
    error MarketplaceNotBuyer(uint256 orderId, address account);
    error MarketplaceNotSeller(uint256 orderId, address account);
    error MarketplaceNotParty(uint256 orderId, address account);
    error MarketplaceNotArbitrator(address account);
    error MarketplaceModelInactive(uint256 modelId);
    error MarketplaceNotFree(uint256 modelId, uint256 price);
    /// @notice The price is above what the buyer accepted (a reprice front-ran the purchase).
    error MarketplacePriceAboveMax(uint256 modelId, uint256 price, uint256 maxPrice);
    error MarketplaceAmountTooLarge(uint256 price);
    /// @notice The escrow received a different amount than the price (fee-on-transfer tokens are refused).
    error MarketplaceTransferAmountMismatch(uint256 expected, uint256 received);
    error MarketplacePaymentTokenNotAllowed(address token);
    error MarketplaceSellerCannotBuy(uint256 modelId);
    /// @notice `buyerKey` is not 64 bytes x‖y of a secp256k1 point with 0 < x < n and y < p.
    error MarketplaceInvalidBuyerKey();
    /// @notice `deliveryPoint` is not a SEC1-compressed secp256k1 point with 0 < x < n.
    error MarketplaceInvalidDeliveryPoint();
    error MarketplaceInvalidWrappedKey();
    /// @notice The model's payment token is not the one the buyer named (a token switch front-ran the purchase).
    error MarketplacePaymentTokenMismatch(uint256 modelId, address token, address expectedToken);
    /// @notice A paid model without a key commitment cannot be bought (its seller sets one in the registry).
    error MarketplaceNoKeyCommitment(uint256 modelId);
    error MarketplaceKeyCommitmentMismatch(uint256 modelId, bytes32 keyCommitment, bytes32 expectedKeyCommitment);
    /// @notice The order carries no delivery check (made before the upgrade) or the call needs the other format.
    error MarketplaceWrongDeliveryFormat(uint256 orderId);
    /// @notice 0 < b < n is required.
    error MarketplaceInvalidBuyerSecret();
    /// @notice `b`, `R`, `c` or the commitment are not those of the order.
    error MarketplaceProofMismatch(uint256 orderId);
    /// @notice The delivered key matches the commitment: nothing to prove (and the key is now public).
    error MarketplaceDeliveryNotBad(uint256 orderId);
    error MarketplaceInvalidShare(uint256 buyerShareBps);
    /// @notice Not enough gas left to give the Reputation call its budget (settlement never depends on it).
    error MarketplaceInsufficientGas(uint256 gasLeft, uint256 required);
    error MarketplaceDeadlinePassed(uint256 orderId, uint256 deadline);
    error MarketplaceDeadlineNotReached(uint256 orderId, uint256 deadline);
    error MarketplaceFeeAboveCap(uint256 feeBps, uint256 maxFeeBps);
    error MarketplaceInvalidWindow(uint256 window, uint256 min, uint256 max);
    error MarketplaceInvalidRuling(uint256 ruling);
    error MarketplaceUnknownDispute(uint256 disputeId);
    error MarketplaceWrongArbitrationFee(uint256 sent, uint256 required);
    error MarketplaceNothingToWithdraw(address account, address token);
    error MarketplaceZeroAddress();

    /// @notice Pays `modelId`'s price into escrow (or licenses at once when it is free). The order
    /// records the model's latest version and snapshots its key commitment.
    /// @param paymentToken the token the buyer expects to pay in; reverts if the model's differs
    /// @param maxPrice the most the buyer accepts to pay; reverts if the price is higher
    /// @param keyCommitment the model's key commitment the buyer saw (and evaluators checked); a paid
    /// purchase reverts if the model's differs (`MarketplaceKeyCommitmentMismatch`), so a commitment
    /// changed in front of the purchase cannot be sold under the old one's checks; ignored when free
    /// @param buyerKey the per-order delivery key `B = b·G` as 64 bytes x‖y, with 0 < x < n, y < p and
    /// on the curve (`MarketplaceInvalidBuyerKey`); ignored for a free model (may be empty)
    /// @param keySalt emitted with the order so that the buyer can derive `b` again from its seed
    function purchase(
        uint256 modelId,
        address paymentToken,
        uint256 maxPrice,
        bytes32 keyCommitment,
        bytes calldata buyerKey,
        bytes32 keySalt
    ) external returns (uint256 orderId);

    /// @notice `purchase` with an EIP-2612 permit for the price instead of a prior approval.
    /// @dev A permit that fails (e.g. front-run) is ignored if the allowance already suffices.
    function purchaseWithPermit(
        uint256 modelId,
        address paymentToken,
        uint256 maxPrice,
        bytes32 keyCommitment,
        bytes calldata buyerKey,
        bytes32 keySalt,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 orderId);

    /// @notice Takes a license to a free model (no escrow, Completed at once).
    function claimFree(uint256 modelId) external returns (uint256 orderId);

    /// @notice Posts the model key encrypted to the order's `B`. Only the seller (the model's owner),
    /// before the delivery deadline. Reverts for a malformed `R` (not SEC1-compressed, x = 0, x >= n,
    /// or not on the curve). The contract cannot check `c` against the commitment (that needs `b`): the
    /// SDK checks it before sending.
    /// @param deliveryPoint `R = r·G` SEC1-compressed (33 bytes), `r` fresh for each delivery
    /// @param encryptedKey `c = key XOR keccak256(abi.encode(MASK_TAG, chainid, marketplace, orderId,
    /// bytes32 R.x, uint256 R[0], address(r·B)))` (see DeliveryMath)
    function deliver(uint256 orderId, bytes calldata deliveryPoint, bytes32 encryptedKey) external;

    /// @notice Delivers an order made before the provable-delivery upgrade (no delivery check) in the
    /// old format: the model key HPKE-wrapped to the buyer's X25519 key. Only the seller, while Created.
    function deliverWrapped(uint256 orderId, bytes calldata wrappedKey) external;

    /// @notice Proves that the key delivered for `orderId` does not match the key commitment the order
    /// snapshotted: the buyer is refunded in full (to `order.buyer`, whoever sends the proof), the
    /// seller's fault is recorded in Reputation (`BadDeliveryRecorded`, against the seller who
    /// delivered); the marketplace emits `OrderRefunded` with reason `BadDelivery`. While Delivered or
    /// Disputed (an open dispute is cancelled and its fee returned to the buyer). Reveals `b`, which
    /// opens this delivery only. Reverts `MarketplaceProofMismatch` unless b, R, c, the commitment and
    /// the seller are the order's, `MarketplaceDeliveryNotBad` when the key matches (never send that:
    /// it publishes the key).
    function proveBadDelivery(uint256 orderId, DeliveryProof calldata proof) external;

    /// @notice The buyer or the seller offers to settle a Delivered or Disputed order: the buyer gets
    /// `buyerShareBps` (0..10000) of the amount back, the seller the rest minus the fee. When the other
    /// party has offered the same share the order settles at once: Refunded for 10000, otherwise
    /// Resolved and licensed; an open dispute is cancelled and its fee returned to the buyer. An offer
    /// stands until replaced; no win or loss is recorded.
    function offerSettlement(uint256 orderId, uint16 buyerShareBps) external;

    /// @notice Refuses an order; the buyer is refunded in full. Only the seller, while Created.
    function declineOrder(uint256 orderId) external;

    /// @notice The buyer accepts the delivery; the seller's proceeds are credited.
    function confirm(uint256 orderId) external;

    /// @notice Releases a delivered order after the dispute window passed. Anyone.
    function release(uint256 orderId) external;

    /// @notice Refunds an order that was not delivered by its deadline. Anyone.
    function refund(uint256 orderId) external;

    /// @notice The buyer disputes a delivery within the dispute window, with evidence (a JSON file's URI).
    /// Send the arbitrator's `arbitrationCost` as value.
    function dispute(uint256 orderId, string calldata evidenceURI) external payable returns (uint256 disputeId);

    /// @notice The buyer or the seller adds evidence to a disputed order.
    function submitEvidence(uint256 orderId, string calldata evidenceURI) external;

    /// @notice Settles a dispute the arbitrator did not rule on by its deadline: split 50/50 (the default
    /// rule), the dispute cancelled at the arbitrator and its fee returned to the buyer. Anyone.
    function settleExpiredDispute(uint256 orderId) external;

    /// @notice Withdraws the caller's credited payouts of `token`.
    function withdraw(address token) external returns (uint256 amount);

    function setFee(uint16 feeBps) external;
    function setTreasury(address treasury) external;
    function setWindows(uint32 deliveryWindow, uint32 disputeWindow, uint32 rulingWindow) external;
    function setArbitrator(address arbitrator) external;
    function pause() external;
    function unpause() external;

    /// @notice The order `orderId`; reverts for an unknown one.
    function getOrder(uint256 orderId) external view returns (Order memory);
    /// @notice The standing settlement offer of `party` for `orderId`: (false, 0) when none.
    function settlementOffer(uint256 orderId, address party) external view returns (bool offered, uint16 buyerShareBps);
    /// @notice The order a dispute belongs to.
    function orderOfDispute(uint256 disputeId) external view returns (uint256 orderId);
    /// @notice What buying `modelId` now costs and how the price would be split.
    function quote(uint256 modelId) external view returns (Quote memory);
    /// @notice Whether `account` holds a license to `modelId`.
    function hasLicense(uint256 modelId, address account) external view returns (bool);
    /// @notice Credited, unwithdrawn payouts of `account` in `token`.
    function payoutOf(address account, address token) external view returns (uint256);
    function orderCount() external view returns (uint256);
    function feeBps() external view returns (uint16);
    function treasury() external view returns (address);
    function windows() external view returns (uint32 deliveryWindow, uint32 disputeWindow, uint32 rulingWindow);
    function arbitrator() external view returns (address);
}
