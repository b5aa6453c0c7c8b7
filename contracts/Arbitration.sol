// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManagedUpgradeable} from "@openzeppelin/contracts-upgradeable/access/manager/AccessManagedUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {IArbitrable} from "./interfaces/IArbitrable.sol";
import {IArbitrator} from "./interfaces/IArbitrator.sol";

/// @title Arbitration by the protocol's arbiter panel
/// @notice An ERC-792 arbitrator whose rulings are given by members of the ARBITER role. Rulings are
/// final (no appeals); an external court such as Kleros can replace it in the marketplace.
contract Arbitration is Initializable, AccessManagedUpgradeable, UUPSUpgradeable, IArbitrator {
    struct DisputeData {
        IArbitrable arbitrable;
        DisputeStatus status;
        uint256 choices;
        uint256 ruling;
    }

    /// @custom:storage-location erc7201:ai-model-marketplace.storage.Arbitration
    struct ArbitrationStorage {
        uint256 disputeCount;
        uint256 cost;
        mapping(uint256 disputeId => DisputeData) disputes;
    }

    // keccak256(abi.encode(uint256(keccak256("ai-model-marketplace.storage.Arbitration")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant ARBITRATION_STORAGE_LOCATION =
        0x3393faf3e3f9d2e6e66580d941c8ef5f4e72ef2f552f2dc4505259db3de0ea00;

    /// @notice An arbiter ruled on a dispute (the arbitrable emits the standard `Ruling`).
    event DisputeRuled(uint256 indexed disputeId, address indexed arbiter, uint256 ruling);
    event ArbitrationCostChanged(uint256 cost);
    event FeesWithdrawn(address indexed to, uint256 amount);

    error ArbitrationUnknownDispute(uint256 disputeId);
    error ArbitrationAlreadyRuled(uint256 disputeId);
    error ArbitrationInvalidRuling(uint256 disputeId, uint256 ruling, uint256 choices);
    error ArbitrationInsufficientFee(uint256 sent, uint256 required);
    error ArbitrationAppealsUnsupported();

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
    /// @dev Dispute ids start at 1. The fee stays here until the treasurer withdraws it.
    function createDispute(uint256 choices, bytes calldata) external payable returns (uint256 disputeId) {
        ArbitrationStorage storage $ = _getArbitrationStorage();
        if (msg.value < $.cost) revert ArbitrationInsufficientFee(msg.value, $.cost);
        disputeId = ++$.disputeCount;
        $.disputes[disputeId] = DisputeData({
            arbitrable: IArbitrable(msg.sender), status: DisputeStatus.Waiting, choices: choices, ruling: 0
        });
        emit DisputeCreation(disputeId, IArbitrable(msg.sender));
    }

    /// @notice Gives the final ruling on a dispute and enforces it on the arbitrable. Only the ARBITER role.
    /// @param ruling 0 refuses to arbitrate; otherwise one of the dispute's choices
    function giveRuling(uint256 disputeId, uint256 ruling) external restricted {
        DisputeData storage d = _dispute(disputeId);
        if (d.status == DisputeStatus.Solved) revert ArbitrationAlreadyRuled(disputeId);
        if (ruling > d.choices) revert ArbitrationInvalidRuling(disputeId, ruling, d.choices);
        d.status = DisputeStatus.Solved;
        d.ruling = ruling;
        emit DisputeRuled(disputeId, msg.sender, ruling);
        d.arbitrable.rule(disputeId, ruling);
    }

    /// @notice Sets the fee of a new dispute, in wei. Only the TREASURER role.
    function setArbitrationCost(uint256 cost) external restricted {
        _getArbitrationStorage().cost = cost;
        emit ArbitrationCostChanged(cost);
    }

    /// @notice Sends the collected dispute fees to `to`. Only the TREASURER role.
    function withdrawFees(address payable to) external restricted {
        uint256 amount = address(this).balance;
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

    /// @notice The arbitrable contract that created a dispute, and its number of choices.
    function getDispute(uint256 disputeId) external view returns (DisputeData memory) {
        return _dispute(disputeId);
    }

    /// @notice The number of disputes created so far (ids run from 1 to this).
    function disputeCount() external view returns (uint256) {
        return _getArbitrationStorage().disputeCount;
    }

    function _dispute(uint256 disputeId) private view returns (DisputeData storage d) {
        d = _getArbitrationStorage().disputes[disputeId];
        if (address(d.arbitrable) == address(0)) revert ArbitrationUnknownDispute(disputeId);
    }

    /// @dev Upgrades are allowed to the UPGRADER role through the AccessManager.
    function _authorizeUpgrade(address) internal override restricted {}
}
