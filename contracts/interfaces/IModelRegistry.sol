// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Model registry
/// @notice Each listed model is an ERC-721 token owned by its seller. The owner sets the searchable
/// fields, the price and the payment token, the commitment to the model key buyers receive, and
/// publishes append-only, immutable versions.
/// @dev The model's current owner is its seller: transferring the token transfers the listing,
/// the duty to deliver its open orders and their proceeds.
interface IModelRegistry {
    /// @notice Searchable description of a model, emitted in full on listing and on update.
    struct ModelFields {
        string name; // 1..100 bytes
        string summary; // ≤ 500 bytes
        string[] tags; // ≤ 16 tags of 1..32 bytes
        string task; // a pipeline type such as "text-classification", ≤ 64 bytes
        string license; // an SPDX identifier, 1..64 bytes
        bool commercialUse;
        string metadataURI; // the model card JSON (ipfs://...), ≤ 256 bytes
    }

    /// @notice A new version's content. `contentCID` is the binary CIDv1 of the encrypted archive.
    struct VersionInput {
        bytes contentCID; // 1..64 bytes, binary CID
        bytes32 sha256; // sha256 of the plaintext archive
        uint64 size; // plaintext size in bytes
        string semver; // 1..32 bytes
        string changelogURI; // ≤ 256 bytes
    }

    /// @notice What the registry keeps of a version on-chain (the rest is in its event).
    struct Version {
        bytes contentCID;
        bytes32 sha256;
        uint64 size;
        uint64 publishedAt;
        uint32 deprecatedBy; // 0 when not deprecated
    }

    /// @notice The sale terms of a model, as the marketplace reads them.
    struct Listing {
        address seller; // the current owner
        address paymentToken;
        uint256 price;
        bool active;
        uint32 versionCount;
        bytes32 keyCommitment; // keccak256(abi.encode(COMMIT_TAG, modelKey)); 0 when none (free models)
    }

    /// @notice What a purchase reads in one call (`getSaleTerms`).
    struct SaleTerms {
        address seller;
        address paymentToken;
        uint256 price;
        bool active;
        bool paymentTokenAllowed; // false for a free model (not read)
        uint32 versionCount;
        bytes32 keyCommitment; // 0 for a free model (not read)
    }

    /// @notice A model was listed (token minted to `seller`) with its first version.
    event ModelListed(
        uint256 indexed modelId,
        address indexed seller,
        ModelFields fields,
        address paymentToken,
        uint256 price
    );
    /// @notice The searchable fields of a model changed (all of them are emitted).
    event ModelUpdated(uint256 indexed modelId, ModelFields fields);
    /// @notice The price or payment token of a model changed.
    event ModelRepriced(uint256 indexed modelId, address paymentToken, uint256 price);
    /// @notice A model stopped (`active == false`) or resumed (`true`) accepting purchases.
    event ModelActiveChanged(uint256 indexed modelId, bool active);
    /// @notice A version was published. Versions are numbered from 1.
    event VersionPublished(
        uint256 indexed modelId,
        uint32 indexed version,
        bytes contentCID,
        bytes32 sha256,
        uint64 size,
        string semver,
        string changelogURI
    );
    /// @notice `version` was deprecated in favour of the later `deprecatedBy`.
    event VersionDeprecated(uint256 indexed modelId, uint32 indexed version, uint32 deprecatedBy);
    /// @notice The commitment to the model key buyers receive changed (also emitted at listing).
    /// Orders keep the commitment they snapshotted at purchase.
    event KeyCommitmentChanged(uint256 indexed modelId, bytes32 keyCommitment);
    /// @notice Governance allowed or disallowed an ERC-20 as a payment token.
    event PaymentTokenAllowed(address indexed token, bool allowed);

    error RegistryNotModelOwner(uint256 modelId, address account);
    error RegistryUnknownModel(uint256 modelId);
    error RegistryUnknownVersion(uint256 modelId, uint32 version);
    /// @notice A string field is empty where it must not be, or longer than its limit.
    error RegistryInvalidField(string field, uint256 length, uint256 maxLength);
    error RegistryTooManyTags(uint256 count, uint256 maxCount);
    error RegistryInvalidCID();
    error RegistryInvalidSha256();
    error RegistryPaymentTokenNotAllowed(address token);
    /// @notice Prices are stored in 88 bits (sale terms fit one slot).
    error RegistryPriceTooHigh(uint256 price, uint256 maxPrice);
    /// @notice `deprecatedBy` must be a later, existing version, and a version is deprecated once.
    error RegistryInvalidDeprecation(uint256 modelId, uint32 version, uint32 deprecatedBy);
    error RegistryModelIdOverflow();
    /// @notice A priced model needs a key commitment (not zero).
    error RegistryKeyCommitmentRequired(uint256 modelId);

    /// @notice Lists a model with its first version; mints its token to the caller.
    /// @param keyCommitment `keccak256(abi.encode(COMMIT_TAG, modelKey))`; required when
    /// `price > 0`, may be 0 for a free model
    /// @return modelId the new model's id (from 1)
    function listModel(
        ModelFields calldata fields,
        VersionInput calldata firstVersion,
        address paymentToken,
        uint256 price,
        bytes32 keyCommitment
    ) external returns (uint256 modelId);

    /// @notice Replaces the key commitment for future orders (a new model key comes into use). Only
    /// the owner; not zero. Open orders keep the commitment they snapshotted.
    function setKeyCommitment(uint256 modelId, bytes32 keyCommitment) external;

    /// @notice Publishes the next version of a model. Only its owner.
    /// @return version the new version's number
    function publishVersion(uint256 modelId, VersionInput calldata version) external returns (uint32);

    /// @notice Marks `version` as superseded by the later `deprecatedBy`. Only the owner; once per version.
    function deprecateVersion(uint256 modelId, uint32 version, uint32 deprecatedBy) external;

    /// @notice Replaces the searchable fields. Only the owner.
    function updateModel(uint256 modelId, ModelFields calldata fields) external;

    /// @notice Sets the price and payment token. Only the owner. Open orders keep their price.
    /// A price above 0 needs a key commitment (`RegistryKeyCommitmentRequired`).
    function setPrice(uint256 modelId, address paymentToken, uint256 price) external;

    /// @notice Stops (false) or resumes (true) sales. Only the owner. Licenses already granted stay.
    function setActive(uint256 modelId, bool active) external;

    /// @notice Allows or disallows a payment token. Governance only.
    function setPaymentTokenAllowed(address token, bool allowed) external;

    /// @notice Whether `token` may be used as a payment token.
    function isPaymentTokenAllowed(address token) external view returns (bool);

    /// @notice The sale terms of a model; reverts for an unknown model.
    function getListing(uint256 modelId) external view returns (Listing memory);

    /// @notice The commitment to the model key buyers receive now (0 when none).
    function keyCommitment(uint256 modelId) external view returns (bytes32);

    /// @notice What a purchase needs in one call: the listing's terms, whether its token is allowed,
    /// the latest version and the key commitment; reverts for an unknown model.
    function getSaleTerms(uint256 modelId) external view returns (SaleTerms memory);

    /// @notice A version of a model; reverts for an unknown one.
    function getVersion(uint256 modelId, uint32 version) external view returns (Version memory);

    /// @notice The newest version number of a model (0 if unknown).
    function latestVersion(uint256 modelId) external view returns (uint32);

    /// @notice The number of models listed so far (ids run from 1 to this).
    function modelCount() external view returns (uint256);
}
