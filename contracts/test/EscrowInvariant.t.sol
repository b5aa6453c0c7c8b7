// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Arbitration} from "../Arbitration.sol";
import {IMarketplace} from "../interfaces/IMarketplace.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {Marketplace} from "../Marketplace.sol";
import {ModelRegistry} from "../ModelRegistry.sol";
import {PlatformToken} from "../PlatformToken.sol";
import {Roles} from "../Roles.sol";
import {DeliveryMath} from "../libraries/DeliveryMath.sol";
import {ProtocolFixture} from "./ProtocolFixture.sol";
import {TestPoints} from "./TestPoints.sol";
import {TestBase} from "./Vm.sol";

/// @notice Drives random sequences of marketplace actions; it is the seller of one model and
/// delivers either the committed key or a wrong one, which the buyer may then prove.
contract EscrowHandler is TestBase {
    bytes32 internal constant MODEL_KEY = keccak256("model key");
    Marketplace internal immutable marketplace;
    PlatformToken internal immutable token;
    Arbitration internal immutable arbitration;
    ModelRegistry internal immutable registry;
    address internal immutable arbiter;
    address internal immutable treasury;
    uint256 internal immutable modelId;

    address[3] internal buyers = [address(0xB1), address(0xB2), address(0xB3)];
    uint256[] internal orderIds;
    mapping(uint256 orderId => address) internal buyerOf;
    mapping(uint256 orderId => uint256) internal disputeOf;
    mapping(uint256 orderId => bytes) internal pointOf;
    mapping(uint256 orderId => bytes32) internal encryptedKeyOf;

    /// @notice What the treasury was credited, and what went to the seller side (proceeds + fees), in total.
    uint256 public feesCredited;
    uint256 public sellerSide;
    uint256 public settled;
    /// @notice The arbitration fee of every dispute, and the fees earned by rulings (the rest go back).
    uint256 public constant DISPUTE_FEE = 0.01 ether;
    uint256 public feesEarned;

    constructor(Marketplace m, PlatformToken t, Arbitration a, ModelRegistry r, address arbiter_, address treasury_) {
        (marketplace, token, arbitration, registry, arbiter, treasury) = (m, t, a, r, arbiter_, treasury_);
        string[] memory tags = new string[](0);
        modelId = r.listModel(
            IModelRegistry.ModelFields("Model", "", tags, "text-classification", "mit", true, ""),
            IModelRegistry.VersionInput(hex"0155", keccak256("a"), 1, "1.0.0", ""),
            address(t),
            1 ether,
            DeliveryMath.commitment(MODEL_KEY)
        );
    }

    /// @dev Buyer k uses test key k (the same key across its orders).
    function _keyIndex(address buyer) internal view returns (uint256 k) {
        while (buyers[k] != buyer) ++k;
    }

    function _secret(address buyer) internal view returns (uint256 b) {
        (b,,) = TestPoints.buyer(_keyIndex(buyer));
    }

    modifier tracked() {
        uint256 sellerBefore = marketplace.payoutOf(address(this), address(token));
        uint256 feeBefore = marketplace.payoutOf(treasury, address(token));
        _;
        uint256 fee = marketplace.payoutOf(treasury, address(token)) - feeBefore;
        feesCredited += fee;
        uint256 side = marketplace.payoutOf(address(this), address(token)) - sellerBefore + fee;
        sellerSide += side;
        if (side > 0) ++settled;
    }

    function buy(uint256 actor, uint256 price) external {
        price = _bound(price, 1, 1e27);
        address buyer = buyers[actor % 3];
        registry.setPrice(modelId, address(token), price);
        token.mint(buyer, price);
        vm.startPrank(buyer);
        token.approve(address(marketplace), price);
        (, uint256 x, uint256 y) = TestPoints.buyer(actor % 3);
        uint256 orderId = marketplace.purchase(
            modelId, address(token), price, registry.keyCommitment(modelId), abi.encodePacked(x, y), bytes32(orderIds.length)
        );
        vm.stopPrank();
        orderIds.push(orderId);
        buyerOf[orderId] = buyer;
    }

    function setFee(uint256 feeBps) external {
        marketplace.setFee(uint16(_bound(feeBps, 0, marketplace.MAX_FEE_BPS())));
    }

    /// @dev Delivers the committed key, or a wrong one when `wrong` is odd.
    function deliver(uint256 i, uint256 r, uint256 wrong) external {
        (uint256 id, IMarketplace.Order memory o) = _pick(i);
        if (o.status != IMarketplace.OrderStatus.Created || block.timestamp > o.deadline) return;
        bytes32 key = wrong % 2 == 1 ? keccak256(abi.encode(wrong)) : MODEL_KEY;
        (bytes memory point, bytes32 c) = _encrypt(id, o.buyer, r, key);
        marketplace.deliver(id, point, c);
        (pointOf[id], encryptedKeyOf[id]) = (point, c);
    }

    /// @dev (R, c) for `key` to the buyer's test key with test nonce `r`.
    function _encrypt(uint256 id, address buyer, uint256 r, bytes32 key)
        internal
        view
        returns (bytes memory point, bytes32 c)
    {
        (, uint256 bx, uint256 by) = TestPoints.buyer(_keyIndex(buyer));
        (uint256 nonce, uint256 rx, uint256 ry) = TestPoints.nonce(r);
        address shared = DeliveryMath.mulAddress(bx, uint8(27 + (by & 1)), nonce);
        uint256 prefix = 2 + (ry & 1);
        point = abi.encodePacked(uint8(prefix), rx);
        c = key
            ^ keccak256(abi.encode(DeliveryMath.MASK_TAG, block.chainid, address(marketplace), id, rx, prefix, shared));
    }

    /// @dev The buyer proves a wrong key (a good one is refused: MarketplaceDeliveryNotBad).
    function prove(uint256 i) external tracked {
        (uint256 id, IMarketplace.Order memory o) = _pick(i);
        if (o.status != IMarketplace.OrderStatus.Delivered && o.status != IMarketplace.OrderStatus.Disputed) return;
        bytes memory point = pointOf[id];
        bytes32 c = encryptedKeyOf[id];
        bytes32 key = c
            ^ keccak256(
                abi.encode(
                    DeliveryMath.MASK_TAG,
                    block.chainid,
                    address(marketplace),
                    id,
                    bytes32(_slice(point)),
                    uint256(uint8(point[0])),
                    _shared(o.buyer, point)
                )
            );
        if (key == MODEL_KEY) return;
        bytes32 commitment = DeliveryMath.commitment(MODEL_KEY);
        IMarketplace.DeliveryProof memory proof =
            IMarketplace.DeliveryProof(_secret(o.buyer), point, c, commitment, address(this));
        marketplace.proveBadDelivery(id, proof);
    }

    /// @dev Both parties offer the same share: the order settles between them.
    function settleByParties(uint256 i, uint256 share) external tracked {
        (uint256 id, IMarketplace.Order memory o) = _pick(i);
        if (o.status != IMarketplace.OrderStatus.Delivered && o.status != IMarketplace.OrderStatus.Disputed) return;
        uint16 bps = uint16(_bound(share, 0, 10_000));
        vm.prank(o.buyer);
        marketplace.offerSettlement(id, bps);
        marketplace.offerSettlement(id, bps);
    }

    function _slice(bytes memory point) internal pure returns (bytes32 x) {
        assembly {
            x := mload(add(point, 33))
        }
    }

    function _shared(address buyer, bytes memory point) internal view returns (address) {
        return DeliveryMath.mulAddress(uint256(_slice(point)), uint8(point[0]) + 25, _secret(buyer));
    }

    function decline(uint256 i) external {
        (uint256 id, IMarketplace.Order memory o) = _pick(i);
        if (o.status == IMarketplace.OrderStatus.Created) marketplace.declineOrder(id);
    }

    function confirm(uint256 i) external tracked {
        (uint256 id, IMarketplace.Order memory o) = _pick(i);
        if (o.status != IMarketplace.OrderStatus.Delivered) return;
        vm.prank(o.buyer);
        marketplace.confirm(id);
    }

    function release(uint256 i) external tracked {
        (uint256 id, IMarketplace.Order memory o) = _pick(i);
        if (o.status == IMarketplace.OrderStatus.Delivered && block.timestamp > o.deadline) marketplace.release(id);
    }

    function refund(uint256 i) external {
        (uint256 id, IMarketplace.Order memory o) = _pick(i);
        if (o.status == IMarketplace.OrderStatus.Created && block.timestamp > o.deadline) marketplace.refund(id);
    }

    function dispute(uint256 i) external {
        (uint256 id, IMarketplace.Order memory o) = _pick(i);
        if (o.status != IMarketplace.OrderStatus.Delivered || block.timestamp > o.deadline) return;
        vm.deal(o.buyer, o.buyer.balance + DISPUTE_FEE);
        vm.prank(o.buyer);
        disputeOf[id] = marketplace.dispute{value: DISPUTE_FEE}(id, "ipfs://e");
    }

    function rule(uint256 i, uint256 ruling) external tracked {
        (uint256 id, IMarketplace.Order memory o) = _pick(i);
        if (o.status != IMarketplace.OrderStatus.Disputed) return;
        ruling = _bound(ruling, 0, marketplace.RULING_OPTIONS());
        vm.prank(arbiter);
        arbitration.giveRuling(disputeOf[id], ruling);
        feesEarned += DISPUTE_FEE;
    }

    /// @dev The default settlement of a disputed order, waiting out its ruling deadline if needed (the
    /// 14-day ruling window is rarely reached by the random warps alone).
    function settle(uint256 i) external tracked {
        (uint256 id, IMarketplace.Order memory o) = _pick(i);
        if (o.status != IMarketplace.OrderStatus.Disputed) return;
        if (block.timestamp <= o.deadline) vm.warp(o.deadline + 1);
        marketplace.settleExpiredDispute(id);
    }

    function withdraw(uint256 actor) external {
        address account = actor % 2 == 0 ? address(this) : treasury;
        if (marketplace.payoutOf(account, address(token)) == 0) return;
        vm.prank(account);
        marketplace.withdraw(address(token));
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + _bound(seconds_, 0, 4 days));
    }

    /// @notice The amounts still held for open orders (Created, Delivered, Disputed).
    function openAmount() external view returns (uint256 sum) {
        for (uint256 k; k < orderIds.length; ++k) {
            IMarketplace.Order memory o = marketplace.getOrder(orderIds[k]);
            if (
                o.status == IMarketplace.OrderStatus.Created || o.status == IMarketplace.OrderStatus.Delivered
                    || o.status == IMarketplace.OrderStatus.Disputed
            ) sum += o.amount;
        }
    }

    /// @notice The orders waiting for a ruling.
    function openDisputes() external view returns (uint256 count) {
        for (uint256 k; k < orderIds.length; ++k) {
            if (marketplace.getOrder(orderIds[k]).status == IMarketplace.OrderStatus.Disputed) ++count;
        }
    }

    /// @notice Unclaimed payouts of everyone the handler lets act.
    function unclaimed() external view returns (uint256 sum) {
        sum = marketplace.payoutOf(address(this), address(token)) + marketplace.payoutOf(treasury, address(token));
        for (uint256 k; k < 3; ++k) sum += marketplace.payoutOf(buyers[k], address(token));
    }

    function _pick(uint256 i) internal view returns (uint256 id, IMarketplace.Order memory o) {
        if (orderIds.length == 0) return (0, o);
        id = orderIds[i % orderIds.length];
        o = marketplace.getOrder(id);
    }
}

