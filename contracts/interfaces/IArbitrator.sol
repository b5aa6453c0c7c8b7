// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IArbitrable} from "./IArbitrable.sol";

/// @title ERC-792 arbitrator
/// @notice The standard interface an arbitrable contract talks to, so that an external court
/// (such as Kleros) can replace the protocol's own arbiter panel.
interface IArbitrator {
    enum DisputeStatus {
        Waiting,
        Appealable,
        Solved
    }

    /// @notice A dispute was created for `arbitrable`.
    event DisputeCreation(uint256 indexed _disputeID, IArbitrable indexed _arbitrable);
    /// @notice A ruling can be appealed.
    event AppealPossible(uint256 indexed _disputeID, IArbitrable indexed _arbitrable);
    /// @notice A ruling was appealed.
    event AppealDecision(uint256 indexed _disputeID, IArbitrable indexed _arbitrable);

    /// @notice Creates a dispute; the caller is the arbitrable contract. Must pay `arbitrationCost`.
    function createDispute(uint256 _choices, bytes calldata _extraData) external payable returns (uint256 disputeID);

    /// @notice The cost in wei of creating a dispute.
    function arbitrationCost(bytes calldata _extraData) external view returns (uint256 cost);

    /// @notice Appeals a ruling (not supported by the protocol's arbiter panel: always reverts).
    function appeal(uint256 _disputeID, bytes calldata _extraData) external payable;

    /// @notice The cost of an appeal.
    function appealCost(uint256 _disputeID, bytes calldata _extraData) external view returns (uint256 cost);

    /// @notice The appeal period of a dispute (start and end timestamps; both 0 when not appealable).
    function appealPeriod(uint256 _disputeID) external view returns (uint256 start, uint256 end);

    /// @notice The status of a dispute.
    function disputeStatus(uint256 _disputeID) external view returns (DisputeStatus status);

    /// @notice The current ruling of a dispute (0 while none).
    function currentRuling(uint256 _disputeID) external view returns (uint256 ruling);
}
