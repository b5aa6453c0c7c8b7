// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManagedUpgradeable} from "@openzeppelin/contracts-upgradeable/access/manager/AccessManagedUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";

/// @notice An incompatible upgrade: a field inserted at the front of the V1 namespace shifts every other one.
contract ReputationV2Incompatible is AccessManagedUpgradeable, UUPSUpgradeable {
    /// @custom:storage-location erc7201:ai-model-marketplace.storage.Reputation
    struct ReputationStorage {
        uint256 reviewCount;
        address registry;
        address marketplace;
    }

    // keccak256(abi.encode(uint256(keccak256("ai-model-marketplace.storage.Reputation")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant REPUTATION_STORAGE_LOCATION =
        0xacdce999b9a9062918f82b5d09e2f0ff84483003acd9b7a3705cc270cefa7600;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function reviewCount() external view returns (uint256 count) {
        bytes32 slot = REPUTATION_STORAGE_LOCATION;
        assembly {
            count := sload(slot)
        }
    }

    function _authorizeUpgrade(address) internal override restricted {}
}
