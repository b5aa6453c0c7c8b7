// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManagedUpgradeable} from "@openzeppelin/contracts-upgradeable/access/manager/AccessManagedUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {IArbitrable} from "./interfaces/IArbitrable.sol";
import {IArbitration} from "./interfaces/IArbitration.sol";
import {IArbitrator} from "./interfaces/IArbitrator.sol";

/// @title Arbitration by the protocol's arbiter panel
/// @notice An ERC-792 arbitrator whose rulings are given by members of the ARBITER role. Rulings are
/// final (no appeals); an external court such as Kleros can replace it in the marketplace. Only
/// arbitrables holding the ARBITRABLE role open disputes; a dispute's fee is held until the ruling
/// and returned if the arbitrable closes the dispute otherwise.
contract Arbitration is Initializable, AccessManagedUpgradeable, UUPSUpgradeable, IArbitration {
    /// @notice Gas given to the push of a returned fee (a failed push leaves the fee to the treasurer).
    uint256 public constant FEE_REFUND_GAS = 30_000;

    /// @custom:storage-location erc7201:ai-model-marketplace.storage.Arbitration
    struct ArbitrationStorage {
        uint256 disputeCount;
        uint256 cost;
        mapping(uint256 disputeId => DisputeData) disputes;
        // Appended by the upgrade: fees of disputes waiting for a ruling.
        uint256 heldFees;
    }

    // keccak256(abi.encode(uint256(keccak256("ai-model-marketplace.storage.Arbitration")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant ARBITRATION_STORAGE_LOCATION =
        0x3393faf3e3f9d2e6e66580d941c8ef5f4e72ef2f552f2dc4505259db3de0ea00;

    function _getArbitrationStorage() private pure returns (ArbitrationStorage storage $) {
        assembly {
            $.slot := ARBITRATION_STORAGE_LOCATION
        }
    }

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @param authority the protocol's AccessManager
    function initialize(address authority) external initializer {
        __AccessManaged_init(authority);
    }

    /// @inheritdoc IArbitrator
    /// @dev Only the ARBITRABLE role (AccessManager-restricted). Dispute ids start at 1. The fee is held
    /// until the ruling (then the treasurer may withdraw it) or returned if the dispute is cancelled.
    function createDispute(uint256 choices, bytes calldata) external payable restricted returns (uint256 disputeId) {
        ArbitrationStorage storage $ = _getArbitrationStorage();
        if (msg.value < $.cost) revert ArbitrationInsufficientFee(msg.value, $.cost);
        disputeId = ++$.disputeCount;
        DisputeData storage d = $.disputes[disputeId]; // status Waiting, ruling 0
        d.arbitrable = IArbitrable(msg.sender);
        d.choices = choices;
        if (msg.value != 0) {
            d.fee = uint128(msg.value);
            $.heldFees += msg.value;
        }
        emit DisputeCreation(disputeId, IArbitrable(msg.sender));
    }

    /// @inheritdoc IArbitration
    function giveRuling(uint256 disputeId, uint256 ruling) external restricted {
        DisputeData storage d = _waiting(disputeId);
        if (ruling > d.choices) revert ArbitrationInvalidRuling(disputeId, ruling, d.choices);
        d.status = DisputeStatus.Solved;
        d.ruling = ruling;
        uint256 fee = d.fee;
        if (fee != 0) _getArbitrationStorage().heldFees -= fee;
        emit DisputeRuled(disputeId, msg.sender, ruling);
        d.arbitrable.rule(disputeId, ruling);
    }

    /// @inheritdoc IArbitration
    function cancelDispute(uint256 disputeId, address payable refundTo) external {
        DisputeData storage d = _waiting(disputeId);
        if (msg.sender != address(d.arbitrable)) revert ArbitrationNotArbitrable(disputeId, msg.sender);
        d.status = DisputeStatus.Solved;
        d.cancelled = true;
        uint256 fee = d.fee;
        if (fee != 0) _getArbitrationStorage().heldFees -= fee;
        emit DisputeCancelled(disputeId, refundTo, fee);
        if (fee == 0) return;
        (bool sent,) = refundTo.call{value: fee, gas: FEE_REFUND_GAS}("");
        if (!sent) emit FeeRefundFailed(disputeId, refundTo, fee);
    }

    /// @inheritdoc IArbitration
    function setArbitrationCost(uint256 cost) external restricted {
        _getArbitrationStorage().cost = cost;
        emit ArbitrationCostChanged(cost);
    }

    /// @inheritdoc IArbitration
    function withdrawFees(address payable to) external restricted {
        uint256 amount = address(this).balance - _getArbitrationStorage().heldFees;
        emit FeesWithdrawn(to, amount);
        Address.sendValue(to, amount);
    }

    /// @inheritdoc IArbitrator
    function arbitrationCost(bytes calldata) external view returns (uint256) {
        return _getArbitrationStorage().cost;
    }

    /// @inheritdoc IArbitrator
    function appeal(uint256, bytes calldata) external payable {
        revert ArbitrationAppealsUnsupported();
    }

    /// @inheritdoc IArbitrator
    /// @dev Appeals are unsupported: the cost is unpayable.
    function appealCost(uint256, bytes calldata) external pure returns (uint256) {
        return type(uint256).max;
    }

    /// @inheritdoc IArbitrator
    function appealPeriod(uint256) external pure returns (uint256 start, uint256 end) {
        return (0, 0);
    }

    /// @inheritdoc IArbitrator
    function disputeStatus(uint256 disputeId) external view returns (DisputeStatus) {
        return _dispute(disputeId).status;
    }

    /// @inheritdoc IArbitrator
    function currentRuling(uint256 disputeId) external view returns (uint256) {
        return _dispute(disputeId).ruling;
    }

    /// @inheritdoc IArbitration
    function getDispute(uint256 disputeId) external view returns (DisputeData memory) {
        return _dispute(disputeId);
    }

    /// @inheritdoc IArbitration
    function disputeCount() external view returns (uint256) {
        return _getArbitrationStorage().disputeCount;
    }

    /// @inheritdoc IArbitration
    function heldFees() external view returns (uint256) {
        return _getArbitrationStorage().heldFees;
    }

    function _dispute(uint256 disputeId) private view returns (DisputeData storage d) {
        d = _getArbitrationStorage().disputes[disputeId];
        if (address(d.arbitrable) == address(0)) revert ArbitrationUnknownDispute(disputeId);
    }

    function _waiting(uint256 disputeId) private view returns (DisputeData storage d) {
        d = _dispute(disputeId);
        if (d.cancelled) revert ArbitrationDisputeCancelled(disputeId);
        if (d.status == DisputeStatus.Solved) revert ArbitrationAlreadyRuled(disputeId);
    }

    /// @dev Upgrades are allowed to the UPGRADER role through the AccessManager.
    function _authorizeUpgrade(address) internal override restricted {}
}
