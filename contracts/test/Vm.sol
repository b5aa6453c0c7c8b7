// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice The few Foundry cheatcodes these tests use (EDR implements them at the standard address).
interface Vm {

    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function warp(uint256 timestamp) external;
    function expectRevert(bytes4 selector) external;
    function expectRevert(bytes calldata revertData) external;
    function assume(bool condition) external pure;
    function deal(address account, uint256 balance) external;
}

/// @notice A minimal test base: the cheatcodes, bounded fuzz inputs and equality checks.
abstract contract TestBase {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    error AssertionFailed(string what, uint256 actual, uint256 expected);

    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        return min + x % (max - min + 1);
    }

    function _assertEq(uint256 actual, uint256 expected, string memory what) internal pure {
        if (actual != expected) revert AssertionFailed(what, actual, expected);
    }

    function _assertLe(uint256 actual, uint256 bound, string memory what) internal pure {
        if (actual > bound) revert AssertionFailed(what, actual, bound);
    }
}
