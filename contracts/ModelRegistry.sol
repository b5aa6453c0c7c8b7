// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManagedUpgradeable} from "@openzeppelin/contracts-upgradeable/access/manager/AccessManagedUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {ERC721Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC721/ERC721Upgradeable.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";

/// @title Model registry
/// @notice Each model is an ERC-721 token owned by its seller, with sale terms and append-only versions.
/// @dev Searchable fields live only in events (the subgraph indexes them); storage keeps what the
/// marketplace and the evaluations need: sale terms and each version's content identifiers.
contract ModelRegistry is Initializable, ERC721Upgradeable, AccessManagedUpgradeable, UUPSUpgradeable, IModelRegistry {
    uint256 public constant MAX_NAME = 100;
    uint256 public constant MAX_SUMMARY = 500;
    uint256 public constant MAX_TAGS = 16;
    uint256 public constant MAX_TAG = 32;
    uint256 public constant MAX_TASK = 64;
    uint256 public constant MAX_LICENSE = 64;
    uint256 public constant MAX_URI = 256;
    uint256 public constant MAX_CID = 64;
    uint256 public constant MAX_SEMVER = 32;

    /// @notice The highest price a model can have (about 3.1e26 base units).
    uint256 public constant MAX_PRICE = type(uint88).max;
    /// @dev CID bytes kept in a version's first two slots (head + packed tail); longer CIDs spill over.
    uint256 private constant CID_PACKED = 43;

    /// @dev Sale terms in one slot, so that a purchase reads them with one SLOAD; the key commitment
    /// (appended by the provable-delivery upgrade) in the third.
    struct Model {
        address paymentToken;
        uint88 price;
        bool active;
        uint32 versionCount;
        bytes32 keyCommitment;
    }

    /// @dev A version packed in three slots for CIDs up to 43 bytes (a sha2-256 CIDv1 is 36).
    struct StoredVersion {
        bytes32 cidHead;
        bytes32 sha256;
        uint64 size;
        uint64 publishedAt;
        uint32 deprecatedBy;
        uint8 cidLength;
        bytes11 cidTail;
        bytes cidRest;
    }

    /// @custom:storage-location erc7201:ai-model-marketplace.storage.ModelRegistry
    struct ModelRegistryStorage {
        uint256 modelCount;
        mapping(uint256 modelId => Model) models;
        mapping(uint256 modelId => mapping(uint32 version => StoredVersion)) versions;
        mapping(address token => bool) paymentTokenAllowed;
    }

    // keccak256(abi.encode(uint256(keccak256("ai-model-marketplace.storage.ModelRegistry")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant MODEL_REGISTRY_STORAGE_LOCATION =
        0x2108d460419fba51b5a08a04b88c6798d7a3f2e479c44a52f594e9dddf1e6900;

    function _getModelRegistryStorage() private pure returns (ModelRegistryStorage storage $) {
        assembly {
            $.slot := MODEL_REGISTRY_STORAGE_LOCATION
        }
    }

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @param authority the protocol's AccessManager
    function initialize(address authority) external initializer {
        __ERC721_init("AI Model Marketplace Model", "AIMODEL");
        __AccessManaged_init(authority);
    }

    /// @inheritdoc IModelRegistry
    function listModel(
        ModelFields calldata fields,
        VersionInput calldata firstVersion,
        address paymentToken,
        uint256 price,
        bytes32 keyCommitment_
    ) external returns (uint256 modelId) {
        _validateFields(fields);
        _validateVersion(firstVersion);
        _validateTerms(paymentToken, price);
        ModelRegistryStorage storage $ = _getModelRegistryStorage();
        modelId = ++$.modelCount;
        // The marketplace packs model ids in 32 bits.
        if (modelId > type(uint32).max) revert RegistryModelIdOverflow();
        if (price != 0 && keyCommitment_ == bytes32(0)) revert RegistryKeyCommitmentRequired(modelId);
        $.models[modelId] = Model({
            paymentToken: paymentToken,
            price: uint88(price),
            active: true,
            versionCount: 1,
            keyCommitment: keyCommitment_
        });
        _storeVersion($, modelId, 1, firstVersion);
        _mint(msg.sender, modelId);
        emit ModelListed(modelId, msg.sender, fields, paymentToken, price);
        if (keyCommitment_ != bytes32(0)) emit KeyCommitmentChanged(modelId, keyCommitment_);
        emit VersionPublished(
            modelId,
            1,
            firstVersion.contentCID,
            firstVersion.sha256,
            firstVersion.size,
            firstVersion.semver,
            firstVersion.changelogURI
        );
    }

    /// @inheritdoc IModelRegistry
    function publishVersion(uint256 modelId, VersionInput calldata version) external returns (uint32 number) {
        _requireOwner(modelId);
        _validateVersion(version);
        ModelRegistryStorage storage $ = _getModelRegistryStorage();
        number = ++$.models[modelId].versionCount;
        _storeVersion($, modelId, number, version);
        emit VersionPublished(
            modelId, number, version.contentCID, version.sha256, version.size, version.semver, version.changelogURI
        );
    }

    /// @inheritdoc IModelRegistry
    function deprecateVersion(uint256 modelId, uint32 version, uint32 deprecatedBy) external {
        _requireOwner(modelId);
        ModelRegistryStorage storage $ = _getModelRegistryStorage();
        StoredVersion storage v = $.versions[modelId][version];
        if (
            version == 0 || deprecatedBy <= version || deprecatedBy > $.models[modelId].versionCount
                || v.deprecatedBy != 0
        ) revert RegistryInvalidDeprecation(modelId, version, deprecatedBy);
        v.deprecatedBy = deprecatedBy;
        emit VersionDeprecated(modelId, version, deprecatedBy);
    }

    /// @inheritdoc IModelRegistry
    function updateModel(uint256 modelId, ModelFields calldata fields) external {
        _requireOwner(modelId);
        _validateFields(fields);
        emit ModelUpdated(modelId, fields);
    }

    /// @inheritdoc IModelRegistry
    function setKeyCommitment(uint256 modelId, bytes32 keyCommitment_) external {
        _requireOwner(modelId);
        if (keyCommitment_ == bytes32(0)) revert RegistryKeyCommitmentRequired(modelId);
        _getModelRegistryStorage().models[modelId].keyCommitment = keyCommitment_;
        emit KeyCommitmentChanged(modelId, keyCommitment_);
    }

    /// @inheritdoc IModelRegistry
    function setPrice(uint256 modelId, address paymentToken, uint256 price) external {
        _requireOwner(modelId);
        _validateTerms(paymentToken, price);
        Model storage model = _getModelRegistryStorage().models[modelId];
        if (price != 0 && model.keyCommitment == bytes32(0)) revert RegistryKeyCommitmentRequired(modelId);
        model.paymentToken = paymentToken;
        model.price = uint88(price);
        emit ModelRepriced(modelId, paymentToken, price);
    }

    /// @inheritdoc IModelRegistry
    function setActive(uint256 modelId, bool active) external {
        _requireOwner(modelId);
        _getModelRegistryStorage().models[modelId].active = active;
        emit ModelActiveChanged(modelId, active);
    }

    /// @inheritdoc IModelRegistry
    function setPaymentTokenAllowed(address token, bool allowed) external restricted {
        _getModelRegistryStorage().paymentTokenAllowed[token] = allowed;
        emit PaymentTokenAllowed(token, allowed);
    }

    /// @inheritdoc IModelRegistry
    function isPaymentTokenAllowed(address token) external view returns (bool) {
        return _getModelRegistryStorage().paymentTokenAllowed[token];
    }

    /// @inheritdoc IModelRegistry
    function getListing(uint256 modelId) external view returns (Listing memory) {
        address seller = _ownerOf(modelId);
        if (seller == address(0)) revert RegistryUnknownModel(modelId);
        Model storage model = _getModelRegistryStorage().models[modelId];
        return Listing({
            seller: seller,
            paymentToken: model.paymentToken,
            price: model.price,
            active: model.active,
            versionCount: model.versionCount,
            keyCommitment: model.keyCommitment
        });
    }

    /// @inheritdoc IModelRegistry
    function getSaleTerms(uint256 modelId) external view returns (SaleTerms memory terms) {
        address seller = _ownerOf(modelId);
        if (seller == address(0)) revert RegistryUnknownModel(modelId);
        ModelRegistryStorage storage $ = _getModelRegistryStorage();
        Model storage model = $.models[modelId];
        terms.seller = seller;
        (terms.paymentToken, terms.price, terms.active) = (model.paymentToken, model.price, model.active);
        terms.versionCount = model.versionCount;
        if (terms.price != 0) {
            terms.paymentTokenAllowed = $.paymentTokenAllowed[terms.paymentToken];
            terms.keyCommitment = model.keyCommitment;
        }
    }

    /// @inheritdoc IModelRegistry
    function keyCommitment(uint256 modelId) external view returns (bytes32) {
        return _getModelRegistryStorage().models[modelId].keyCommitment;
    }

    /// @inheritdoc IModelRegistry
    function getVersion(uint256 modelId, uint32 version) external view returns (Version memory) {
        ModelRegistryStorage storage $ = _getModelRegistryStorage();
        if (version == 0 || version > $.models[modelId].versionCount) revert RegistryUnknownVersion(modelId, version);
        StoredVersion storage v = $.versions[modelId][version];
        bytes memory cid = bytes.concat(v.cidHead, v.cidTail, v.cidRest);
        uint256 length = v.cidLength;
        assembly {
            mstore(cid, length) // drop the zero padding of head and tail
        }
        return Version({
            contentCID: cid,
            sha256: v.sha256,
            size: v.size,
            publishedAt: v.publishedAt,
            deprecatedBy: v.deprecatedBy
        });
    }

    /// @inheritdoc IModelRegistry
    function latestVersion(uint256 modelId) external view returns (uint32) {
        return _getModelRegistryStorage().models[modelId].versionCount;
    }

    /// @inheritdoc IModelRegistry
    function modelCount() external view returns (uint256) {
        return _getModelRegistryStorage().modelCount;
    }

    function _storeVersion(ModelRegistryStorage storage $, uint256 modelId, uint32 number, VersionInput calldata input)
        private
    {
        StoredVersion storage v = $.versions[modelId][number];
        bytes calldata cid = input.contentCID;
        uint256 length = cid.length;
        v.cidHead = bytes32(cid);
        v.sha256 = input.sha256;
        v.size = input.size;
        v.publishedAt = uint64(block.timestamp);
        v.cidLength = uint8(length);
        if (length > 32) v.cidTail = bytes11(cid[32:]);
        if (length > CID_PACKED) v.cidRest = cid[CID_PACKED:];
    }

    function _requireOwner(uint256 modelId) private view {
        address owner = _ownerOf(modelId);
        if (owner == address(0)) revert RegistryUnknownModel(modelId);
        if (owner != msg.sender) revert RegistryNotModelOwner(modelId, msg.sender);
    }

    /// @dev A free model may name no token (address zero); a priced one needs an allowed token.
    function _validateTerms(address paymentToken, uint256 price) private view {
        if (price > MAX_PRICE) revert RegistryPriceTooHigh(price, MAX_PRICE);
        if (price == 0 && paymentToken == address(0)) return;
        if (!_getModelRegistryStorage().paymentTokenAllowed[paymentToken]) {
            revert RegistryPaymentTokenNotAllowed(paymentToken);
        }
    }

    function _validateFields(ModelFields calldata fields) private pure {
        _checkLength("name", bytes(fields.name).length, 1, MAX_NAME);
        _checkLength("summary", bytes(fields.summary).length, 0, MAX_SUMMARY);
        _checkLength("task", bytes(fields.task).length, 1, MAX_TASK);
        _checkLength("license", bytes(fields.license).length, 1, MAX_LICENSE);
        _checkLength("metadataURI", bytes(fields.metadataURI).length, 0, MAX_URI);
        uint256 tagCount = fields.tags.length;
        if (tagCount > MAX_TAGS) revert RegistryTooManyTags(tagCount, MAX_TAGS);
        for (uint256 i; i < tagCount; ++i) {
            _checkLength("tag", bytes(fields.tags[i]).length, 1, MAX_TAG);
        }
    }

    function _validateVersion(VersionInput calldata version) private pure {
        uint256 cidLength = version.contentCID.length;
        if (cidLength == 0 || cidLength > MAX_CID) revert RegistryInvalidCID();
        if (version.sha256 == bytes32(0)) revert RegistryInvalidSha256();
        _checkLength("semver", bytes(version.semver).length, 1, MAX_SEMVER);
        _checkLength("changelogURI", bytes(version.changelogURI).length, 0, MAX_URI);
    }

    function _checkLength(string memory field, uint256 length, uint256 min, uint256 max) private pure {
        if (length < min || length > max) revert RegistryInvalidField(field, length, max);
    }

    /// @dev Upgrades are allowed to the UPGRADER role through the AccessManager.
    function _authorizeUpgrade(address) internal override restricted {}
}
