// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Reputation and profiles
/// @notice Reviews only by the buyer of a completed (or resolved) order, at most once per buyer and
/// model whatever the number of orders; rating sums and counts per model and per seller; dispute
/// outcomes and proven bad deliveries per account; a profile URI and a unique handle.
interface IReputation {
    /// @notice The buyer of `orderId` reviewed `modelId` (sold by `seller`) with 1-5 stars.
    /// `paid` is true when the order paid a price above 0 (not a free claim).
    event ReviewSubmitted(
        uint256 indexed orderId,
        uint256 indexed modelId,
        address indexed reviewer,
        address seller,
        uint8 rating,
        string commentURI,
        bool paid
    );
    /// @notice The marketplace recorded a dispute's outcome: `winner` won against `loser`.
    /// For a split ruling both are recorded with `split == true` and neither counts as won or lost.
    event DisputeOutcomeRecorded(uint256 indexed orderId, address indexed winner, address indexed loser, bool split);
    /// @notice The buyer of `orderId` proved to the marketplace that `seller` delivered a key that does
    /// not match the model's commitment (the seller's fault; the buyer was refunded).
    event BadDeliveryRecorded(uint256 indexed orderId, uint256 indexed modelId, address indexed seller);
    /// @notice `account` set its handle (empty: none) and profile URI.
    event ProfileUpdated(address indexed account, string handle, string profileURI);

    error ReputationNotOrderBuyer(uint256 orderId, address account);
    error ReputationOrderNotCompleted(uint256 orderId);
    error ReputationAlreadyReviewed(uint256 orderId);
    error ReputationNotMarketplace(address account);
    /// @notice `account` already reviewed `modelId` (one review per buyer and model).
    error ReputationAlreadyReviewedModel(uint256 modelId, address account);
    error ReputationInvalidRating(uint8 rating);
    error ReputationInvalidURI(uint256 length, uint256 maxLength);
    /// @notice A handle must be 3-32 characters of a-z, 0-9 and `_`.
    error ReputationInvalidHandle(string handle);
    error ReputationHandleTaken(string handle, address owner);

    /// @notice Reviews the model of a completed order. Only its buyer, once per model.
    function review(uint256 orderId, uint8 rating, string calldata commentURI) external;

    /// @notice Sets the caller's handle (empty to release it) and profile URI.
    function setProfile(string calldata handle, string calldata profileURI) external;

    /// @notice Records a dispute outcome. Only the marketplace.
    function recordDisputeOutcome(uint256 orderId, address winner, address loser, bool split) external;

    /// @notice Records a proven bad delivery, the seller's fault, as `BadDeliveryRecorded`. Only the
    /// marketplace (`ReputationNotMarketplace`).
    function recordBadDelivery(uint256 orderId, uint256 modelId, address seller) external;

    /// @notice Sum of stars and number of reviews of a model.
    function modelRating(uint256 modelId) external view returns (uint256 sum, uint256 count);
    /// @notice Sum of stars and number of reviews of a seller's models.
    function sellerRating(address seller) external view returns (uint256 sum, uint256 count);
    /// @notice Disputes won and lost by `account`.
    function disputeRecord(address account) external view returns (uint256 won, uint256 lost);
    function profileOf(address account) external view returns (string memory handle, string memory profileURI);
    /// @notice The holder of a handle (zero if free).
    function ownerOfHandle(string calldata handle) external view returns (address);
    /// @notice Whether the review of `orderId`'s buyer for its model is in (per order before the upgrade).
    function isReviewed(uint256 orderId) external view returns (bool);
    /// @notice Whether `account` reviewed `modelId` (reviews made before the upgrade are counted per order only).
    function hasReviewedModel(uint256 modelId, address account) external view returns (bool);

}
