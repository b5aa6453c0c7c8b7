// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {Arbitration} from "../Arbitration.sol";
import {IArbitrator} from "../interfaces/IArbitrator.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {IReputation} from "../interfaces/IReputation.sol";
import {Marketplace} from "../Marketplace.sol";
import {ModelRegistry} from "../ModelRegistry.sol";
import {PlatformToken} from "../PlatformToken.sol";
import {Reputation} from "../Reputation.sol";
import {Roles} from "../Roles.sol";
import {DeliveryMath} from "../libraries/DeliveryMath.sol";
import {TestPoints} from "./TestPoints.sol";
import {TestBase} from "./Vm.sol";

/// @notice The protocol deployed behind proxies with its roles, as deployProtocol does, for Solidity tests.
abstract contract ProtocolFixture is TestBase {
    AccessManager internal manager;
    PlatformToken internal token;
    ModelRegistry internal registry;
    Marketplace internal marketplace;
    Arbitration internal arbitration;
    Reputation internal reputation;

    address internal treasury = address(0x7EA5);
    address internal arbiter = address(0xA4B1);
    uint16 internal constant FEE_BPS = 250;
    /// @dev The model key every listed model commits to.
    bytes32 internal constant MODEL_KEY = keccak256("model key");
    /// @dev The test buyer key `_buy` uses.
    uint256 internal constant BUYER = 0;

    function _deployProtocol() internal {
        manager = new AccessManager(address(this));
        token = PlatformToken(
            _proxy(
                address(new PlatformToken()),
                abi.encodeCall(PlatformToken.initialize, (address(manager), "Token", "TKN", type(uint128).max))
            )
        );
        registry = ModelRegistry(
            _proxy(address(new ModelRegistry()), abi.encodeCall(ModelRegistry.initialize, (address(manager))))
        );
        arbitration = Arbitration(
            _proxy(address(new Arbitration()), abi.encodeCall(Arbitration.initialize, (address(manager))))
        );
        reputation = Reputation(
            _proxy(
                address(new Reputation()), abi.encodeCall(Reputation.initialize, (address(manager), address(registry)))
            )
        );
        Marketplace.InitParams memory params = Marketplace.InitParams({
            authority: address(manager),
            registry: IModelRegistry(address(registry)),
            arbitrator: IArbitrator(address(arbitration)),
            reputation: IReputation(address(reputation)),
            treasury: treasury,
            feeBps: FEE_BPS,
            deliveryWindow: 3 days,
            disputeWindow: 3 days,
            rulingWindow: 14 days,
            metaEvidenceURI: "ipfs://meta"
        });
        marketplace =
            Marketplace(_proxy(address(new Marketplace()), abi.encodeCall(Marketplace.initialize, (params))));

        _setRole(address(token), PlatformToken.mint.selector, Roles.MINTER);
        _setRole(address(registry), ModelRegistry.setPaymentTokenAllowed.selector, Roles.TREASURER);
        _setRole(address(marketplace), Marketplace.setFee.selector, Roles.TREASURER);
        _setRole(address(marketplace), Marketplace.pause.selector, Roles.PAUSER);
        _setRole(address(arbitration), Arbitration.giveRuling.selector, Roles.ARBITER);
        _setRole(address(arbitration), Arbitration.createDispute.selector, Roles.ARBITRABLE);
        _setRole(address(reputation), Reputation.recordDisputeOutcome.selector, Roles.PROTOCOL);
        manager.grantRole(Roles.MINTER, address(this), 0);
        manager.grantRole(Roles.TREASURER, address(this), 0);
        manager.grantRole(Roles.PAUSER, address(this), 0);
        manager.grantRole(Roles.ARBITER, arbiter, 0);
        manager.grantRole(Roles.PROTOCOL, address(marketplace), 0);
        manager.grantRole(Roles.ARBITRABLE, address(marketplace), 0);
        reputation.setMarketplace(address(marketplace));
        registry.setPaymentTokenAllowed(address(token), true);
    }

    function _proxy(address implementation, bytes memory data) private returns (address) {
        return address(new ERC1967Proxy(implementation, data));
    }

    function _setRole(address target, bytes4 selector, uint64 role) private {
        bytes4[] memory selectors = new bytes4[](1);
        selectors[0] = selector;
        manager.setTargetFunctionRole(target, selectors, role);
    }

    /// @dev Lists a model as `seller` at `price` in the platform token.
    function _list(address seller, uint256 price) internal returns (uint256 modelId) {
        string[] memory tags = new string[](1);
        tags[0] = "nlp";
        IModelRegistry.ModelFields memory fields = IModelRegistry.ModelFields({
            name: "Model",
            summary: "",
            tags: tags,
            task: "text-classification",
            license: "mit",
            commercialUse: true,
            metadataURI: ""
        });
        IModelRegistry.VersionInput memory version = IModelRegistry.VersionInput({
            contentCID: hex"01551220aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            sha256: keccak256("archive"),
            size: 1,
            semver: "1.0.0",
            changelogURI: ""
        });
        vm.prank(seller);
        bytes32 commitment = price == 0 ? bytes32(0) : DeliveryMath.commitment(MODEL_KEY);
        modelId = registry.listModel(fields, version, price == 0 ? address(0) : address(token), price, commitment);
    }

    /// @dev Mints the price to `buyer`, approves and buys.
    function _buy(address buyer, uint256 modelId, uint256 price) internal returns (uint256 orderId) {
        token.mint(buyer, price);
        vm.startPrank(buyer);
        token.approve(address(marketplace), price);
        orderId = marketplace.purchase(modelId, address(token), price, registry.keyCommitment(modelId), _buyerKey(BUYER), keccak256("salt"));
        vm.stopPrank();
    }

    /// @dev The secret b of test buyer key `i` (see TestPoints).
    function _secret(uint256 i) internal pure returns (uint256 b) {
        (b,,) = TestPoints.buyer(i);
    }

    /// @dev Test buyer key `i`: B = b·G as 64 bytes x‖y.
    function _buyerKey(uint256 i) internal pure returns (bytes memory) {
        (, uint256 x, uint256 y) = TestPoints.buyer(i);
        return abi.encodePacked(x, y);
    }

    /// @dev What an honest seller posts for `key` to test buyer key `buyerIndex` with test nonce
    /// `nonceIndex`: (R, c) as DeliveryMath defines them (the TypeScript tests check the same bytes
    /// against an independent secp256k1 implementation).
    function _delivery(uint256 orderId, uint256 buyerIndex, uint256 nonceIndex, bytes32 key)
        internal
        view
        returns (bytes memory deliveryPoint, bytes32 encryptedKey)
    {
        (, uint256 bx, uint256 by) = TestPoints.buyer(buyerIndex);
        (uint256 r, uint256 rx, uint256 ry) = TestPoints.nonce(nonceIndex);
        address shared = DeliveryMath.mulAddress(bx, uint8(27 + (by & 1)), r);
        uint256 prefix = 2 + (ry & 1);
        deliveryPoint = abi.encodePacked(uint8(prefix), rx);
        encryptedKey = key
            ^ keccak256(abi.encode(DeliveryMath.MASK_TAG, block.chainid, address(marketplace), orderId, rx, prefix, shared));
    }
}
