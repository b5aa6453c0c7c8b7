// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Evaluations
/// @notice Evaluators (the evaluator role) attest the results of checks or benchmarks for a model
/// version, and whether the model key the registry commits to decrypts the version to its on-chain
/// sha256; a model owner can request an evaluation, wrapping the key to the evaluator.
/// @dev `setEvaluatorKey` and `attest` are AccessManager-restricted to the EVALUATOR role: an evaluator
/// granted the role with an execution delay schedules the call in the AccessManager first and makes it
/// once the delay passed (the delay is honoured); a call relayed by the AccessManager's `execute` is refused.
interface IEvaluations {
    enum Verdict {
        None,
        Pass,
        Warn,
        Fail
    }

    /// @notice What the evaluator found about the key commitment of the attested version.
    enum KeyCheck {
        NotChecked, // no key given (free model) or not checked
        Opens, // the key committed by `keyCommitment` decrypts the version to its on-chain sha256
        DoesNotOpen // the key committed by `keyCommitment` does not
    }

    enum RequestStatus {
        None,
        Open,
        Fulfilled,
        Cancelled
    }

    struct Attestation {
        uint256 modelId;
        uint32 version;
        address evaluator;
        Verdict verdict;
        bool revoked;
        uint32 score; // 0..1,000,000 (parts per million of the suite's best score)
        uint64 attestedAt;
        uint256 requestId; // 0 when unrequested
    }

    struct Request {
        uint256 modelId;
        uint32 version;
        address evaluator;
        address requester;
        RequestStatus status;
        uint64 requestedAt;
    }

    event EvaluatorKeySet(address indexed evaluator, bytes32 publicKey);
    /// @notice `requester` asked `evaluator` to evaluate a version; `wrappedKey` is the version key
    /// wrapped to the evaluator's X25519 key (empty for free models, whose files are public).
    event EvaluationRequested(
        uint256 indexed requestId,
        uint256 indexed modelId,
        uint32 version,
        address indexed evaluator,
        address requester,
        bytes wrappedKey
    );
    event EvaluationRequestCancelled(uint256 indexed requestId);
    /// @notice An evaluator attested a result; `reportURI` points at the JSON report. `keyCheck` says
    /// whether the key committed by `keyCommitment` (0 when NotChecked) opens the version.
    event EvaluationAttested(
        uint256 indexed attestationId,
        uint256 indexed modelId,
        uint32 indexed version,
        address evaluator,
        uint256 requestId,
        string suite,
        Verdict verdict,
        uint32 score,
        string reportURI,
        bytes32 keyCommitment,
        KeyCheck keyCheck
    );
    event EvaluationRevoked(uint256 indexed attestationId, address indexed evaluator);
    event RequestWindowChanged(uint32 requestWindow);

    error EvaluationsNotEvaluator(address account);
    error EvaluationsEvaluatorHasNoKey(address evaluator);
    error EvaluationsInvalidKey();
    error EvaluationsNotModelOwner(uint256 modelId, address account);
    error EvaluationsUnknownAttestation(uint256 attestationId);
    error EvaluationsNotAttester(uint256 attestationId, address account);
    error EvaluationsAlreadyRevoked(uint256 attestationId);
    error EvaluationsUnknownRequest(uint256 requestId);
    error EvaluationsRequestNotOpen(uint256 requestId);
    error EvaluationsRequestMismatch(uint256 requestId);
    error EvaluationsRequestWindowOpen(uint256 requestId, uint256 cancellableAt);
    error EvaluationsInvalidVerdict();
    error EvaluationsInvalidScore(uint32 score);
    error EvaluationsInvalidField(string field, uint256 length, uint256 maxLength);
    error EvaluationsInvalidWindow(uint256 window, uint256 min, uint256 max);
    /// @notice `keyCheck` is NotChecked with a commitment, or checked without one.
    error EvaluationsInvalidKeyCheck();

    /// @notice Publishes the caller's X25519 public key. Only evaluators (AccessManager-restricted).
    function setEvaluatorKey(bytes32 publicKey) external;

    /// @notice Asks `evaluator` to evaluate a version. Only the model's owner.
    function requestEvaluation(uint256 modelId, uint32 version, address evaluator, bytes calldata wrappedKey)
        external
        returns (uint256 requestId);

    /// @notice Cancels an unanswered request once the request window has passed. Only its requester.
    function cancelRequest(uint256 requestId) external;

    /// @notice Attests a result for a version, fulfilling `requestId` when it is not 0. Only evaluators
    /// (AccessManager-restricted: an execution delay must have been waited through a scheduled call).
    /// @param keyCommitment the key commitment the evaluator checked (0 with `KeyCheck.NotChecked`)
    function attest(
        uint256 modelId,
        uint32 version,
        uint256 requestId,
        string calldata suite,
        Verdict verdict,
        uint32 score,
        string calldata reportURI,
        bytes32 keyCommitment,
        KeyCheck keyCheck
    ) external returns (uint256 attestationId);

    /// @notice Revokes an attestation. Only the evaluator who made it.
    function revoke(uint256 attestationId) external;

    function setRequestWindow(uint32 requestWindow) external;

    function getAttestation(uint256 attestationId) external view returns (Attestation memory);
    function getRequest(uint256 requestId) external view returns (Request memory);
    function evaluatorKey(address evaluator) external view returns (bytes32);
    function requestWindow() external view returns (uint32);
}
