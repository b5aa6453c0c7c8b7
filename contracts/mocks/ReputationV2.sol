// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Reputation} from "../Reputation.sol";

/// @notice A compatible upgrade: the V1 namespace untouched, new state in a namespace of its own.
contract ReputationV2 is Reputation {
    /// @custom:storage-location erc7201:ai-model-marketplace.storage.ReputationV2
    struct ReputationV2Storage {
        uint256 featuredModel;
    }

    // keccak256(abi.encode(uint256(keccak256("ai-model-marketplace.storage.ReputationV2")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant REPUTATION_V2_STORAGE_LOCATION =
        0x592e212bb5ec70a100c5a19c958de01fa81d16521d739fb28c0a32d359e73700;

    function _getReputationV2Storage() private pure returns (ReputationV2Storage storage $) {
        assembly {
            $.slot := REPUTATION_V2_STORAGE_LOCATION
        }
    }

    function setFeaturedModel(uint256 modelId) external {
        _getReputationV2Storage().featuredModel = modelId;
    }

    function featuredModel() external view returns (uint256) {
        return _getReputationV2Storage().featuredModel;
    }

    function version() external pure returns (string memory) {
        return "2";
    }
}
