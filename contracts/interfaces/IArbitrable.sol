// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IArbitrator} from "./IArbitrator.sol";

/// @title ERC-792 arbitrable
interface IArbitrable {
    /// @notice The arbitrator gave its final ruling on a dispute.
    event Ruling(IArbitrator indexed _arbitrator, uint256 indexed _disputeID, uint256 _ruling);

    /// @notice Called by the arbitrator to enforce its final ruling.
    function rule(uint256 _disputeID, uint256 _ruling) external;
}
