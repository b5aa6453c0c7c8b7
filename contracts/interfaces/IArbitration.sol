// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IArbitrable} from "./IArbitrable.sol";
import {IArbitrator} from "./IArbitrator.sol";

/// @title The protocol's arbiter panel (ERC-792 arbitrator plus the protocol's extensions)
/// @notice Only allowed arbitrables (the ARBITRABLE role: the marketplace) open disputes. The fee of a
/// dispute is held until an arbiter rules (then it is earned and the treasurer may withdraw it); a
/// dispute its arbitrable settles otherwise (by default after the ruling deadline, by the parties, or
/// by a proof of bad delivery) is cancelled and its fee returned.
interface IArbitration is IArbitrator {
    /// @notice What the arbitration keeps of a dispute.
    struct DisputeData {
        IArbitrable arbitrable;
        DisputeStatus status;
        uint256 choices;
        uint256 ruling;
        // Appended by the upgrade; 0 / false for disputes created before it.
        uint128 fee; // the fee paid, held until the ruling
        bool cancelled;
    }

    /// @notice An arbiter ruled on a dispute (the arbitrable emits the standard `Ruling`).
    event DisputeRuled(uint256 indexed disputeId, address indexed arbiter, uint256 ruling);
    /// @notice The arbitrable closed a dispute without a ruling; `fee` was sent back to `refundTo`.
    event DisputeCancelled(uint256 indexed disputeId, address indexed refundTo, uint256 fee);
    /// @notice Sending a cancelled dispute's fee back failed; the fee became withdrawable by the treasurer.
    event FeeRefundFailed(uint256 indexed disputeId, address indexed refundTo, uint256 fee);
    event ArbitrationCostChanged(uint256 cost);
    event FeesWithdrawn(address indexed to, uint256 amount);

    error ArbitrationUnknownDispute(uint256 disputeId);
    error ArbitrationAlreadyRuled(uint256 disputeId);
    error ArbitrationDisputeCancelled(uint256 disputeId);
    error ArbitrationInvalidRuling(uint256 disputeId, uint256 ruling, uint256 choices);
    error ArbitrationInsufficientFee(uint256 sent, uint256 required);
    error ArbitrationAppealsUnsupported();
    error ArbitrationNotArbitrable(uint256 disputeId, address account);

    /// @notice Gives the final ruling on a dispute and enforces it on the arbitrable. Only the ARBITER role.
    /// @param ruling 0 refuses to arbitrate; otherwise one of the dispute's choices
    function giveRuling(uint256 disputeId, uint256 ruling) external;

    /// @notice Closes a dispute without a ruling and sends its fee to `refundTo` (a push of at most
    /// 30,000 gas; if it fails the fee becomes the treasurer's). Only the dispute's arbitrable, while
    /// the dispute is waiting.
    function cancelDispute(uint256 disputeId, address payable refundTo) external;

    /// @notice Sets the fee of a new dispute, in wei. Only the TREASURER role.
    function setArbitrationCost(uint256 cost) external;

    /// @notice Sends the earned fees (of ruled disputes) to `to`. Only the TREASURER role.
    function withdrawFees(address payable to) external;

    /// @notice A dispute as kept here.
    function getDispute(uint256 disputeId) external view returns (DisputeData memory);

    /// @notice The number of disputes created so far (ids run from 1 to this).
    function disputeCount() external view returns (uint256);

    /// @notice Fees of disputes still waiting for a ruling (not withdrawable).
    function heldFees() external view returns (uint256);
}
