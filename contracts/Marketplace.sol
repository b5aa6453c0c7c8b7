// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManagedUpgradeable} from "@openzeppelin/contracts-upgradeable/access/manager/AccessManagedUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IArbitrable} from "./interfaces/IArbitrable.sol";
import {IArbitration} from "./interfaces/IArbitration.sol";
import {IArbitrator} from "./interfaces/IArbitrator.sol";
import {IMarketplace} from "./interfaces/IMarketplace.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {IReputation} from "./interfaces/IReputation.sol";
import {DeliveryMath} from "./libraries/DeliveryMath.sol";

/// @title Marketplace (escrow)
/// @notice Escrow of model sales: purchase, provable delivery of the model key, confirmation or
/// release, refunds, proofs of bad delivery, settlements by the parties, and ERC-792 disputes.
/// @dev Rulings (ERC-792 choices 0..10003): 0 = refused to arbitrate (default rule), 1 = the buyer
/// (full refund), 2 = the seller (release), 3 + b = split where the buyer gets b bps (0..10000) back;
/// 3 + 10000 counts as ruling 1 and 3 + 0 as ruling 2. The default rule, applied on ruling 0 or after
/// the ruling deadline, is a 50/50 split. The fee is taken on the seller's part only; refunds are
/// pushed to the buyer and credited if the push fails. Reputation and arbitrator calls made while
/// settling run with a fixed gas budget and cannot make a settlement fail.
contract Marketplace is
    Initializable,
    AccessManagedUpgradeable,
    ReentrancyGuardTransient,
    UUPSUpgradeable,
    IMarketplace
{
    using SafeERC20 for IERC20;

    /// @notice The platform fee can never exceed 10%.
    uint16 public constant MAX_FEE_BPS = 1000;
    uint256 internal constant BPS = 10_000;
    /// @notice Every window is at least an hour, so a party always has time to act.
    uint32 public constant MIN_WINDOW = 1 hours;
    /// @notice A seller has at most 30 days to deliver; a buyer at most 30 days to dispute.
    uint32 public constant MAX_DELIVERY_WINDOW = 30 days;
    uint32 public constant MAX_DISPUTE_WINDOW = 30 days;
    /// @notice The arbitrator has at most 90 days to rule before the default rule applies.
    uint32 public constant MAX_RULING_WINDOW = 90 days;
    /// @notice Number of ERC-792 choices: buyer, seller, and 10,001 splits.
    uint256 public constant RULING_OPTIONS = 3 + BPS;
    uint256 internal constant RULING_BUYER = 1;
    uint256 internal constant RULING_SELLER = 2;
    uint256 internal constant RULING_SPLIT = 3;
    uint256 internal constant DEFAULT_BUYER_SHARE_BPS = 5000;
    /// @notice The only meta-evidence of the marketplace, emitted at initialization.
    uint256 public constant META_EVIDENCE_ID = 0;
    uint256 public constant MAX_WRAPPED_KEY = 512;
    /// @notice Gas given to a Reputation call made while settling (a failure only emits ReputationNotRecorded).
    uint256 public constant REPUTATION_CALL_GAS = 100_000;
    /// @notice Gas given to the arbitrator's `cancelDispute` when an order settles without a ruling.
    uint256 public constant CANCEL_DISPUTE_GAS = 80_000;

    /// @notice Deployment parameters of `initialize`.
    struct InitParams {
        address authority;
        IModelRegistry registry;
        IArbitrator arbitrator;
        IReputation reputation;
        address treasury;
        uint16 feeBps;
        uint32 deliveryWindow;
        uint32 disputeWindow;
        uint32 rulingWindow;
        string metaEvidenceURI;
    }

    /// @dev The arbitrator that holds a dispute, so that a change of arbitrator leaves open disputes with theirs.
    struct DisputeRef {
        IArbitrator arbitrator;
        uint256 disputeId;
    }

    /// @dev How a settled dispute divides an order's amount.
    struct Settlement {
        uint256 buyerRefund;
        uint256 sellerProceeds;
        uint256 fee;
    }

    /// @custom:storage-location erc7201:ai-model-marketplace.storage.Marketplace
    struct MarketplaceStorage {
        // One slot holds everything a purchase reads and writes besides the order.
        IModelRegistry registry;
        uint16 feeBps;
        uint32 deliveryWindow;
        uint40 orderCount;
        bool paused;
        address treasury;
        uint32 disputeWindow;
        uint32 rulingWindow;
        IArbitrator arbitrator;
        IReputation reputation;
        mapping(uint256 orderId => Order) orders;
        mapping(address account => mapping(address token => uint256)) payouts;
        // Bit `modelId % 256` of word `modelId / 256`: a buyer's licenses to nearby models share a slot.
        mapping(address account => mapping(uint256 word => uint256 bits)) licenses;
        mapping(address arbitrator => mapping(uint256 disputeId => uint256 orderId)) disputeOrders;
        mapping(uint256 orderId => DisputeRef) orderDisputes;
        // Appended by the provable-delivery upgrade: a party's standing offer, buyerShareBps + 1 (0: none).
        mapping(uint256 orderId => mapping(address party => uint256 offer)) settlementOffers;
    }

    /// @notice New purchases were stopped (OpenZeppelin Pausable's event).
    event Paused(address account);
    /// @notice New purchases resumed.
    event Unpaused(address account);

    /// @notice Purchases are paused.
    error EnforcedPause();
    /// @notice `unpause` while not paused.
    error ExpectedPause();

    // keccak256(abi.encode(uint256(keccak256("ai-model-marketplace.storage.Marketplace")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant MARKETPLACE_STORAGE_LOCATION =
        0x903204d85f4f358fc1e77931e6c72fda2f060dec763b3d34835bd02f3d87ec00;

    function _getMarketplaceStorage() private pure returns (MarketplaceStorage storage $) {
        assembly {
            $.slot := MARKETPLACE_STORAGE_LOCATION
        }
    }

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Sets the collaborators, the fee, the windows, and emits the meta-evidence of all disputes.
    function initialize(InitParams calldata p) external initializer {
        __AccessManaged_init(p.authority);
        if (address(p.registry) == address(0) || address(p.reputation) == address(0)) {
            revert MarketplaceZeroAddress();
        }
        MarketplaceStorage storage $ = _getMarketplaceStorage();
        $.registry = p.registry;
        $.reputation = p.reputation;
        _setFee(p.feeBps);
        _setTreasury(p.treasury);
        _setWindows(p.deliveryWindow, p.disputeWindow, p.rulingWindow);
        _setArbitrator(address(p.arbitrator));
        emit MetaEvidence(META_EVIDENCE_ID, p.metaEvidenceURI);
    }

    /// @dev The pause flag shares the purchase's slot: pausing costs a purchase nothing extra.
    modifier whenNotPaused() {
        if (_getMarketplaceStorage().paused) revert EnforcedPause();
        _;
    }

    // ─── purchases ───────────────────────────────────────────────────────────────────────────

    /// @inheritdoc IMarketplace
    function purchase(
        uint256 modelId,
        address paymentToken,
        uint256 maxPrice,
        bytes32 keyCommitment,
        bytes calldata buyerKey,
        bytes32 keySalt
    ) external nonReentrant whenNotPaused returns (uint256) {
        IModelRegistry.SaleTerms memory terms = _getMarketplaceStorage().registry.getSaleTerms(modelId);
        _checkExpectedTerms(modelId, paymentToken, maxPrice, keyCommitment, terms);
        return _purchase(modelId, buyerKey, keySalt, terms);
    }

    /// @inheritdoc IMarketplace
    /// @dev The permit's value is the model's current price, in the model's token (a token other than
    /// the one the buyer named makes the purchase revert anyway).
    function purchaseWithPermit(
        uint256 modelId,
        address paymentToken,
        uint256 maxPrice,
        bytes32 keyCommitment,
        bytes calldata buyerKey,
        bytes32 keySalt,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant whenNotPaused returns (uint256) {
        IModelRegistry.SaleTerms memory terms = _getMarketplaceStorage().registry.getSaleTerms(modelId);
        _checkExpectedTerms(modelId, paymentToken, maxPrice, keyCommitment, terms);
        // A front-run permit is harmless: the allowance it set is used below; otherwise transferFrom reverts.
        // A free model may have no token to call.
        if (terms.price != 0) {
            try IERC20Permit(terms.paymentToken).permit(
                msg.sender, address(this), terms.price, permitDeadline, v, r, s
            ) {} catch {}
        }
        return _purchase(modelId, buyerKey, keySalt, terms);
    }

    /// @inheritdoc IMarketplace
    function claimFree(uint256 modelId) external nonReentrant whenNotPaused returns (uint256) {
        IModelRegistry.SaleTerms memory terms = _getMarketplaceStorage().registry.getSaleTerms(modelId);
        if (terms.price != 0) revert MarketplaceNotFree(modelId, terms.price);
        _checkBuyable(modelId, terms);
        return _licenseFree(modelId, terms);
    }

    /// @dev The terms the buyer saw: a change of token, a higher price or another key commitment in
    /// front of the purchase makes it revert instead of buying something else.
    function _checkExpectedTerms(
        uint256 modelId,
        address paymentToken,
        uint256 maxPrice,
        bytes32 keyCommitment,
        IModelRegistry.SaleTerms memory terms
    ) private pure {
        if (terms.paymentToken != paymentToken) {
            revert MarketplacePaymentTokenMismatch(modelId, terms.paymentToken, paymentToken);
        }
        if (terms.price > maxPrice) revert MarketplacePriceAboveMax(modelId, terms.price, maxPrice);
        if (terms.price != 0 && terms.keyCommitment != keyCommitment && terms.keyCommitment != bytes32(0)) {
            revert MarketplaceKeyCommitmentMismatch(modelId, terms.keyCommitment, keyCommitment);
        }
    }

    function _purchase(
        uint256 modelId,
        bytes calldata buyerKey,
        bytes32 keySalt,
        IModelRegistry.SaleTerms memory terms
    ) private returns (uint256 orderId) {
        uint256 price = terms.price;
        _checkBuyable(modelId, terms);
        if (price == 0) return _licenseFree(modelId, terms);
        if (price > type(uint96).max) revert MarketplaceAmountTooLarge(price);
        if (!terms.paymentTokenAllowed) revert MarketplacePaymentTokenNotAllowed(terms.paymentToken);
        if (terms.keyCommitment == bytes32(0)) revert MarketplaceNoKeyCommitment(modelId);
        bytes32 binding = DeliveryMath.bindingOfKey(buyerKey);
        if (binding == bytes32(0)) revert MarketplaceInvalidBuyerKey();
        bytes28 check = DeliveryMath.purchaseCheck(binding, terms.keyCommitment);
        orderId = _createOrder(modelId, terms, check, buyerKey, keySalt);
        _collect(IERC20(terms.paymentToken), price);
    }

    function _createOrder(
        uint256 modelId,
        IModelRegistry.SaleTerms memory terms,
        bytes28 check,
        bytes calldata buyerKey,
        bytes32 keySalt
    ) private returns (uint256 orderId) {
        MarketplaceStorage storage $ = _getMarketplaceStorage();
        uint16 fee = $.feeBps;
        uint40 deadline = uint40(block.timestamp + $.deliveryWindow);
        orderId = ++$.orderCount;
        $.orders[orderId] = Order({
            buyer: msg.sender,
            modelId: uint32(modelId),
            deadline: deadline,
            status: OrderStatus.Created,
            feeBps: fee,
            token: terms.paymentToken,
            amount: uint96(terms.price),
            version: terms.versionCount,
            deliveryCheck: check
        });
        _emitOrderCreated(orderId, modelId, terms, terms.price * fee / BPS, buyerKey, keySalt, deadline);
    }

    function _emitOrderCreated(
        uint256 orderId,
        uint256 modelId,
        IModelRegistry.SaleTerms memory terms,
        uint256 fee,
        bytes memory buyerKey,
        bytes32 keySalt,
        uint64 deadline
    ) private {
        emit OrderCreated(
            orderId,
            modelId,
            msg.sender,
            terms.seller,
            terms.paymentToken,
            terms.price,
            fee,
            terms.versionCount,
            buyerKey,
            keySalt,
            terms.keyCommitment,
            deadline
        );
    }

    /// @dev Fee-on-transfer tokens would break conservation: the escrow must receive exactly the price.
    function _collect(IERC20 token, uint256 price) private {
        uint256 balanceBefore = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), price);
        uint256 received = token.balanceOf(address(this)) - balanceBefore;
        if (received != price) revert MarketplaceTransferAmountMismatch(price, received);
    }

    function _checkBuyable(uint256 modelId, IModelRegistry.SaleTerms memory terms) private view {
        if (!terms.active) revert MarketplaceModelInactive(modelId);
        if (terms.seller == msg.sender) revert MarketplaceSellerCannotBuy(modelId);
    }

    /// @dev Free models: an order is recorded Completed at once (so its buyer may review), no escrow.
    function _licenseFree(uint256 modelId, IModelRegistry.SaleTerms memory terms) private returns (uint256 orderId) {
        MarketplaceStorage storage $ = _getMarketplaceStorage();
        orderId = ++$.orderCount;
        Order storage order = $.orders[orderId];
        order.buyer = msg.sender;
        order.modelId = uint32(modelId);
        order.status = OrderStatus.Completed;
        _grantLicense($, modelId, msg.sender);
        _emitOrderCreated(orderId, modelId, terms, 0, "", 0, 0);
        emit OrderCompleted(orderId, terms.seller, 0, 0, false);
        emit LicenseGranted(modelId, msg.sender, orderId);
    }

    // ─── delivery and release ────────────────────────────────────────────────────────────────

    /// @inheritdoc IMarketplace
    function deliver(uint256 orderId, bytes calldata deliveryPoint, bytes32 encryptedKey) external {
        MarketplaceStorage storage $ = _getMarketplaceStorage();
        Order storage order = _order($, orderId);
        bytes28 check = order.deliveryCheck;
        uint40 deadline = _markDelivered($, orderId, order, check != 0);
        if (!DeliveryMath.isValidPoint(deliveryPoint)) revert MarketplaceInvalidDeliveryPoint();
        order.deliveryCheck = DeliveryMath.deliveryCheck(check, deliveryPoint, encryptedKey, msg.sender);
        emit OrderDelivered(orderId, msg.sender, deliveryPoint, encryptedKey, deadline);
    }

    /// @inheritdoc IMarketplace
    function deliverWrapped(uint256 orderId, bytes calldata wrappedKey) external {
        MarketplaceStorage storage $ = _getMarketplaceStorage();
        Order storage order = _order($, orderId);
        uint40 deadline = _markDelivered($, orderId, order, order.deliveryCheck == 0);
        if (wrappedKey.length == 0 || wrappedKey.length > MAX_WRAPPED_KEY) revert MarketplaceInvalidWrappedKey();
        emit OrderDeliveredWrapped(orderId, wrappedKey, deadline);
    }

    /// @dev The checks and state change both delivery formats share; `formatMatches` says whether the
    /// order was made in the caller's format.
    function _markDelivered(MarketplaceStorage storage $, uint256 orderId, Order storage order, bool formatMatches)
        private
        returns (uint40 deadline)
    {
        _requireStatus(orderId, order.status, OrderStatus.Created);
        _requireSeller($, orderId, order.modelId);
        if (block.timestamp > order.deadline) revert MarketplaceDeadlinePassed(orderId, order.deadline);
        if (!formatMatches) revert MarketplaceWrongDeliveryFormat(orderId);
        deadline = uint40(block.timestamp + $.disputeWindow);
        order.status = OrderStatus.Delivered;
        order.deadline = deadline;
    }

    /// @inheritdoc IMarketplace
    function proveBadDelivery(uint256 orderId, DeliveryProof calldata proof) external nonReentrant {
        MarketplaceStorage storage $ = _getMarketplaceStorage();
        Order storage order = _order($, orderId);
        OrderStatus status = order.status;
        if (status != OrderStatus.Delivered && status != OrderStatus.Disputed) {
            revert MarketplaceWrongStatus(orderId, status);
        }
        _verifyBadDelivery(orderId, order.deliveryCheck, proof);
        uint256 modelId = order.modelId;
        address buyer = order.buyer;
        _refundInFull($, orderId, order, RefundReason.BadDelivery);
        if (status == OrderStatus.Disputed) _cancelDispute($, orderId, buyer);
        _callReputation($, orderId, abi.encodeCall(IReputation.recordBadDelivery, (orderId, modelId, proof.seller)));
    }

    /// @dev Reverts unless the proof's values are the order's and the key they open does not match
    /// the commitment.
    function _verifyBadDelivery(uint256 orderId, bytes28 check, DeliveryProof calldata proof) private view {
        if (check == 0) revert MarketplaceWrongDeliveryFormat(orderId);
        uint256 b = proof.buyerSecret;
        if (b == 0 || b >= DeliveryMath.N) revert MarketplaceInvalidBuyerSecret();
        bytes28 expected = DeliveryMath.purchaseCheck(DeliveryMath.bindingOfSecret(b), proof.keyCommitment);
        bytes calldata point = proof.deliveryPoint;
        if (
            point.length != 33
                || DeliveryMath.deliveryCheck(expected, point, proof.encryptedKey, proof.seller) != check
        ) revert MarketplaceProofMismatch(orderId);
        bytes32 key = DeliveryMath.openKey(block.chainid, address(this), orderId, point, b, proof.encryptedKey);
        if (DeliveryMath.commitment(key) == proof.keyCommitment) revert MarketplaceDeliveryNotBad(orderId);
    }

    /// @inheritdoc IMarketplace
    function declineOrder(uint256 orderId) external nonReentrant {
        MarketplaceStorage storage $ = _getMarketplaceStorage();
        Order storage order = _order($, orderId);
        _requireStatus(orderId, order.status, OrderStatus.Created);
        _requireSeller($, orderId, order.modelId);
        _refundInFull($, orderId, order, RefundReason.SellerDeclined);
    }

    /// @inheritdoc IMarketplace
    function confirm(uint256 orderId) external nonReentrant {
        MarketplaceStorage storage $ = _getMarketplaceStorage();
        Order storage order = _order($, orderId);
        if (order.buyer != msg.sender) revert MarketplaceNotBuyer(orderId, msg.sender);
        _requireStatus(orderId, order.status, OrderStatus.Delivered);
        _complete($, orderId, order, true);
    }

    /// @inheritdoc IMarketplace
    function release(uint256 orderId) external nonReentrant {
        MarketplaceStorage storage $ = _getMarketplaceStorage();
        Order storage order = _order($, orderId);
        _requireStatus(orderId, order.status, OrderStatus.Delivered);
        if (block.timestamp <= order.deadline) revert MarketplaceDeadlineNotReached(orderId, order.deadline);
        _complete($, orderId, order, false);
    }

    /// @inheritdoc IMarketplace
    function refund(uint256 orderId) external nonReentrant {
        MarketplaceStorage storage $ = _getMarketplaceStorage();
        Order storage order = _order($, orderId);
        _requireStatus(orderId, order.status, OrderStatus.Created);
        if (block.timestamp <= order.deadline) revert MarketplaceDeadlineNotReached(orderId, order.deadline);
        _refundInFull($, orderId, order, RefundReason.DeliveryTimeout);
    }

    function _complete(MarketplaceStorage storage $, uint256 orderId, Order storage order, bool confirmedByBuyer)
        private
    {
        order.status = OrderStatus.Completed;
        (uint256 modelId, address buyer, address token, uint256 amount) =
            (order.modelId, order.buyer, order.token, order.amount);
        uint256 fee = amount * order.feeBps / BPS;
        address seller = _sellerOf($, modelId);
        _credit($, seller, token, amount - fee);
        _credit($, $.treasury, token, fee);
        _grantLicense($, modelId, buyer);
        emit OrderCompleted(orderId, seller, amount - fee, fee, confirmedByBuyer);
        emit LicenseGranted(modelId, buyer, orderId);
    }

    function _refundInFull(MarketplaceStorage storage $, uint256 orderId, Order storage order, RefundReason reason)
        private
    {
        order.status = OrderStatus.Refunded;
        (address buyer, uint256 amount) = (order.buyer, order.amount);
        emit OrderRefunded(orderId, buyer, amount, reason);
        _pushOrCredit($, buyer, order.token, amount);
    }

    // ─── disputes ────────────────────────────────────────────────────────────────────────────

    /// @inheritdoc IMarketplace
    function dispute(uint256 orderId, string calldata evidenceURI)
        external
        payable
        nonReentrant
        returns (uint256 disputeId)
    {
        MarketplaceStorage storage $ = _getMarketplaceStorage();
        Order storage order = _order($, orderId);
        if (order.buyer != msg.sender) revert MarketplaceNotBuyer(orderId, msg.sender);
        _requireStatus(orderId, order.status, OrderStatus.Delivered);
        if (block.timestamp > order.deadline) revert MarketplaceDeadlinePassed(orderId, order.deadline);
        IArbitrator arbitrator_ = $.arbitrator;
        uint256 cost = arbitrator_.arbitrationCost("");
        if (msg.value != cost) revert MarketplaceWrongArbitrationFee(msg.value, cost);
        uint40 deadline = uint40(block.timestamp + $.rulingWindow);
        order.status = OrderStatus.Disputed;
        order.deadline = deadline;
        // The arbitrator is governance's choice; the dispute id it returns keys the ruling callback.
        disputeId = arbitrator_.createDispute{value: msg.value}(RULING_OPTIONS, "");
        $.disputeOrders[address(arbitrator_)][disputeId] = orderId;
        $.orderDisputes[orderId] = DisputeRef(arbitrator_, disputeId);
        emit OrderDisputed(orderId, disputeId, deadline);
        emit Dispute(arbitrator_, disputeId, META_EVIDENCE_ID, orderId);
        emit Evidence(arbitrator_, orderId, msg.sender, evidenceURI);
    }

    /// @inheritdoc IMarketplace
    function submitEvidence(uint256 orderId, string calldata evidenceURI) external {
        MarketplaceStorage storage $ = _getMarketplaceStorage();
        Order storage order = _order($, orderId);
        _requireStatus(orderId, order.status, OrderStatus.Disputed);
        if (msg.sender != order.buyer && msg.sender != _sellerOf($, order.modelId)) {
            revert MarketplaceNotParty(orderId, msg.sender);
        }
        emit Evidence($.orderDisputes[orderId].arbitrator, orderId, msg.sender, evidenceURI);
    }

    /// @inheritdoc IArbitrable
    function rule(uint256 disputeId, uint256 ruling) external nonReentrant {
        MarketplaceStorage storage $ = _getMarketplaceStorage();
        uint256 orderId = $.disputeOrders[msg.sender][disputeId];
        if (orderId == 0) {
            if (msg.sender != address($.arbitrator)) revert MarketplaceNotArbitrator(msg.sender);
            revert MarketplaceUnknownDispute(disputeId);
        }
        if (ruling > RULING_OPTIONS) revert MarketplaceInvalidRuling(ruling);
        Order storage order = $.orders[orderId];
        _requireStatus(orderId, order.status, OrderStatus.Disputed);
        emit Ruling(IArbitrator(msg.sender), disputeId, ruling);
        _resolve($, orderId, order, disputeId, ruling);
    }

    /// @inheritdoc IMarketplace
    function settleExpiredDispute(uint256 orderId) external nonReentrant {
        MarketplaceStorage storage $ = _getMarketplaceStorage();
        Order storage order = _order($, orderId);
        _requireStatus(orderId, order.status, OrderStatus.Disputed);
        if (block.timestamp <= order.deadline) revert MarketplaceDeadlineNotReached(orderId, order.deadline);
        _resolve($, orderId, order, $.orderDisputes[orderId].disputeId, 0);
        _cancelDispute($, orderId, order.buyer);
    }

    /// @inheritdoc IMarketplace
    function offerSettlement(uint256 orderId, uint16 buyerShareBps) external nonReentrant {
        MarketplaceStorage storage $ = _getMarketplaceStorage();
        Order storage order = _order($, orderId);
        OrderStatus status = order.status;
        if (status != OrderStatus.Delivered && status != OrderStatus.Disputed) {
            revert MarketplaceWrongStatus(orderId, status);
        }
        if (buyerShareBps > BPS) revert MarketplaceInvalidShare(buyerShareBps);
        address buyer = order.buyer;
        address seller = _sellerOf($, order.modelId);
        address counterparty;
        if (msg.sender == buyer) counterparty = seller;
        else if (msg.sender == seller) counterparty = buyer;
        else revert MarketplaceNotParty(orderId, msg.sender);
        emit SettlementOffered(orderId, msg.sender, buyerShareBps);
        mapping(address party => uint256 offer) storage offers = $.settlementOffers[orderId];
        if (offers[counterparty] != uint256(buyerShareBps) + 1) {
            offers[msg.sender] = uint256(buyerShareBps) + 1;
            return;
        }
        delete offers[counterparty];
        Settlement memory s = _settle($, orderId, order, seller, buyerShareBps, RefundReason.Settlement);
        emit OrderSettled(orderId, buyerShareBps, s.buyerRefund, s.sellerProceeds, s.fee);
        if (status == OrderStatus.Disputed) _cancelDispute($, orderId, buyer);
        _pushOrCredit($, buyer, order.token, s.buyerRefund);
    }

    /// @dev Applies a ruling (or the default rule, ruling 0) and records its outcome in Reputation:
    /// a full refund is the buyer's win, nothing back the seller's, anything between a split.
    function _resolve(
        MarketplaceStorage storage $,
        uint256 orderId,
        Order storage order,
        uint256 disputeId,
        uint256 ruling
    ) private {
        uint256 buyerShareBps = ruling == 0
            ? DEFAULT_BUYER_SHARE_BPS
            : ruling == RULING_BUYER ? BPS : ruling == RULING_SELLER ? 0 : ruling - RULING_SPLIT;
        address buyer = order.buyer;
        address seller = _sellerOf($, order.modelId);
        Settlement memory s = _settle($, orderId, order, seller, buyerShareBps, RefundReason.Ruling);
        emit DisputeResolved(orderId, disputeId, ruling, s.buyerRefund, s.sellerProceeds, s.fee, ruling == 0);
        (address winner, address loser) = buyerShareBps == 0 ? (seller, buyer) : (buyer, seller);
        bool split = buyerShareBps != 0 && buyerShareBps != BPS;
        _callReputation($, orderId, abi.encodeCall(IReputation.recordDisputeOutcome, (orderId, winner, loser, split)));
        _pushOrCredit($, buyer, order.token, s.buyerRefund);
    }

    /// @dev Divides a Delivered or Disputed order: the buyer gets `buyerShareBps` back (pushed by the
    /// caller), the seller the rest minus the fee (credited). Everything back is a refund (Refunded, not
    /// licensed); anything less resolves the order and licenses the buyer.
    function _settle(
        MarketplaceStorage storage $,
        uint256 orderId,
        Order storage order,
        address seller,
        uint256 buyerShareBps,
        RefundReason reason
    ) private returns (Settlement memory s) {
        (uint256 modelId, address buyer, address token, uint256 amount) =
            (order.modelId, order.buyer, order.token, order.amount);
        s.buyerRefund = amount * buyerShareBps / BPS;
        if (s.buyerRefund == amount) {
            order.status = OrderStatus.Refunded;
            emit OrderRefunded(orderId, buyer, amount, reason);
            return s;
        }
        s.fee = (amount - s.buyerRefund) * order.feeBps / BPS;
        s.sellerProceeds = amount - s.buyerRefund - s.fee;
        order.status = OrderStatus.Resolved;
        _credit($, seller, token, s.sellerProceeds);
        _credit($, $.treasury, token, s.fee);
        _grantLicense($, modelId, buyer);
        emit LicenseGranted(modelId, buyer, orderId);
    }

    /// @dev Closes the order's dispute at its arbitrator without a ruling, its fee going back to the
    /// buyer. An arbitrator without `cancelDispute` (an external court) keeps it: an event says so.
    function _cancelDispute(MarketplaceStorage storage $, uint256 orderId, address buyer) private {
        DisputeRef storage ref = $.orderDisputes[orderId];
        (IArbitrator arbitrator_, uint256 disputeId) = (ref.arbitrator, ref.disputeId);
        _requireGas(CANCEL_DISPUTE_GAS);
        try IArbitration(address(arbitrator_)).cancelDispute{gas: CANCEL_DISPUTE_GAS}(disputeId, payable(buyer)) {}
        catch {
            emit DisputeNotCancelled(orderId, address(arbitrator_), disputeId);
        }
    }

    /// @dev Settlement never depends on Reputation: the call gets a fixed budget and a failure is an event.
    function _callReputation(MarketplaceStorage storage $, uint256 orderId, bytes memory data) private {
        _requireGas(REPUTATION_CALL_GAS);
        (bool ok,) = address($.reputation).call{gas: REPUTATION_CALL_GAS}(data);
        if (!ok) emit ReputationNotRecorded(orderId);
    }

    /// @dev A caller cannot starve a budgeted call to make it fail: the transaction needs the budget
    /// plus the 1/64 the EVM withholds.
    function _requireGas(uint256 budget) private view {
        uint256 required = budget + budget / 63 + 5000;
        if (gasleft() < required) revert MarketplaceInsufficientGas(gasleft(), required);
    }

    // ─── payouts ─────────────────────────────────────────────────────────────────────────────

    /// @inheritdoc IMarketplace
    function withdraw(address token) external nonReentrant returns (uint256 amount) {
        MarketplaceStorage storage $ = _getMarketplaceStorage();
        amount = $.payouts[msg.sender][token];
        if (amount == 0) revert MarketplaceNothingToWithdraw(msg.sender, token);
        $.payouts[msg.sender][token] = 0;
        emit PayoutWithdrawn(msg.sender, token, amount);
        IERC20(token).safeTransfer(msg.sender, amount);
    }

    function _credit(MarketplaceStorage storage $, address account, address token, uint256 amount) private {
        if (amount == 0) return;
        $.payouts[account][token] += amount;
        emit PayoutCredited(account, token, amount);
    }

    /// @dev A buyer that cannot receive (blocklisted, reverting hook) must not block the order's settlement.
    function _pushOrCredit(MarketplaceStorage storage $, address account, address token, uint256 amount) private {
        if (amount == 0) return;
        if (!SafeERC20.trySafeTransfer(IERC20(token), account, amount)) _credit($, account, token, amount);
    }

    // ─── governance ──────────────────────────────────────────────────────────────────────────

    /// @inheritdoc IMarketplace
    function setFee(uint16 feeBps_) external restricted {
        _setFee(feeBps_);
    }

    /// @inheritdoc IMarketplace
    function setTreasury(address treasury_) external restricted {
        _setTreasury(treasury_);
    }

    /// @inheritdoc IMarketplace
    function setWindows(uint32 deliveryWindow, uint32 disputeWindow, uint32 rulingWindow) external restricted {
        _setWindows(deliveryWindow, disputeWindow, rulingWindow);
    }

    /// @inheritdoc IMarketplace
    function setArbitrator(address arbitrator_) external restricted {
        _setArbitrator(arbitrator_);
    }

    /// @inheritdoc IMarketplace
    function pause() external restricted {
        MarketplaceStorage storage $ = _getMarketplaceStorage();
        if ($.paused) revert EnforcedPause();
        $.paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc IMarketplace
    function unpause() external restricted {
        MarketplaceStorage storage $ = _getMarketplaceStorage();
        if (!$.paused) revert ExpectedPause();
        $.paused = false;
        emit Unpaused(msg.sender);
    }

    function _setFee(uint16 feeBps_) private {
        if (feeBps_ > MAX_FEE_BPS) revert MarketplaceFeeAboveCap(feeBps_, MAX_FEE_BPS);
        _getMarketplaceStorage().feeBps = feeBps_;
        emit FeeChanged(feeBps_);
    }

    function _setTreasury(address treasury_) private {
        if (treasury_ == address(0)) revert MarketplaceZeroAddress();
        _getMarketplaceStorage().treasury = treasury_;
        emit TreasuryChanged(treasury_);
    }

    function _setWindows(uint32 deliveryWindow, uint32 disputeWindow, uint32 rulingWindow) private {
        _checkWindow(deliveryWindow, MAX_DELIVERY_WINDOW);
        _checkWindow(disputeWindow, MAX_DISPUTE_WINDOW);
        _checkWindow(rulingWindow, MAX_RULING_WINDOW);
        MarketplaceStorage storage $ = _getMarketplaceStorage();
        ($.deliveryWindow, $.disputeWindow, $.rulingWindow) = (deliveryWindow, disputeWindow, rulingWindow);
        emit WindowsChanged(deliveryWindow, disputeWindow, rulingWindow);
    }

    function _checkWindow(uint32 window, uint32 max) private pure {
        if (window < MIN_WINDOW || window > max) revert MarketplaceInvalidWindow(window, MIN_WINDOW, max);
    }

    function _setArbitrator(address arbitrator_) private {
        if (arbitrator_ == address(0)) revert MarketplaceZeroAddress();
        _getMarketplaceStorage().arbitrator = IArbitrator(arbitrator_);
        emit ArbitratorChanged(arbitrator_);
    }

    // ─── views ───────────────────────────────────────────────────────────────────────────────

    /// @inheritdoc IMarketplace
    function getOrder(uint256 orderId) external view returns (Order memory) {
        return _order(_getMarketplaceStorage(), orderId);
    }

    /// @inheritdoc IMarketplace
    function settlementOffer(uint256 orderId, address party) external view returns (bool offered, uint16 buyerShareBps) {
        uint256 offer = _getMarketplaceStorage().settlementOffers[orderId][party];
        if (offer != 0) return (true, uint16(offer - 1));
    }

    /// @inheritdoc IMarketplace
    /// @dev Looks the dispute up at the current arbitrator.
    function orderOfDispute(uint256 disputeId) external view returns (uint256 orderId) {
        MarketplaceStorage storage $ = _getMarketplaceStorage();
        orderId = $.disputeOrders[address($.arbitrator)][disputeId];
        if (orderId == 0) revert MarketplaceUnknownDispute(disputeId);
    }

    /// @inheritdoc IMarketplace
    function quote(uint256 modelId) external view returns (Quote memory) {
        MarketplaceStorage storage $ = _getMarketplaceStorage();
        IModelRegistry.Listing memory listing = $.registry.getListing(modelId);
        uint16 fee = $.feeBps;
        uint256 feeAmount = listing.price * fee / BPS;
        return Quote({
            token: listing.paymentToken,
            price: listing.price,
            fee: feeAmount,
            sellerProceeds: listing.price - feeAmount,
            feeBps: fee
        });
    }

    /// @inheritdoc IMarketplace
    function hasLicense(uint256 modelId, address account) external view returns (bool) {
        return _getMarketplaceStorage().licenses[account][modelId >> 8] & (1 << (modelId & 0xff)) != 0;
    }

    /// @inheritdoc IMarketplace
    function payoutOf(address account, address token) external view returns (uint256) {
        return _getMarketplaceStorage().payouts[account][token];
    }

    /// @inheritdoc IMarketplace
    function orderCount() external view returns (uint256) {
        return _getMarketplaceStorage().orderCount;
    }

    /// @inheritdoc IMarketplace
    function feeBps() external view returns (uint16) {
        return _getMarketplaceStorage().feeBps;
    }

    /// @inheritdoc IMarketplace
    function treasury() external view returns (address) {
        return _getMarketplaceStorage().treasury;
    }

    /// @inheritdoc IMarketplace
    function windows() external view returns (uint32 deliveryWindow, uint32 disputeWindow, uint32 rulingWindow) {
        MarketplaceStorage storage $ = _getMarketplaceStorage();
        return ($.deliveryWindow, $.disputeWindow, $.rulingWindow);
    }

    /// @inheritdoc IMarketplace
    function arbitrator() external view returns (address) {
        return address(_getMarketplaceStorage().arbitrator);
    }

    /// @notice Whether new purchases are stopped.
    function paused() external view returns (bool) {
        return _getMarketplaceStorage().paused;
    }

    /// @notice The model registry whose listings this marketplace sells.
    function registry() external view returns (IModelRegistry) {
        return _getMarketplaceStorage().registry;
    }

    /// @notice The reputation contract that records dispute outcomes and bad deliveries.
    function reputation() external view returns (IReputation) {
        return _getMarketplaceStorage().reputation;
    }

    // ─── internals ───────────────────────────────────────────────────────────────────────────

    function _grantLicense(MarketplaceStorage storage $, uint256 modelId, address account) private {
        $.licenses[account][modelId >> 8] |= 1 << (modelId & 0xff);
    }

    function _order(MarketplaceStorage storage $, uint256 orderId) private view returns (Order storage order) {
        order = $.orders[orderId];
        if (order.buyer == address(0)) revert MarketplaceUnknownOrder(orderId);
    }

    function _requireStatus(uint256 orderId, OrderStatus actual, OrderStatus expected) private pure {
        if (actual != expected) revert MarketplaceWrongStatus(orderId, actual);
    }

    /// @dev The seller is the model's current owner.
    function _sellerOf(MarketplaceStorage storage $, uint256 modelId) private view returns (address) {
        return IERC721(address($.registry)).ownerOf(modelId);
    }

    function _requireSeller(MarketplaceStorage storage $, uint256 orderId, uint256 modelId) private view {
        if (_sellerOf($, modelId) != msg.sender) revert MarketplaceNotSeller(orderId, msg.sender);
    }

    /// @dev Upgrades are allowed to the UPGRADER role through the AccessManager.
    function _authorizeUpgrade(address) internal override restricted {}
}
