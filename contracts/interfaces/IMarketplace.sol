// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IArbitrable} from "./IArbitrable.sol";
import {IEvidence} from "./IEvidence.sol";

/// @title Marketplace (escrow)
/// @notice Buyers pay a model's price in an ERC-20 into escrow; the seller delivers the model key
/// wrapped to the buyer's X25519 public key; the buyer confirms, or the dispute window passes, and the
/// seller's proceeds (price minus the platform fee) become withdrawable. Disputes go to an ERC-792
/// arbitrator. Free models are licensed at once.
/// @dev Conservation: the escrow's balance of each token equals the amounts of open orders
/// (Created, Delivered, Disputed) plus unclaimed payouts.
interface IMarketplace is IArbitrable, IEvidence {
    enum OrderStatus {
        None,
        Created, // paid, waiting for delivery
        Delivered, // wrapped key posted, dispute window open
        Completed, // released to the seller (confirmed, or the window passed); licensed
        Refunded, // everything returned to the buyer; not licensed
        Disputed, // waiting for the arbitrator's ruling
        Resolved // ruled for the seller or split; licensed
    }

    /// @notice Why an order was refunded.
    enum RefundReason {
        DeliveryTimeout,
        SellerDeclined,
        Ruling
    }

    /// @notice An order as stored (packed in two slots).
    struct Order {
        address buyer;
        uint32 modelId;
        uint40 deadline; // delivery deadline (Created), dispute deadline (Delivered), ruling deadline (Disputed)
        OrderStatus status;
        uint16 feeBps; // the platform fee when the order was created
        address token;
        uint96 amount; // what the buyer paid
    }

    /// @notice The price of a model and how it would be split.
    struct Quote {
        address token;
        uint256 price;
        uint256 fee;
        uint256 sellerProceeds;
        uint16 feeBps;
    }

    /// @notice A buyer paid for a model. `buyerPublicKey` is the X25519 key the seller wraps the model key to.
    event OrderCreated(
        uint256 indexed orderId,
        uint256 indexed modelId,
        address indexed buyer,
        address seller,
        address token,
        uint256 amount,
        uint256 fee,
        bytes32 buyerPublicKey,
        uint64 deliveryDeadline
    );
    /// @notice The seller posted the model key wrapped to the buyer (HPKE, about 80 bytes).
    event OrderDelivered(uint256 indexed orderId, bytes wrappedKey, uint64 disputeDeadline);
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
    error MarketplaceInvalidPublicKey();
    error MarketplaceInvalidWrappedKey();
    error MarketplaceDeadlinePassed(uint256 orderId, uint256 deadline);
    error MarketplaceDeadlineNotReached(uint256 orderId, uint256 deadline);
    error MarketplaceFeeAboveCap(uint256 feeBps, uint256 maxFeeBps);
    error MarketplaceInvalidWindow(uint256 window, uint256 min, uint256 max);
    error MarketplaceInvalidRuling(uint256 ruling);
    error MarketplaceUnknownDispute(uint256 disputeId);
    error MarketplaceWrongArbitrationFee(uint256 sent, uint256 required);
    error MarketplaceNothingToWithdraw(address account, address token);
    error MarketplaceZeroAddress();

    /// @notice Pays `modelId`'s price into escrow (or licenses at once when it is free).
    /// @param maxPrice the most the buyer accepts to pay; reverts if the price is higher
    /// @param buyerPublicKey the buyer's X25519 public key (not zero for a paid model)
    function purchase(uint256 modelId, uint256 maxPrice, bytes32 buyerPublicKey) external returns (uint256 orderId);

    /// @notice `purchase` with an EIP-2612 permit for the price instead of a prior approval.
    /// @dev A permit that fails (e.g. front-run) is ignored if the allowance already suffices.
    function purchaseWithPermit(
        uint256 modelId,
        uint256 maxPrice,
        bytes32 buyerPublicKey,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 orderId);

    /// @notice Takes a license to a free model (no escrow, Completed at once).
    function claimFree(uint256 modelId) external returns (uint256 orderId);

    /// @notice Posts the wrapped model key. Only the seller (the model's owner), before the delivery deadline.
    function deliver(uint256 orderId, bytes calldata wrappedKey) external;

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

    /// @notice Settles a dispute the arbitrator did not rule on by its deadline: split 50/50 (the default rule). Anyone.
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
