// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IArbitrator} from "./IArbitrator.sol";

/// @title ERC-1497 evidence standard events
interface IEvidence {
    /// @notice The context of disputes created under `_metaEvidenceID` (a JSON file's URI).
    event MetaEvidence(uint256 indexed _metaEvidenceID, string _evidence);
    /// @notice `_party` submitted evidence (a JSON file's URI) for the group `_evidenceGroupID`.
    event Evidence(
        IArbitrator indexed _arbitrator, uint256 indexed _evidenceGroupID, address indexed _party, string _evidence
    );
    /// @notice A dispute was created; its evidence is the group `_evidenceGroupID`.
    event Dispute(
        IArbitrator indexed _arbitrator, uint256 indexed _disputeID, uint256 _metaEvidenceID, uint256 _evidenceGroupID
    );
}
