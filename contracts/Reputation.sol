// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManagedUpgradeable} from "@openzeppelin/contracts-upgradeable/access/manager/AccessManagedUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IMarketplace} from "./interfaces/IMarketplace.sol";
import {IReputation} from "./interfaces/IReputation.sol";

/// @title Reputation and profiles
/// @notice Verified reviews (only the buyer of a completed or resolved order, once per model), rating
/// aggregates per model and per seller (the model's owner when reviewed), dispute records, proven bad
/// deliveries, handles.
contract Reputation is Initializable, AccessManagedUpgradeable, UUPSUpgradeable, IReputation {
    uint256 public constant MAX_URI = 256;
    uint256 public constant MIN_HANDLE = 3;
    uint256 public constant MAX_HANDLE = 32;

    /// @dev A sum of stars and a count, packed in one slot.
    struct Rating {
        uint128 sum;
        uint128 count;
    }

    struct DisputeRecord {
        uint128 won;
        uint128 lost;
    }

    struct Profile {
        string handle;
        string profileURI;
    }

    /// @custom:storage-location erc7201:ai-model-marketplace.storage.Reputation
    struct ReputationStorage {
        IERC721 registry;
        IMarketplace marketplace;
        mapping(uint256 orderId => bool) reviewed;
        mapping(uint256 modelId => Rating) modelRatings;
        mapping(address seller => Rating) sellerRatings;
        mapping(address account => DisputeRecord) disputeRecords;
        mapping(address account => Profile) profiles;
        mapping(bytes32 handleHash => address) handleOwners;
        // Appended by the provable-delivery upgrade.
        mapping(address account => mapping(uint256 modelId => bool)) reviewedModels;
    }

    // keccak256(abi.encode(uint256(keccak256("ai-model-marketplace.storage.Reputation")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant REPUTATION_STORAGE_LOCATION =
        0xacdce999b9a9062918f82b5d09e2f0ff84483003acd9b7a3705cc270cefa7600;

    /// @notice The marketplace whose orders entitle reviews changed.
    event MarketplaceChanged(address marketplace);

    function _getReputationStorage() private pure returns (ReputationStorage storage $) {
        assembly {
            $.slot := REPUTATION_STORAGE_LOCATION
        }
    }

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @param authority the protocol's AccessManager
    /// @param registry the model registry (its ERC-721 owner is a model's seller)
    /// @dev The marketplace is set afterwards (`setMarketplace`): it is deployed knowing this contract.
    function initialize(address authority, address registry) external initializer {
        __AccessManaged_init(authority);
        _getReputationStorage().registry = IERC721(registry);
    }

    /// @notice Sets the marketplace whose orders entitle reviews. Only the ADMIN role.
    function setMarketplace(address marketplace_) external restricted {
        _getReputationStorage().marketplace = IMarketplace(marketplace_);
        emit MarketplaceChanged(marketplace_);
    }

    /// @inheritdoc IReputation
    function review(uint256 orderId, uint8 rating, string calldata commentURI) external {
        ReputationStorage storage $ = _getReputationStorage();
        IMarketplace.Order memory order = $.marketplace.getOrder(orderId);
        if (order.buyer != msg.sender) revert ReputationNotOrderBuyer(orderId, msg.sender);
        if (order.status != IMarketplace.OrderStatus.Completed && order.status != IMarketplace.OrderStatus.Resolved) {
            revert ReputationOrderNotCompleted(orderId);
        }
        // Orders reviewed before the upgrade are marked per order; later reviews per buyer and model.
        if ($.reviewed[orderId]) revert ReputationAlreadyReviewed(orderId);
        if ($.reviewedModels[msg.sender][order.modelId]) revert ReputationAlreadyReviewedModel(order.modelId, msg.sender);
        if (rating < 1 || rating > 5) revert ReputationInvalidRating(rating);
        if (bytes(commentURI).length > MAX_URI) revert ReputationInvalidURI(bytes(commentURI).length, MAX_URI);
        address seller = $.registry.ownerOf(order.modelId);
        $.reviewedModels[msg.sender][order.modelId] = true;
        _add($.modelRatings[order.modelId], rating);
        _add($.sellerRatings[seller], rating);
        emit ReviewSubmitted(orderId, order.modelId, msg.sender, seller, rating, commentURI, order.amount != 0);
    }

    /// @inheritdoc IReputation
    function setProfile(string calldata handle, string calldata profileURI) external {
        if (bytes(profileURI).length > MAX_URI) revert ReputationInvalidURI(bytes(profileURI).length, MAX_URI);
        ReputationStorage storage $ = _getReputationStorage();
        Profile storage profile = $.profiles[msg.sender];
        bytes32 newHash = keccak256(bytes(handle));
        bytes32 oldHash = keccak256(bytes(profile.handle));
        if (newHash != oldHash) {
            if (bytes(handle).length != 0) {
                _validateHandle(handle);
                address owner = $.handleOwners[newHash];
                if (owner != address(0)) revert ReputationHandleTaken(handle, owner);
                $.handleOwners[newHash] = msg.sender;
            }
            if (bytes(profile.handle).length != 0) delete $.handleOwners[oldHash];
            profile.handle = handle;
        }
        profile.profileURI = profileURI;
        emit ProfileUpdated(msg.sender, handle, profileURI);
    }

    /// @inheritdoc IReputation
    /// @dev Restricted to the PROTOCOL role, which the deployment grants to the marketplace.
    function recordDisputeOutcome(uint256 orderId, address winner, address loser, bool split) external restricted {
        if (!split) {
            ReputationStorage storage $ = _getReputationStorage();
            ++$.disputeRecords[winner].won;
            ++$.disputeRecords[loser].lost;
        }
        emit DisputeOutcomeRecorded(orderId, winner, loser, split);
    }

    /// @inheritdoc IReputation
    /// @dev Only the marketplace this contract points at, checked directly rather than through the
    /// AccessManager: the call is on the proof's gas budget (≤ 100,000). The record is the event.
    function recordBadDelivery(uint256 orderId, uint256 modelId, address seller) external {
        if (msg.sender != address(_getReputationStorage().marketplace)) revert ReputationNotMarketplace(msg.sender);
        emit BadDeliveryRecorded(orderId, modelId, seller);
    }

    /// @inheritdoc IReputation
    function modelRating(uint256 modelId) external view returns (uint256 sum, uint256 count) {
        Rating storage r = _getReputationStorage().modelRatings[modelId];
        return (r.sum, r.count);
    }

    /// @inheritdoc IReputation
    function sellerRating(address seller) external view returns (uint256 sum, uint256 count) {
        Rating storage r = _getReputationStorage().sellerRatings[seller];
        return (r.sum, r.count);
    }

    /// @inheritdoc IReputation
    function disputeRecord(address account) external view returns (uint256 won, uint256 lost) {
        DisputeRecord storage r = _getReputationStorage().disputeRecords[account];
        return (r.won, r.lost);
    }

    /// @inheritdoc IReputation
    function profileOf(address account) external view returns (string memory handle, string memory profileURI) {
        Profile storage p = _getReputationStorage().profiles[account];
        return (p.handle, p.profileURI);
    }

    /// @inheritdoc IReputation
    function ownerOfHandle(string calldata handle) external view returns (address) {
        return _getReputationStorage().handleOwners[keccak256(bytes(handle))];
    }

    /// @inheritdoc IReputation
    function isReviewed(uint256 orderId) external view returns (bool) {
        ReputationStorage storage $ = _getReputationStorage();
        if ($.reviewed[orderId]) return true;
        try $.marketplace.getOrder(orderId) returns (IMarketplace.Order memory order) {
            return $.reviewedModels[order.buyer][order.modelId];
        } catch {
            return false; // an unknown order
        }
    }

    /// @inheritdoc IReputation
    function hasReviewedModel(uint256 modelId, address account) external view returns (bool) {
        return _getReputationStorage().reviewedModels[account][modelId];
    }

    /// @notice The marketplace whose orders entitle reviews.
    function marketplace() external view returns (IMarketplace) {
        return _getReputationStorage().marketplace;
    }

    function _add(Rating storage r, uint8 rating) private {
        r.sum += rating;
        r.count += 1;
    }

    function _validateHandle(string calldata handle) private pure {
        bytes calldata b = bytes(handle);
        if (b.length < MIN_HANDLE || b.length > MAX_HANDLE) revert ReputationInvalidHandle(handle);
        for (uint256 i; i < b.length; ++i) {
            bytes1 c = b[i];
            if (!((c >= "a" && c <= "z") || (c >= "0" && c <= "9") || c == "_")) revert ReputationInvalidHandle(handle);
        }
    }

    /// @dev Upgrades are allowed to the UPGRADER role through the AccessManager.
    function _authorizeUpgrade(address) internal override restricted {}
}
