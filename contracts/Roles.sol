// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Role ids of the protocol's AccessManager
/// @notice One AccessManager holds every role, so that a timelock or a governor can own the protocol.
library Roles {
    /// @dev AccessManager's built-in admin role.
    uint64 internal constant ADMIN = 0;
    /// @notice May upgrade any proxy's implementation.
    uint64 internal constant UPGRADER = 1;
    /// @notice May pause and unpause new purchases.
    uint64 internal constant PAUSER = 2;
    /// @notice Members of the arbiter panel: may rule on disputes.
    uint64 internal constant ARBITER = 3;
    /// @notice May attest evaluations.
    uint64 internal constant EVALUATOR = 4;
    /// @notice Governance of the economics: fee, treasury, windows, payment tokens, arbitrator.
    uint64 internal constant TREASURER = 5;
    /// @notice May mint the platform token.
    uint64 internal constant MINTER = 6;
    /// @notice The protocol's own contracts calling each other (the marketplace recording dispute outcomes).
    uint64 internal constant PROTOCOL = 7;
    /// @notice Arbitrables allowed to open disputes at the protocol's Arbitration (the marketplace).
    uint64 internal constant ARBITRABLE = 8;
}
