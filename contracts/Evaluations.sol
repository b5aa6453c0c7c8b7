// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManagedUpgradeable} from "@openzeppelin/contracts-upgradeable/access/manager/AccessManagedUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {IAccessManager} from "@openzeppelin/contracts/access/manager/IAccessManager.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IEvaluations} from "./interfaces/IEvaluations.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {Roles} from "./Roles.sol";

/// @title Evaluations
/// @notice Evaluators (members of the EVALUATOR role in the protocol's AccessManager) publish an
/// X25519 key, receive evaluation requests from model owners, and attest results per model version,
/// including whether the committed model key opens the version. `setEvaluatorKey` and `attest` are
/// AccessManager-restricted to EVALUATOR, so that the role's execution delay applies.
contract Evaluations is Initializable, AccessManagedUpgradeable, UUPSUpgradeable, IEvaluations {
    uint32 public constant MAX_SCORE = 1_000_000;
    uint256 public constant MAX_SUITE = 64;
    uint256 public constant MAX_URI = 256;
    uint256 public constant MAX_WRAPPED_KEY = 512;
    /// @notice An unanswered request can be cancelled after between an hour and 30 days.
    uint32 public constant MIN_REQUEST_WINDOW = 1 hours;
    uint32 public constant MAX_REQUEST_WINDOW = 30 days;

    /// @custom:storage-location erc7201:ai-model-marketplace.storage.Evaluations
    struct EvaluationsStorage {
        IModelRegistry registry;
        uint32 requestWindow;
        uint256 requestCount;
        uint256 attestationCount;
        mapping(address evaluator => bytes32) evaluatorKeys;
        mapping(uint256 requestId => Request) requests;
        mapping(uint256 attestationId => Attestation) attestations;
    }

    // keccak256(abi.encode(uint256(keccak256("ai-model-marketplace.storage.Evaluations")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant EVALUATIONS_STORAGE_LOCATION =
        0xe5dec1033808090de8d61c9d0bf8ceedf3ab75b11bf2e84756826c24c32ec600;

    function _getEvaluationsStorage() private pure returns (EvaluationsStorage storage $) {
        assembly {
            $.slot := EVALUATIONS_STORAGE_LOCATION
        }
    }

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @param authority the protocol's AccessManager, which also says who is an evaluator
    function initialize(address authority, address registry, uint32 requestWindow_) external initializer {
        __AccessManaged_init(authority);
        _getEvaluationsStorage().registry = IModelRegistry(registry);
        _setRequestWindow(requestWindow_);
    }

    /// @inheritdoc IEvaluations
    /// @dev `restricted` (EVALUATOR) honours the role's execution delay; the membership check also
    /// refuses a call relayed by the AccessManager, which would hide the evaluator.
    function setEvaluatorKey(bytes32 publicKey) external restricted {
        _requireEvaluator(msg.sender);
        if (publicKey == bytes32(0)) revert EvaluationsInvalidKey();
        _getEvaluationsStorage().evaluatorKeys[msg.sender] = publicKey;
        emit EvaluatorKeySet(msg.sender, publicKey);
    }

    /// @inheritdoc IEvaluations
    function requestEvaluation(uint256 modelId, uint32 version, address evaluator, bytes calldata wrappedKey)
        external
        returns (uint256 requestId)
    {
        EvaluationsStorage storage $ = _getEvaluationsStorage();
        if (IERC721(address($.registry)).ownerOf(modelId) != msg.sender) {
            revert EvaluationsNotModelOwner(modelId, msg.sender);
        }
        $.registry.getVersion(modelId, version); // reverts for an unknown version
        _requireEvaluator(evaluator);
        if ($.evaluatorKeys[evaluator] == bytes32(0)) revert EvaluationsEvaluatorHasNoKey(evaluator);
        if (wrappedKey.length > MAX_WRAPPED_KEY) revert EvaluationsInvalidKey();
        requestId = ++$.requestCount;
        $.requests[requestId] = Request({
            modelId: modelId,
            version: version,
            evaluator: evaluator,
            requester: msg.sender,
            status: RequestStatus.Open,
            requestedAt: uint64(block.timestamp)
        });
        emit EvaluationRequested(requestId, modelId, version, evaluator, msg.sender, wrappedKey);
    }

    /// @inheritdoc IEvaluations
    /// @dev A caller other than the requester gets `EvaluationsNotModelOwner`.
    function cancelRequest(uint256 requestId) external {
        EvaluationsStorage storage $ = _getEvaluationsStorage();
        Request storage request = _request($, requestId);
        if (request.requester != msg.sender) revert EvaluationsNotModelOwner(request.modelId, msg.sender);
        if (request.status != RequestStatus.Open) revert EvaluationsRequestNotOpen(requestId);
        uint256 cancellableAt = request.requestedAt + $.requestWindow;
        if (block.timestamp < cancellableAt) revert EvaluationsRequestWindowOpen(requestId, cancellableAt);
        request.status = RequestStatus.Cancelled;
        emit EvaluationRequestCancelled(requestId);
    }

    /// @inheritdoc IEvaluations
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
    ) external restricted returns (uint256 attestationId) {
        _requireEvaluator(msg.sender);
        if (verdict == Verdict.None) revert EvaluationsInvalidVerdict();
        if ((keyCheck == KeyCheck.NotChecked) != (keyCommitment == bytes32(0))) revert EvaluationsInvalidKeyCheck();
        if (score > MAX_SCORE) revert EvaluationsInvalidScore(score);
        if (bytes(suite).length == 0 || bytes(suite).length > MAX_SUITE) {
            revert EvaluationsInvalidField("suite", bytes(suite).length, MAX_SUITE);
        }
        if (bytes(reportURI).length == 0 || bytes(reportURI).length > MAX_URI) {
            revert EvaluationsInvalidField("reportURI", bytes(reportURI).length, MAX_URI);
        }
        EvaluationsStorage storage $ = _getEvaluationsStorage();
        $.registry.getVersion(modelId, version); // reverts for an unknown version
        if (requestId != 0) {
            Request storage request = _request($, requestId);
            if (request.status != RequestStatus.Open) revert EvaluationsRequestNotOpen(requestId);
            if (request.modelId != modelId || request.version != version || request.evaluator != msg.sender) {
                revert EvaluationsRequestMismatch(requestId);
            }
            request.status = RequestStatus.Fulfilled;
        }
        attestationId = ++$.attestationCount;
        $.attestations[attestationId] = Attestation({
            modelId: modelId,
            version: version,
            evaluator: msg.sender,
            verdict: verdict,
            revoked: false,
            score: score,
            attestedAt: uint64(block.timestamp),
            requestId: requestId
        });
        emit EvaluationAttested(
            attestationId,
            modelId,
            version,
            msg.sender,
            requestId,
            suite,
            verdict,
            score,
            reportURI,
            keyCommitment,
            keyCheck
        );
    }

    /// @inheritdoc IEvaluations
    function revoke(uint256 attestationId) external {
        Attestation storage a = _getEvaluationsStorage().attestations[attestationId];
        if (a.evaluator == address(0)) revert EvaluationsUnknownAttestation(attestationId);
        if (a.evaluator != msg.sender) revert EvaluationsNotAttester(attestationId, msg.sender);
        if (a.revoked) revert EvaluationsAlreadyRevoked(attestationId);
        a.revoked = true;
        emit EvaluationRevoked(attestationId, msg.sender);
    }

    /// @inheritdoc IEvaluations
    function setRequestWindow(uint32 requestWindow_) external restricted {
        _setRequestWindow(requestWindow_);
    }

    /// @inheritdoc IEvaluations
    function getAttestation(uint256 attestationId) external view returns (Attestation memory a) {
        a = _getEvaluationsStorage().attestations[attestationId];
        if (a.evaluator == address(0)) revert EvaluationsUnknownAttestation(attestationId);
    }

    /// @inheritdoc IEvaluations
    function getRequest(uint256 requestId) external view returns (Request memory) {
        EvaluationsStorage storage $ = _getEvaluationsStorage();
        return _request($, requestId);
    }

    /// @inheritdoc IEvaluations
    function evaluatorKey(address evaluator) external view returns (bytes32) {
        return _getEvaluationsStorage().evaluatorKeys[evaluator];
    }

    /// @inheritdoc IEvaluations
    function requestWindow() external view returns (uint32) {
        return _getEvaluationsStorage().requestWindow;
    }

    /// @notice Whether `account` is an evaluator (a member of the EVALUATOR role).
    function isEvaluator(address account) public view returns (bool member) {
        (member,) = IAccessManager(authority()).hasRole(Roles.EVALUATOR, account);
    }

    function _requireEvaluator(address account) private view {
        if (!isEvaluator(account)) revert EvaluationsNotEvaluator(account);
    }

    function _request(EvaluationsStorage storage $, uint256 requestId) private view returns (Request storage r) {
        r = $.requests[requestId];
        if (r.status == RequestStatus.None) revert EvaluationsUnknownRequest(requestId);
    }

    function _setRequestWindow(uint32 requestWindow_) private {
        if (requestWindow_ < MIN_REQUEST_WINDOW || requestWindow_ > MAX_REQUEST_WINDOW) {
            revert EvaluationsInvalidWindow(requestWindow_, MIN_REQUEST_WINDOW, MAX_REQUEST_WINDOW);
        }
        _getEvaluationsStorage().requestWindow = requestWindow_;
        emit RequestWindowChanged(requestWindow_);
    }

    /// @dev Upgrades are allowed to the UPGRADER role through the AccessManager.
    function _authorizeUpgrade(address) internal override restricted {}
}
