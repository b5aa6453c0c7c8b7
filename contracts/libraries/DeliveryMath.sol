// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Provable key delivery over secp256k1, checked with the ecrecover precompile
/// @notice The arithmetic the marketplace needs to verify a delivery without any new precompile.
///
/// Notation: G the secp256k1 generator, n its order, p its field prime, `address(P)` the Ethereum
/// address of a point P (the last 20 bytes of keccak256 of its 64-byte x‖y).
///
/// - Key commitment (registry, at listing or `setKeyCommitment`): `C = keccak256(abi.encode(COMMIT_TAG, key))`.
/// - Purchase: the buyer posts `B = b·G` as 64 bytes x‖y (0 < x < n, y < p, on the curve); the contract
///   computes `address(B) = keccak256(B)` and `address(λ·B)` (one ecrecover) and stores
///   `check = bytes28(keccak256(abi.encode(keccak256(abi.encode(address(B), address(λ·B))), C)))`.
/// - Delivery: the seller picks r, posts `R = r·G` SEC1-compressed (33 bytes: 0x02 even y / 0x03 odd
///   y, then x; 0 < x < n, on the curve) and `c = key XOR keccak256(abi.encode(MASK_TAG, chainid,
///   marketplace, orderId, bytes32 R.x, uint256 R[0], address(r·B)))`; the contract refuses a
///   malformed R and sets `check = bytes28(keccak256(abi.encode(check, R.x, R[0], c, seller)))`.
/// - Proof: given b, R, c, C and the seller, the contract recomputes the check from `address(b·G)` and
///   `address(λb·G)` (two ecrecovers), derives `address(b·R)` (= `address(r·B)`, a third) and
///   `key'`, and refunds when `keccak256(abi.encode(COMMIT_TAG, key')) != C`.
///
/// The ecrecover trick: `ecrecover(0, v, x, k·x mod n)` recovers `x⁻¹·(k·x·P − 0·G) = k·P` for the
/// point P with that x and y parity `v - 27`, and returns `address(k·P)`; it returns address(0) when
/// no such point exists (x not on the curve) or k·x ≡ 0 (mod n).
library DeliveryMath {
    /// @notice The order of the secp256k1 group.
    uint256 internal constant N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    /// @notice The field prime of secp256k1.
    uint256 internal constant P = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F;
    /// @notice The x-coordinate of the generator G (its y is even: ecrecover's v is 27).
    uint256 internal constant GX = 0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798;
    /// @notice The public constant λ of the second binding address:
    /// `uint256(keccak256("ai-model-marketplace/binding-lambda/v1")) % N` (the hash is below N).
    uint256 internal constant LAMBDA = 0x75d6dd162ee5736f2f28dc064c0c62bcb93b634f71dccfe527076e70917cc83c;
    /// @notice Domain tag of key commitments: keccak256("ai-model-marketplace/key-commitment/v1").
    bytes32 internal constant COMMIT_TAG = keccak256("ai-model-marketplace/key-commitment/v1");
    /// @notice Domain tag of the mask that encrypts a delivered key: keccak256("ai-model-marketplace/key-delivery/v1").
    bytes32 internal constant MASK_TAG = keccak256("ai-model-marketplace/key-delivery/v1");

    /// @notice The commitment to `key`.
    function commitment(bytes32 key) internal pure returns (bytes32) {
        return keccak256(abi.encode(COMMIT_TAG, key));
    }

    /// @notice `address(k·Q)` for the point Q with x-coordinate `x` (0 < x < n) and recovery byte `v`
    /// (27 even y, 28 odd y); address(0) when Q is not on the curve or k ≡ 0 (mod n).
    function mulAddress(uint256 x, uint8 v, uint256 k) internal pure returns (address) {
        return ecrecover(bytes32(0), v, bytes32(x), bytes32(mulmod(k, x, N)));
    }

    /// @notice The 320-bit binding of a buyer key B (64 bytes x‖y):
    /// `keccak256(abi.encode(address(B), address(λ·B)))`; 0 when B is not 64 bytes with 0 < x < n,
    /// y < p and y² = x³ + 7 (mod p).
    function bindingOfKey(bytes calldata buyerKey) internal pure returns (bytes32) {
        if (buyerKey.length != 64) return 0;
        uint256 x = uint256(bytes32(buyerKey[0:32]));
        uint256 y = uint256(bytes32(buyerKey[32:64]));
        if (x == 0 || x >= N || y >= P) return 0;
        if (mulmod(y, y, P) != addmod(mulmod(mulmod(x, x, P), x, P), 7, P)) return 0;
        address lambdaB = mulAddress(x, uint8(27 + (y & 1)), LAMBDA);
        return keccak256(abi.encode(address(uint160(uint256(keccak256(buyerKey)))), lambdaB));
    }

    /// @notice The binding of `b·G` computed from the secret b (0 < b < n): the same value as
    /// `bindingOfKey(b·G)`.
    function bindingOfSecret(uint256 b) internal pure returns (bytes32) {
        return keccak256(abi.encode(mulAddress(GX, 27, b), mulAddress(GX, 27, mulmod(LAMBDA, b, N))));
    }

    /// @notice The order's check at purchase.
    function purchaseCheck(bytes32 binding, bytes32 keyCommitment) internal pure returns (bytes28) {
        return bytes28(keccak256(abi.encode(binding, keyCommitment)));
    }

    /// @notice Splits a 33-byte point into x and its prefix byte (no validation).
    function split(bytes calldata point) internal pure returns (bytes32 x, uint256 prefix) {
        return (bytes32(point[1:33]), uint8(point[0]));
    }

    /// @notice Whether `point` is 33 bytes, starts with 0x02 or 0x03, has 0 < x < n and lies on the curve.
    function isValidPoint(bytes calldata point) internal pure returns (bool) {
        if (point.length != 33) return false;
        (bytes32 x, uint256 prefix) = split(point);
        if ((prefix != 2 && prefix != 3) || x == 0 || uint256(x) >= N) return false;
        return mulAddress(uint256(x), uint8(prefix + 25), 1) != address(0);
    }

    /// @notice The order's check after `seller` delivered (R, c); R must be 33 bytes. Binding the
    /// seller lets a proof name who delivered without a registry lookup.
    function deliveryCheck(bytes28 check, bytes calldata deliveryPoint, bytes32 encryptedKey, address seller)
        internal
        pure
        returns (bytes28)
    {
        (bytes32 x, uint256 prefix) = split(deliveryPoint);
        return bytes28(keccak256(abi.encode(check, x, prefix, encryptedKey, seller)));
    }

    /// @notice The key a delivery carries, as the buyer opens it with b:
    /// `c XOR keccak256(abi.encode(MASK_TAG, chainId, marketplace, orderId, R.x, R[0], address(b·R)))`,
    /// with address(0) for `address(b·R)` when R is not a valid point (a backstop: `deliver` refuses
    /// such an R). R must be 33 bytes.
    function openKey(
        uint256 chainId,
        address marketplace,
        uint256 orderId,
        bytes calldata deliveryPoint,
        uint256 b,
        bytes32 encryptedKey
    ) internal pure returns (bytes32) {
        (bytes32 x, uint256 prefix) = split(deliveryPoint);
        // mulAddress itself gives address(0) for an x off the curve.
        bool wellFormed = (prefix == 2 || prefix == 3) && x != 0 && uint256(x) < N;
        address shared = wellFormed ? mulAddress(uint256(x), uint8(prefix + 25), b) : address(0);
        return encryptedKey ^ keccak256(abi.encode(MASK_TAG, chainId, marketplace, orderId, x, prefix, shared));
    }
}