/// @notice Invariants of the escrow over random action sequences.
contract EscrowInvariantTest is ProtocolFixture {
    EscrowHandler internal handler;

    function setUp() public {
        _deployProtocol();
        vm.warp(1_700_000_000);
        handler = new EscrowHandler(marketplace, token, arbitration, registry, arbiter, treasury);
        manager.grantRole(Roles.MINTER, address(handler), 0);
        manager.grantRole(Roles.TREASURER, address(handler), 0);
        arbitration.setArbitrationCost(handler.DISPUTE_FEE());
    }

    /// @dev Read by the invariant fuzzer: only the handler is called.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function invariant_escrowBalanceEqualsOpenOrdersPlusPayouts() public view {
        _assertEq(
            token.balanceOf(address(marketplace)), handler.openAmount() + handler.unclaimed(), "escrow conservation"
        );
    }

    /// @dev A dispute's fee is held while it waits, earned by a ruling, and returned otherwise (default
    /// settlement, settlement by the parties, proven bad delivery): never left locked.
    function invariant_arbitrationFeesHeldOnlyForOpenDisputes() public view {
        _assertEq(arbitration.heldFees(), handler.openDisputes() * handler.DISPUTE_FEE(), "held fees");
        _assertEq(address(arbitration).balance, arbitration.heldFees() + handler.feesEarned(), "arbitration balance");
    }

    /// @dev The fee invariant on one fixed sequence (random sequences reach a default settlement
    /// only now and then at this fuzzing depth).
    function test_defaultSettlementReturnsTheFee() public {
        handler.buy(0, 1 ether);
        handler.deliver(0, 1, 0);
        handler.dispute(0);
        _assertEq(arbitration.heldFees(), handler.DISPUTE_FEE(), "held while disputed");
        handler.settle(0);
        invariant_arbitrationFeesHeldOnlyForOpenDisputes();
        invariant_escrowBalanceEqualsOpenOrdersPlusPayouts();
    }

    function invariant_feesNeverAboveTheCap() public view {
        _assertLe(handler.feesCredited() * 10_000, handler.sellerSide() * marketplace.MAX_FEE_BPS(), "fee cap");
        _assertLe(marketplace.feeBps(), marketplace.MAX_FEE_BPS(), "fee setting");
    }
}
