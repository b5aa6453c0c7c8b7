// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Arbitration} from "../Arbitration.sol";
import {IMarketplace} from "../interfaces/IMarketplace.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {Marketplace} from "../Marketplace.sol";
import {ModelRegistry} from "../ModelRegistry.sol";
import {PlatformToken} from "../PlatformToken.sol";
import {Roles} from "../Roles.sol";
import {ProtocolFixture} from "./ProtocolFixture.sol";
import {TestBase} from "./Vm.sol";

/// @notice Drives random sequences of marketplace actions; it is the seller of one model.
contract EscrowHandler is TestBase {
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

    /// @notice What the treasury was credited, and what went to the seller side (proceeds + fees), in total.
    uint256 public feesCredited;
    uint256 public sellerSide;
    uint256 public settled;

    constructor(Marketplace m, PlatformToken t, Arbitration a, ModelRegistry r, address arbiter_, address treasury_) {
        (marketplace, token, arbitration, registry, arbiter, treasury) = (m, t, a, r, arbiter_, treasury_);
        string[] memory tags = new string[](0);
        modelId = r.listModel(
            IModelRegistry.ModelFields("Model", "", tags, "text-classification", "mit", true, ""),
            IModelRegistry.VersionInput(hex"0155", keccak256("a"), 1, "1.0.0", ""),
            address(t),
            1 ether
        );
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
        uint256 orderId = marketplace.purchase(modelId, price, keccak256("key"));
        vm.stopPrank();
        orderIds.push(orderId);
        buyerOf[orderId] = buyer;
    }

    function setFee(uint256 feeBps) external {
        marketplace.setFee(uint16(_bound(feeBps, 0, marketplace.MAX_FEE_BPS())));
    }

    function deliver(uint256 i) external {
        (uint256 id, IMarketplace.Order memory o) = _pick(i);
        if (o.status == IMarketplace.OrderStatus.Created && block.timestamp <= o.deadline) {
            marketplace.deliver(id, hex"01");
        }
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
        vm.prank(o.buyer);
        disputeOf[id] = marketplace.dispute(id, "ipfs://e");
    }

    function rule(uint256 i, uint256 ruling) external tracked {
        (uint256 id, IMarketplace.Order memory o) = _pick(i);
        if (o.status != IMarketplace.OrderStatus.Disputed) return;
        ruling = _bound(ruling, 0, marketplace.RULING_OPTIONS());
        vm.prank(arbiter);
        arbitration.giveRuling(disputeOf[id], ruling);
    }

    function settle(uint256 i) external tracked {
        (uint256 id, IMarketplace.Order memory o) = _pick(i);
        if (o.status == IMarketplace.OrderStatus.Disputed && block.timestamp > o.deadline) {
            marketplace.settleExpiredDispute(id);
        }
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

    function invariant_feesNeverAboveTheCap() public view {
        _assertLe(handler.feesCredited() * 10_000, handler.sellerSide() * marketplace.MAX_FEE_BPS(), "fee cap");
        _assertLe(marketplace.feeBps(), marketplace.MAX_FEE_BPS(), "fee setting");
    }
}
