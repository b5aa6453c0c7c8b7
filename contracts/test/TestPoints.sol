// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice secp256k1 points for the Solidity tests, which have no cheatcode for a public key:
/// (k, x, y) with (x, y) = k·G and x < n. Generated with noble-curves:
/// k = uint256(keccak256(abi.encode(label, i))) mod n for label "buyer" (buyer secrets b) and "nonce"
/// (delivery nonces r), i = 0, 1, … skipping the (never seen) x >= n.
library TestPoints {
    uint256 internal constant COUNT = 8;

    bytes internal constant BUYERS =
        hex"b56491f5d1ed42ec25842be59be609da48d47812d0b3f392e2db3450b393cb0c8410d02beb79f6eaba1e2fc4e7fdded3e72be4780fd53295e890124007ebbc20836549fed7d7431dba4b0b8990eeb118edca6c941754df1a8112130a8dd7a402"
        hex"50e3f561a7e25f2dbc698853c39ba30da89c531f2dd5a22fe0f9288929af4e7cb5eb3b7af17fb58f456abe07637539bc679aabf23a5ea6fa9406f08698a90862e8f9624e4289674c03bb74bfc444dd35cabc7635da44c3c82cc9c5a19c305210"
        hex"067f893de7656b3aedf58c9a5304de8ba1497d7c666b75afe110b0f1dff32fd726d438766448274e4169650ae548944afc8cda1241a744333cd6bb620af62959be7380beba910bf1b751142c94fcc87b2687d49dbad9da6efdd825a513d42cb7"
        hex"37186bc88e8f7bf5fbda0b84584457835624deda6999fb4f7d9c6d73b04a6e626264dd41c5e69145683b75c2e22084fb7faadfae90ee245abbcd72d6c4e77affb72e2f3b109a090fc5e529f0e043d7704b4a156683ac8eb47b641450f39b99b7"
        hex"e73164b6404644e984afa5d059e9550c785ecec7fb88dbd028f1f783985da075fe883e6e9a1db064b3fa2e40349ff0bda20f020b306b0f74a844943522ddd080d829df94768d631fc6e5e1092fc0f8d9fc53461ac4fff62c8b343c86d15ad4c8"
        hex"5866c7d9a8f156cccea60394f7d6326bda55a74fd36426775a58888520af1a54e195cec788d0331dffda3d984a0d516f98993e35be4fe80511733ebbd3c9d9a8224d5c9ab12895567dadae16194d16cf45449900280a3dbe16268d756c1a6ef5"
        hex"7ffdd682bd82a8f1837f3da8fdde67d81ee576cceb01612adaafb65ea67ef73c05f3b23e1a7b5c3ef4452a6193bdce8133d139b2861a238ff7270d33175fe77d71f80d949f4ef54291790279b35e239ca5663bc88f04b100e8cb106d1acb4320"
        hex"42b0242a52462d2eaa21fd58ea9ba6a913795000617ca4646cc225f8b280c585701965319875c9b921a96b6903b20583958c80954d09d2f954e1921753281b1dd50369be15af1dbbe09410e819963ac9a187c0d496736e653c898a2a1246799f";

    bytes internal constant NONCES =
        hex"66b9cecb4a1869788c60f91bbefff2f25548d7d59b6fdba20905f215b2aec23a54591e6cd83eb7a3409c68f6e1d18dd5eede1a0ad487a7070c8b184957e3ff071aff130d4df3816e2f77b48f5cd4e01045619e9033cd913cdd8613d95135cdd0"
        hex"e879d93b12540153025aeb519cc176eb85c249b2b5ca70399f1284448204601a9708ada131482f91b886b6ac42b79df08cc4dd46228c83f84b48c3d3f700c1eb38675f44ac8ac79b4b0d212f587474d62e5d083b94fb6fda7dfaba3774e1b2cf"
        hex"1f20a59427bc26aedf2768a2be6c10c4de845c15efbcbeafbee10d84bf1ff4dc4d79f6642c3130898ed0e35426b5fd89cb2e01d1094307cc80c5f72504c146238506b4a21839298ad206ba1706508274e12d1ccb4644411dd57548cf8e97bb72"
        hex"c33fcebac88cefa4ef939c82e795fb6b42b10389e5a700f3aed07354747235fb24ca3f37eb39523027ffda6b7d369c2091c6fdc7273446c26c1d7ad1f4edd2482db38755a34a6a5e6c42213d67d7945901c99e137d844221cba711f2d6bebb97"
        hex"0d2b4e9e7e68fc8afd99005006a0f55b85d651d119e10bf83b4f3add052845dfc3918b02200aa2443d1f5e1fb00aa440d01d64511f8d2f702ff3be6f0d346be46e526eaf4735ba5f24e5d7627df01805ec22f3fab6946155c68cfd0939a8da93"
        hex"70b37cb000621b745cf5e11703645bdf7a51dcd8ca15f5f802b0ec71a912b84c5282332c3e1288ce2463cea649665ca14349c340d32a661b4a8ced9dac04554b09fa012489853be30b9daa8650822a7360cd5bdb6bfa4a2508b96fd66d28f9c7"
        hex"45cb8bf340420ede10cf3f7af6411f6ee28a892f77b19650982645c4edb987ecc4a756dcb4c3081d88146418a51a9399767817964172a7ba5ff2700116e0c916c6397c27f8648375e7d1868aba4db9b8787b7e35de8f0e3e67335b1d27261231"
        hex"b4c706d6a031239098746bccc50bce22820e1f1ba12d64b2ae1f7bbe9d4fd70ef5b264c7aa03c3b571404d0c3c8d1624aa0b55f9f2cad10fbe88c81c8ec44669a83cbb34b2054411e37eafa8372cb847b292868510fc87afa3017328ea2892ec";

    /// @notice The `i mod COUNT`-th buyer secret b and B = b·G.
    function buyer(uint256 i) internal pure returns (uint256 b, uint256 x, uint256 y) {
        return _row(BUYERS, i % COUNT);
    }

    /// @notice The `i mod COUNT`-th delivery nonce r and R = r·G.
    function nonce(uint256 i) internal pure returns (uint256 r, uint256 x, uint256 y) {
        return _row(NONCES, i % COUNT);
    }

    function _row(bytes memory table, uint256 i) private pure returns (uint256 k, uint256 x, uint256 y) {
        assembly {
            let row := add(add(table, 32), mul(i, 96))
            k := mload(row)
            x := mload(add(row, 32))
            y := mload(add(row, 64))
        }
    }
}
