// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarketplace} from "../interfaces/IMarketplace.sol";
import {DeliveryMath} from "../libraries/DeliveryMath.sol";
import {Marketplace} from "../Marketplace.sol";
import {ProtocolFixture} from "./ProtocolFixture.sol";

/// @notice Fuzzing of the order lifecycle: every path conserves the escrowed value and respects the fee cap.
contract MarketplaceFuzzTest is ProtocolFixture {
    address internal seller = address(0x5E11E4);
    address internal buyer = address(0xB0B);
    uint256 internal constant BPS = 10_000;

    function setUp() public {
        _deployProtocol();
        vm.warp(1_700_000_000);
    }

    function testFuzz_purchase_escrowsExactlyThePrice(uint256 price) public {
        price = _bound(price, 1, type(uint88).max);
        uint256 modelId = _list(seller, price);
        uint256 orderId = _buy(buyer, modelId, price);
        _assertEq(token.balanceOf(address(marketplace)), price, "escrow balance");
        _assertEq(marketplace.getOrder(orderId).amount, price, "order amount");
        _assertEq(uint8(marketplace.getOrder(orderId).status), uint8(IMarketplace.OrderStatus.Created), "status");
    }

    function testFuzz_purchase_revertsAbovePriceCap(uint256 price, uint256 maxPrice) public {
        price = _bound(price, 1, type(uint88).max);
        maxPrice = _bound(maxPrice, 0, price - 1);
        uint256 modelId = _list(seller, price);
        token.mint(buyer, price);
        vm.startPrank(buyer);
        token.approve(address(marketplace), price);
        bytes32 commitment = registry.keyCommitment(modelId);
        vm.expectRevert(
            abi.encodeWithSelector(IMarketplace.MarketplacePriceAboveMax.selector, modelId, price, maxPrice)
        );
        marketplace.purchase(modelId, address(token), maxPrice, commitment, _buyerKey(BUYER), 0);
        vm.stopPrank();
    }

    function testFuzz_setFee_revertsAboveCap(uint16 feeBps) public {
        feeBps = uint16(_bound(feeBps, marketplace.MAX_FEE_BPS() + 1, type(uint16).max));
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.MarketplaceFeeAboveCap.selector, feeBps, 1000));
        marketplace.setFee(feeBps);
    }

    function testFuzz_deliver_revertsAfterTheDeadline(uint256 delay) public {
        uint256 orderId = _buy(buyer, _list(seller, 1 ether), 1 ether);
        uint256 deadline = marketplace.getOrder(orderId).deadline;
        delay = _bound(delay, 1, 365 days);
        (bytes memory point, bytes32 c) = _delivery(orderId, BUYER, 7, MODEL_KEY);
        vm.warp(deadline + delay);
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.MarketplaceDeadlinePassed.selector, orderId, deadline));
        vm.prank(seller);
        marketplace.deliver(orderId, point, c);
    }

    function test_purchase_revertsWhenPaused() public {
        uint256 modelId = _list(seller, 1 ether);
        marketplace.pause();
        token.mint(buyer, 1 ether);
        vm.startPrank(buyer);
        token.approve(address(marketplace), 1 ether);
        bytes32 commitment = registry.keyCommitment(modelId);
        vm.expectRevert(Marketplace.EnforcedPause.selector);
        marketplace.purchase(modelId, address(token), 1 ether, commitment, _buyerKey(BUYER), 0);
        vm.stopPrank();
    }

    /// @dev Any test buyer key and delivery nonce: a delivery of the committed key is not provable, any
    /// other key is, and the proof refunds the buyer in full.
    function testFuzz_proveBadDelivery_refundsOnlyAWrongKey(uint256 buyerIndex, uint256 nonceIndex, bytes32 wrongKey)
        public
    {
        vm.assume(wrongKey != MODEL_KEY);
        bytes memory buyerKey = _buyerKey(buyerIndex);
        uint256 b = _secret(buyerIndex);
        uint256 modelId = _list(seller, 1 ether);
        token.mint(buyer, 2 ether);
        vm.startPrank(buyer);
        token.approve(address(marketplace), 2 ether);
        uint256 good = marketplace.purchase(modelId, address(token), 1 ether, registry.keyCommitment(modelId), buyerKey, 0);
        uint256 bad = marketplace.purchase(modelId, address(token), 1 ether, registry.keyCommitment(modelId), buyerKey, 0);
        vm.stopPrank();
        bytes32 commitment = DeliveryMath.commitment(MODEL_KEY);
        (bytes memory goodPoint, bytes32 goodC) = _delivery(good, buyerIndex, nonceIndex, MODEL_KEY);
        (bytes memory badPoint, bytes32 badC) = _delivery(bad, buyerIndex, nonceIndex, wrongKey);
        vm.startPrank(seller);
        marketplace.deliver(good, goodPoint, goodC);
        marketplace.deliver(bad, badPoint, badC);
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.MarketplaceDeliveryNotBad.selector, good));
        marketplace.proveBadDelivery(good, IMarketplace.DeliveryProof(b, goodPoint, goodC, commitment, seller));
        marketplace.proveBadDelivery(bad, IMarketplace.DeliveryProof(b, badPoint, badC, commitment, seller));
        _assertEq(uint8(marketplace.getOrder(bad).status), uint8(IMarketplace.OrderStatus.Refunded), "refunded");
        _assertEq(token.balanceOf(buyer), 1 ether, "full refund");
    }

    /// @dev One order through one of nine endings (confirm, release, refund, decline, ruling, default
    /// settlement, proven bad delivery while Delivered or Disputed, settlement by the parties); value
    /// is conserved and the fee stays under the cap.
    function testFuzz_lifecycle_conservesValue(uint256 price, uint256 path, uint256 ruling, uint256 feeBps) public {
        price = _bound(price, 1, type(uint88).max);
        feeBps = _bound(feeBps, 0, marketplace.MAX_FEE_BPS());
        marketplace.setFee(uint16(feeBps));
        uint256 orderId = _buy(buyer, _list(seller, price), price);
        path = path % 9;
        if (path == 3) {
            vm.prank(seller);
            marketplace.declineOrder(orderId);
        } else if (path == 2) {
            vm.warp(block.timestamp + 3 days + 1);
            marketplace.refund(orderId);
        } else {
            bytes32 key = path == 6 || path == 7 ? keccak256("wrong key") : MODEL_KEY;
            (bytes memory point, bytes32 c) = _delivery(orderId, BUYER, 3, key);
            vm.prank(seller);
            marketplace.deliver(orderId, point, c);
            if (path == 6) {
                marketplace.proveBadDelivery(orderId, _proof(point, c));
            } else if (path == 8) {
                uint16 share = uint16(_bound(ruling, 0, BPS));
                vm.prank(buyer);
                marketplace.offerSettlement(orderId, share);
                vm.prank(seller);
                marketplace.offerSettlement(orderId, share);
            } else if (path == 0) {
                vm.prank(buyer);
                marketplace.confirm(orderId);
            } else if (path == 1) {
                vm.warp(block.timestamp + 3 days + 1);
                marketplace.release(orderId);
            } else {
                vm.prank(buyer);
                uint256 disputeId = marketplace.dispute(orderId, "ipfs://evidence");
                if (path == 7) {
                    marketplace.proveBadDelivery(orderId, _proof(point, c));
                } else if (path == 4) {
                    ruling = _bound(ruling, 0, marketplace.RULING_OPTIONS());
                    vm.prank(arbiter);
                    arbitration.giveRuling(disputeId, ruling);
                } else {
                    vm.warp(block.timestamp + 14 days + 1);
                    marketplace.settleExpiredDispute(orderId);
                }
            }
        }
        uint256 toBuyer = token.balanceOf(buyer);
        uint256 toSeller = marketplace.payoutOf(seller, address(token));
        uint256 fee = marketplace.payoutOf(treasury, address(token));
        _assertEq(toBuyer + toSeller + fee, price, "value conserved");
        _assertEq(token.balanceOf(address(marketplace)), toSeller + fee, "escrow holds the payouts");
        _assertLe(fee * BPS, (toSeller + fee) * marketplace.MAX_FEE_BPS(), "fee under the cap");
        _assertLe(fee * BPS, (toSeller + fee) * feeBps, "fee at most the snapshotted rate");
    }

    /// @dev The buyer's proof of a delivery by `seller` on an order bought with `_buy`.
    function _proof(bytes memory point, bytes32 c) internal view returns (IMarketplace.DeliveryProof memory) {
        return IMarketplace.DeliveryProof(_secret(BUYER), point, c, DeliveryMath.commitment(MODEL_KEY), seller);
    }
}
