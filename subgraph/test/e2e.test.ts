// The built subgraph run by devnode over the scenario's chain: entities, aggregates, day buckets,
// fulltext search and filters, and the edge cases a mapping gets wrong.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dailyVolume, disputeRate, topModelsByRevenue } from "../../examples/lib/analytics.ts";
import { commitmentOf, contentCID, DAY, DAY0, runScenario, type Scenario, SUITE } from "./scenario.ts";

let s: Scenario;
beforeAll(async () => {
  s = await runScenario();
});
afterAll(async () => {
  await s?.close();
});

/** An amount of the 18-decimals platform token as the API returns it. */
const e = (amount: string) => parseEther(amount).toString();
const addr = (name: keyof Scenario["accounts"]) => s.accounts[name].account.address.toLowerCase();
const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

describe("protocol and payment token", () => {
  it("counts models, orders, licenses, refunds, disputes and reviews", async () => {
    const { protocol } = await s.query(`{ protocol(id: "1") {
      modelCount activeModelCount versionCount orderCount openOrderCount licensedOrderCount refundedOrderCount
      freeClaimCount disputeCount openDisputeCount reviewCount evaluationCount evaluationRequestCount feeBps
      deliveryWindow disputeWindow rulingWindow evaluationRequestWindow marketplacePaused platformTokenSupply
      platformTokenHolderCount treasury arbitrator marketplace platformToken evaluations } }`);
    expect(protocol).toEqual({
      modelCount: 5,
      activeModelCount: 5,
      versionCount: 7,
      // day 9 adds order 10 (a proven bad delivery, refunded) and order 11 (disputed, settled by the parties)
      // day 10 adds order 12 (model 2 repriced into the stablecoin, bought and confirmed)
      orderCount: 12,
      openOrderCount: 0,
      licensedOrderCount: 7,
      refundedOrderCount: 5,
      freeClaimCount: 1,
      disputeCount: 3,
      openDisputeCount: 0,
      reviewCount: 3,
      evaluationCount: 3,
      evaluationRequestCount: 2,
      feeBps: 300,
      deliveryWindow: 3 * DAY,
      disputeWindow: 3 * DAY,
      rulingWindow: 14 * DAY,
      evaluationRequestWindow: 7 * DAY,
      marketplacePaused: false,
      platformTokenSupply: e("3000"),
      // carol, dave, erin, frank, alice (withdrew her proceeds) and the escrow holding unclaimed payouts
      platformTokenHolderCount: 6,
      treasury: addr("admin"),
      arbitrator: s.address.arbitration.toLowerCase(),
      marketplace: s.address.marketplace.toLowerCase(),
      platformToken: s.address.token.toLowerCase(),
      evaluations: s.address.evaluations.toLowerCase(),
    });
  });

  it("sums the platform token's volume, settlements, fees and refunds, with nothing left in escrow", async () => {
    const { paymentToken } = await s.query(`query($id: ID!) { paymentToken(id: $id) {
      symbol decimals allowed isPlatformToken orderCount volume settledVolume fees sellerRevenue refunded escrowed } }`, { id: s.address.token });
    expect(paymentToken).toEqual({
      symbol: "AIMT",
      decimals: 18,
      allowed: true,
      isPlatformToken: true,
      orderCount: 8,
      // order 10: 10 refunded in full; order 11: 3 back, 7 settled (fee 3% = 0.21, seller 6.79)
      volume: e("75"),
      settledVolume: e("27"),
      fees: e("0.71"),
      sellerRevenue: e("26.29"),
      refunded: e("48"),
      escrowed: "0",
    });
  });

  it("keeps a second payment token's money apart, a refund credited to a blocked buyer included", async () => {
    const data = await s.query(`query($id: ID!, $dave: String!) {
      paymentToken(id: $id) { symbol decimals allowed isPlatformToken orderCount volume settledVolume fees sellerRevenue refunded escrowed }
      payouts(where: { account: $dave }, orderBy: id) { token { symbol } credited withdrawn pending }
    }`, { id: s.address.stable, dave: addr("dave") });
    expect(data.paymentToken).toEqual({
      symbol: "mUSD",
      decimals: 18,
      allowed: true,
      isPlatformToken: false,
      orderCount: 3,
      volume: e("19"),
      settledVolume: e("11"),
      fees: e("0.29"),
      sellerRevenue: e("10.71"),
      refunded: e("8"),
      escrowed: "0",
    });
    expect(data.payouts).toEqual([{ token: { symbol: "mUSD" }, credited: e("8"), withdrawn: e("8"), pending: "0" }]);
  });
});

describe("models and versions", () => {
  it("indexes the listing fields, price, versions and the binary CID as a string", async () => {
    const { model } = await s.query<{ model: { versions: unknown[] } }>(`{ model(id: "1") {
      name summary tags tagsText task license commercialUse price isFree active versionCount
      creator { handle } owner { handle }
      latestVersion { id semver contentCIDString size deprecated }
      versions(orderBy: version) { version semver contentCID contentCIDString deprecated deprecatedBy { version } deprecatedAt }
    } }`);
    const v1 = await contentCID("m1v1");
    const v2 = await contentCID("m1v2");
    expect(v2.string).toMatch(/^bafy/);
    expect(model).toMatchObject({
      name: "Sentiment analyzer",
      tags: ["nlp", "sentiment"],
      tagsText: "nlp sentiment",
      task: "text-classification",
      license: "MIT",
      commercialUse: true,
      price: e("10"),
      isFree: false,
      active: true,
      versionCount: 2,
      creator: { handle: "alice_ai" },
      owner: { handle: "alice_ai" },
      latestVersion: { id: "1-2", semver: "1.1.0", contentCIDString: v2.string, size: "4000", deprecated: false },
    });
    // A version deprecating another: v1 points at v2.
    expect(model.versions).toEqual([
      { version: 1, semver: "1.0.0", contentCID: v1.bytes, contentCIDString: v1.string, deprecated: true, deprecatedBy: { version: 2 }, deprecatedAt: expect.any(String) },
      { version: 2, semver: "1.1.0", contentCID: v2.bytes, contentCIDString: v2.string, deprecated: false, deprecatedBy: null, deprecatedAt: null },
    ]);
  });

  it("gives a CIDv0 content CID its base58 `Qm…` string", async () => {
    const { modelVersion } = await s.query(`{ modelVersion(id: "4-2") { contentCID contentCIDString } }`);
    const v0 = await contentCID("m4v2", 0);
    expect(v0.string).toMatch(/^Qm/);
    expect(modelVersion).toEqual({ contentCID: v0.bytes, contentCIDString: v0.string });
  });

  it("keeps update, reprice, delist and relist as model events", async () => {
    const { model } = await s.query<{ model: { events: ModelEvent[] } }>(`{ model(id: "2") { summary tags price events { __typename blockNumber logIndex
      ... on ModelRepriced { previousPrice price } ... on ModelUpdated { tags } } } }`);
    expect(model).toMatchObject({ summary: "Tags photos and images with objects", tags: ["vision", "images"], price: e("3") });
    const events = sortEvents(model.events).map((x) => x.__typename);
    expect(events).toEqual([
      "ModelTransfer",
      "ModelListed",
      "KeyCommitmentChanged",
      "VersionPublished",
      "ModelUpdated",
      "ModelRepriced",
      "ModelTransfer",
      "KeyCommitmentChanged",
      "ModelRepriced",
    ]);
    expect(model.events.find((x) => x.__typename === "ModelRepriced")).toMatchObject({ previousPrice: e("4"), price: e("5") });
    const { model: m4 } = await s.query<{ model: { active: boolean; events: { __typename: string; active?: boolean }[] } }>(`{ model(id: "4") { active events(where: {}) { __typename ... on ModelActiveChanged { active } } } }`);
    expect(m4.active).toBe(true);
    expect(m4.events.filter((x) => x.__typename === "ModelActiveChanged").map((x) => x.active).sort()).toEqual([false, true]);
  });

  it("moves a transferred model, its counts and its open order's proceeds to the new owner", async () => {
    const data = await s.query(`query($alice: ID!, $frank: ID!) {
      model(id: "2") { owner { id } creator { id } salesCount refundCount orderCount disputeCount }
      alice: account(id: $alice) { modelCount modelsListedCount salesCount }
      frank: account(id: $frank) { modelCount modelsListedCount salesCount }
      order(id: "6") { seller { id } status confirmedByBuyer sellerProceeds fee }
    }`, { alice: addr("alice"), frank: addr("frank") });
    expect(data).toEqual({
      // order 12 (day 10) is frank's second sale of it, in the stablecoin; money per token is checked under "money per token"
      model: { owner: { id: addr("frank") }, creator: { id: addr("alice") }, salesCount: 2, refundCount: 2, orderCount: 4, disputeCount: 1 },
      alice: { modelCount: 1, modelsListedCount: 2, salesCount: 3 },
      frank: { modelCount: 1, modelsListedCount: 0, salesCount: 2 },
      order: { seller: { id: addr("frank") }, status: "Completed", confirmedByBuyer: false, sellerProceeds: e("4.875"), fee: e("0.125") },
    });
    // History stays queryable: the block before the transfer still shows alice as the owner.
    const { modelTransfers } = await s.query<{ modelTransfers: { blockNumber: string }[] }>(`{ modelTransfers(where: { model: "2", from_not: "0x0000000000000000000000000000000000000000" }) { blockNumber } }`);
    const before = Number(modelTransfers[0].blockNumber) - 1;
    const { model } = await s.query<{ model: { owner: { id: string } } }>(`query($block: Int!) { model(id: "2", block: { number: $block }) { owner { id } } }`, { block: before });
    expect(model.owner.id).toBe(addr("alice"));
  });
});

/** A model event as the API returns it, with the fields of the two kinds the tests look into. */
type ModelEvent = { __typename: string; blockNumber: string; logIndex: string; previousPrice?: string; price?: string };

/** Event history in chain order (ids are `<tx>-<logIndex>`, not chronological). */
function sortEvents<T extends { blockNumber: string; logIndex: string }>(events: T[]): T[] {
  return [...events].sort((a, b) => Number(a.blockNumber) - Number(b.blockNumber) || Number(a.logIndex) - Number(b.logIndex));
}

describe("orders, disputes and reviews", () => {
  it("gives each order its final status and amounts", async () => {
    const { orders } = await s.query<{ orders: { id: string; status: string; refundReason: string | null; wrappedKey: string | null }[] }>(`{ orders(orderBy: orderId) { id status amount fee sellerProceeds buyerRefund isFree refundReason confirmedByBuyer wrappedKey } }`);
    expect(orders.map((o) => [o.id, o.status, o.refundReason])).toEqual([
      ["1", "Completed", null],
      ["2", "Resolved", null],
      ["3", "Refunded", "Ruling"],
      ["4", "Completed", null],
      ["5", "Refunded", "SellerDeclined"],
      ["6", "Completed", null],
      ["7", "Refunded", "DeliveryTimeout"],
      ["8", "Refunded", "SellerDeclined"],
      ["9", "Completed", null],
      ["10", "Refunded", "BadDelivery"],
      ["11", "Resolved", null],
      ["12", "Completed", null],
    ]);
    expect(orders[0]).toMatchObject({ amount: e("10"), fee: e("0.25"), sellerProceeds: e("9.75"), buyerRefund: "0", confirmedByBuyer: true });
    expect(orders[0].wrappedKey).toBeNull() // delivered in the provable format: R and c (see "provable delivery")
    // A free claim: no money, no confirmation, licensed at once.
    expect(orders[3]).toMatchObject({ isFree: true, amount: "0", fee: "0", sellerProceeds: "0", confirmedByBuyer: null, wrappedKey: null });
  });

  it("records a split ruling, the review after it and the outcome on both accounts", async () => {
    const data = await s.query<{
      order: { review: unknown; dispute: { evidence: { party: { id: string } }[] }; events: { __typename: string; blockNumber: string; logIndex: string }[] };
      alice: unknown;
      dave: unknown;
    }>(`query($alice: ID!, $dave: ID!) {
      order(id: "2") { review { rating reviewer { id } seller { id } }
        dispute { status outcome ruling byDefault buyerRefund sellerProceeds fee disputeId arbitrator evidenceGroupId
          evidence { party { id } evidenceURI } arbitratorDispute { ruling arbiter { id } arbitrable } }
        events { __typename blockNumber logIndex } }
      alice: account(id: $alice) { disputesWon disputesLost disputesSplit sellerRatingSum sellerRatingCount sellerRatingAverage }
      dave: account(id: $dave) { disputesWon disputesLost disputesSplit purchaseCount }
    }`, { alice: addr("alice"), dave: addr("dave") });
    expect(data.order.dispute).toMatchObject({
      status: "Resolved",
      outcome: "Split",
      ruling: "5003",
      byDefault: false,
      buyerRefund: e("5"),
      sellerProceeds: e("4.875"),
      fee: e("0.125"),
      disputeId: "1",
      arbitrator: s.address.arbitration.toLowerCase(),
      evidenceGroupId: "2",
      arbitratorDispute: { ruling: "5003", arbiter: { id: addr("admin") }, arbitrable: s.address.marketplace.toLowerCase() },
    });
    expect(data.order.dispute.evidence.map((x) => x.party.id).sort()).toEqual([addr("alice"), addr("dave")].sort());
    expect(data.order.review).toEqual({ rating: 2, reviewer: { id: addr("dave") }, seller: { id: addr("alice") } });
    expect(sortEvents(data.order.events).map((x) => x.__typename)).toEqual([
      "OrderCreated",
      "OrderDelivered",
      "OrderDisputed",
      "DisputeCreated",
      "Evidence",
      "Evidence",
      "RulingGiven",
      "LicenseGranted",
      "DisputeResolved",
      "DisputeOutcomeRecorded",
      "Review",
    ]);
    expect(data.alice).toEqual({ disputesWon: 0, disputesLost: 1, disputesSplit: 1, sellerRatingSum: 7, sellerRatingCount: 2, sellerRatingAverage: "3.5" });
    expect(data.dave).toEqual({ disputesWon: 0, disputesLost: 0, disputesSplit: 1, purchaseCount: 3 });
  });

  it("counts no revenue for an order refunded after a dispute", async () => {
    const data = await s.query(`query($erin: ID!) {
      order(id: "3") { status buyerRefund sellerProceeds fee dispute { outcome buyerRefund } }
      erin: account(id: $erin) { disputesWon licenses(orderBy: id) { model { id } } }
    }`, { erin: addr("erin") });
    expect(data).toEqual({
      order: { status: "Refunded", buyerRefund: e("5"), sellerProceeds: "0", fee: "0", dispute: { outcome: "BuyerWins", buyerRefund: e("5") } },
      // model 1 by the settlement of order 11
      erin: { disputesWon: 1, licenses: [{ model: { id: "1" } }, { model: { id: "2" } }, { model: { id: "5" } }] },
    });
  });

  it("licenses buyers of completed, resolved and free orders only", async () => {
    const { licenses } = await s.query<{ licenses: { id: string; order: { id: string } }[] }>(`{ licenses(orderBy: id) { id account { id } order { id } grantCount } }`);
    expect(licenses.map((l) => [l.id, l.order.id])).toEqual(
      [
        [`1-${addr("carol")}`, "1"],
        [`1-${addr("dave")}`, "2"],
        [`1-${addr("erin")}`, "11"],
        [`2-${addr("erin")}`, "6"],
        [`3-${addr("carol")}`, "4"],
        [`5-${addr("erin")}`, "9"],
      ].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    );
  });

  it("rates models and sellers from reviews", async () => {
    const { models } = await s.query(`{ models(orderBy: modelId) { id ratingSum ratingCount ratingAverage salesCount paidSalesCount } }`);
    expect(models).toEqual([
      { id: "1", ratingSum: 7, ratingCount: 2, ratingAverage: "3.5", salesCount: 3, paidSalesCount: 3 },
      { id: "2", ratingSum: 0, ratingCount: 0, ratingAverage: "0", salesCount: 2, paidSalesCount: 2 },
      { id: "3", ratingSum: 4, ratingCount: 1, ratingAverage: "4", salesCount: 1, paidSalesCount: 0 },
      { id: "4", ratingSum: 0, ratingCount: 0, ratingAverage: "0", salesCount: 0, paidSalesCount: 0 },
      { id: "5", ratingSum: 0, ratingCount: 0, ratingAverage: "0", salesCount: 1, paidSalesCount: 1 },
    ]);
  });
});

describe("provable delivery", () => {
  it("records the order's version, delivery key, salt and snapshotted commitment, and the delivery's R and c", async () => {
    const { order } = await s.query<{ order: Record<string, unknown> }>(`{ order(id: "1") {
      version modelVersion { id } buyerKey keySalt keyCommitment deliveryPoint encryptedKey wrappedKey badDeliveryProven settledByParties } }`);
    expect(order).toMatchObject({ version: 2, modelVersion: { id: "1-2" }, keyCommitment: commitmentOf("Sentiment analyzer"), wrappedKey: null, badDeliveryProven: false, settledByParties: false });
    expect(order.buyerKey).toMatch(/^0x[0-9a-f]{128}$/);
    expect(order.keySalt).toMatch(/^0x[0-9a-f]{64}$/);
    expect(order.deliveryPoint).toMatch(/^0x0[23][0-9a-f]{64}$/);
    expect(order.encryptedKey).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it("refunds a proven bad delivery in full, counts it against the seller and the model, with no arbiter", async () => {
    const data = await s.query<{ order: { events: { __typename: string; blockNumber: string; logIndex: string }[] } & Record<string, unknown> }>(
      `query($alice: ID!) {
        order(id: "10") { status refundReason buyerRefund sellerProceeds badDeliveryProven dispute { id } events { __typename blockNumber logIndex } }
        model(id: "1") { badDeliveryCount keyCommitment }
        alice: account(id: $alice) { badDeliveryCount disputesLost }
      }`,
      { alice: addr("alice") },
    );
    expect(data.order).toMatchObject({ status: "Refunded", refundReason: "BadDelivery", buyerRefund: e("10"), sellerProceeds: "0", badDeliveryProven: true, dispute: null });
    // the proof's three events come in one transaction, in the contract's order
    expect(sortEvents(data.order.events).map((x) => x.__typename).slice(0, 2)).toEqual(["OrderCreated", "OrderDelivered"]);
    expect(data.order.events.map((x) => x.__typename).sort()).toEqual(["BadDeliveryRecorded", "OrderCreated", "OrderDelivered", "OrderRefunded"]);
    expect(data).toMatchObject({ model: { badDeliveryCount: 1, keyCommitment: commitmentOf("Sentiment analyzer") }, alice: { badDeliveryCount: 1, disputesLost: 1 } });
  });

  it("settles an order between the parties, cancelling its dispute at the arbitrator", async () => {
    const { order } = await s.query<{ order: Record<string, unknown> }>(`{ order(id: "11") {
      status settledByParties buyerSettlementOfferBps sellerSettlementOfferBps buyerRefund sellerProceeds fee
      dispute { status arbitratorDispute { cancelledAt ruling } } } }`);
    expect(order).toMatchObject({
      status: "Resolved",
      settledByParties: true,
      buyerSettlementOfferBps: 3000,
      sellerSettlementOfferBps: 3000,
      buyerRefund: e("3"),
      dispute: { status: "Cancelled", arbitratorDispute: { ruling: null } },
    });
    expect((order.dispute as { arbitratorDispute: { cancelledAt: string } }).arbitratorDispute.cancelledAt).toMatch(/^\d+$/);
    expect(BigInt(order.sellerProceeds as string) + BigInt(order.fee as string)).toBe(parseEther("7"));
  });

  it("keeps a model's key commitment current, and flags reviews of paid orders", async () => {
    const data = await s.query<{ model: { keyCommitment: string; events: { __typename: string }[] }; reviews: { id: string; paid: boolean }[] }>(`{
      model(id: "2") { keyCommitment events { __typename } }
      reviews(orderBy: id) { id paid }
    }`);
    expect(data.model.keyCommitment).toBe(commitmentOf("Image tagger, second key"));
    expect(data.model.events.filter((x) => x.__typename === "KeyCommitmentChanged")).toHaveLength(2);
    expect(data.reviews).toEqual([
      { id: "1", paid: true },
      { id: "2", paid: true },
      { id: "4", paid: false },
    ]);
  });

  it("states whether an evaluator found that the committed key opens the version", async () => {
    const { evaluations } = await s.query<{ evaluations: unknown[] }>(`{ evaluations(orderBy: attestationId) { attestationId keyCheck keyCommitment } }`);
    expect(evaluations).toEqual([
      { attestationId: "1", keyCheck: "Opens", keyCommitment: commitmentOf("Sentiment analyzer") },
      { attestationId: "2", keyCheck: "NotChecked", keyCommitment: null },
      { attestationId: "3", keyCheck: "NotChecked", keyCommitment: null },
    ]);
  });
});

describe("accounts, profiles, payouts and the platform token", () => {
  it("keeps the latest handle and profile, balances and payouts", async () => {
    const data = await s.query<{ admin: { evaluatorPublicKey: string } }>(`query($alice: ID!, $carol: ID!, $frank: ID!, $admin: ID!, $carolAddress: Bytes!, $frankAddress: Bytes!) {
      alice: account(id: $alice) { handle profileURI payouts { credited withdrawn pending } platformTokenBalance }
      carol: account(id: $carol) { handle purchaseCount platformTokenBalance reviewsGivenCount }
      frank: account(id: $frank) { platformTokenBalance payouts(orderBy: pending, orderDirection: desc) { token { symbol } pending } }
      admin: account(id: $admin) { evaluatorPublicKey payouts(orderBy: pending, orderDirection: desc) { token { symbol } pending } }
      accounts(where: { handle: "alice" }) { id }
      tokenTransfers(where: { from: $carolAddress, to: $frankAddress }) { value }
    }`, { alice: addr("alice"), carol: addr("carol"), frank: addr("frank"), admin: addr("admin"), carolAddress: addr("carol"), frankAddress: addr("frank") });
    expect(data).toMatchObject({
      // alice's share of the day-9 settlement (6.79) is credited, not withdrawn
      alice: { handle: "alice_ai", profileURI: "ipfs://profile-alice-2", payouts: [{ credited: e("21.415"), withdrawn: e("14.625"), pending: e("6.79") }], platformTokenBalance: e("14.625") },
      carol: { handle: "carol", purchaseCount: 4, platformTokenBalance: e("989"), reviewsGivenCount: 2 },
      frank: { platformTokenBalance: e("1"), payouts: [{ token: { symbol: "AIMT" }, pending: e("4.875") }, { token: { symbol: "mUSD" }, pending: e("2.91") }] },
      // The treasury's fees, per token.
      admin: { payouts: [{ token: { symbol: "AIMT" }, pending: e("0.71") }, { token: { symbol: "mUSD" }, pending: e("0.29") }] },
      accounts: [],
      tokenTransfers: [{ value: e("1") }],
    });
    expect(data.admin.evaluatorPublicKey).toMatch(/^0x[0-9a-f]{64}$/);
  });
});

describe("evaluations", () => {
  it("links requests and attestations, and falls back to the previous verdict on revoke", async () => {
    const data = await s.query<{ evaluationRequests: unknown[]; evaluations: unknown[]; model: { verdicts: unknown[] }; modelVersion: { verdicts: unknown[] } }>(`{
      evaluationRequests(orderBy: requestId) { id status model { id } version evaluation { id } cancelledAt }
      evaluations(orderBy: attestationId) { id suite verdict score revoked reportURI reportCID request { id } modelVersion { id } }
      model(id: "1") { verdicts { suite verdict score version evaluation { id } } }
      modelVersion(id: "1-2") { verdicts { verdict evaluation { id } } }
    }`);
    expect(data.evaluationRequests).toEqual([
      { id: "1", status: "Fulfilled", model: { id: "1" }, version: 2, evaluation: { id: "1" }, cancelledAt: null },
      { id: "2", status: "Cancelled", model: { id: "4" }, version: 1, evaluation: null, cancelledAt: expect.any(String) },
    ]);
    const report1 = (await contentCID("report-1")).string;
    expect(data.evaluations).toEqual([
      { id: "1", suite: SUITE, verdict: "Pass", score: 950000, revoked: false, reportURI: `ipfs://${report1}/report.json`, reportCID: report1, request: { id: "1" }, modelVersion: { id: "1-2" } },
      { id: "2", suite: SUITE, verdict: "Fail", score: 0, revoked: false, reportURI: `ipfs://${(await contentCID("report-2")).string}`, reportCID: (await contentCID("report-2")).string, request: null, modelVersion: { id: "2-1" } },
      { id: "3", suite: SUITE, verdict: "Warn", score: 700000, revoked: true, reportURI: "https://reports.example/3.json", reportCID: null, request: null, modelVersion: { id: "1-2" } },
    ]);
    expect(data.model.verdicts).toEqual([{ suite: SUITE, verdict: "Pass", score: 950000, version: 2, evaluation: { id: "1" } }]);
    expect(data.modelVersion.verdicts).toEqual([{ verdict: "Pass", evaluation: { id: "1" } }]);
  });
});

describe("search", () => {
  const search = async (text: string) => ids((await s.query<{ modelSearch: { id: string }[] }>(`query($text: String!) { modelSearch(text: $text) { id } }`, { text })).modelSearch).sort();

  it("finds models by name, summary, tags and task through the fulltext index", async () => {
    expect(await search("sentiment")).toEqual(["1", "3"]);
    expect(await search("speech")).toEqual(["4"]);
    expect(await search("images")).toEqual(["2"]);
    expect(await search("translation")).toEqual(["5"]);
    expect(await search("reviews")).toEqual(["1"]);
    expect(await search("classification")).toEqual(["1", "2", "3"]);
    expect(await search("blockchain")).toEqual([]);
  });

  it("filters by tags, task, license, price range, rating and verdict, and sorts", async () => {
    const q = async (where: string, order = "orderBy: modelId") => ids((await s.query<{ models: { id: string }[] }>(`{ models(${order}, where: ${where}) { id } }`)).models);
    expect(await q(`{ tags_contains: ["nlp"] }`)).toEqual(["1", "3", "5"]);
    expect(await q(`{ tags_contains: ["nlp"], paymentToken: "${s.address.token.toLowerCase()}" }`)).toEqual(["1", "3"]);
    expect(await q(`{ task: "image-classification" }`)).toEqual(["2"]);
    expect(await q(`{ license_in: ["MIT"], commercialUse: true }`)).toEqual(["1", "3", "5"]);
    expect(await q(`{ price_gte: "${e("5")}", price_lte: "${e("10")}", paymentToken: "${s.address.token.toLowerCase()}" }`)).toEqual(["1"]); // model 2 moved to mUSD on day 10
    expect(await q(`{ isFree: true }`)).toEqual(["3"]);
    expect(await q(`{ ratingAverage_gte: "3.5" }`)).toEqual(["1", "3"]);
    expect(await q(`{ verdicts_: { suite: "${SUITE}", verdict: Pass } }`)).toEqual(["1"]);
    expect(await q(`{ verdicts_: { suite: "${SUITE}", verdict: Fail } }`)).toEqual(["2"]);
    expect(await q(`{}`, "orderBy: price, orderDirection: desc")).toEqual(["4", "1", "5", "2", "3"]);
    // Ties (unrated models) break on id in the same direction, as in graph-node.
    expect(await q(`{}`, "orderBy: ratingAverage, orderDirection: desc")).toEqual(["3", "1", "5", "4", "2"]);
    expect(await q(`{}`, "orderBy: createdAt, orderDirection: desc")).toEqual(["5", "4", "3", "2", "1"]);
    expect(await q(`{ active: true }`, "orderBy: salesCount, orderDirection: desc, first: 2")).toEqual(["1", "2"]);
  });
});

describe("analytics buckets", () => {
  it("puts market activity and money in the UTC day and hour it happened, across day boundaries", async () => {
    const { marketDayDatas } = await s.query<{ marketDayDatas: { id: string; date: number; tokens: { volume: string }[] }[] }>(`{ marketDayDatas(orderBy: date) { id date orderCount salesCount refundCount newModelCount
      newAccountCount disputesOpened disputesResolved reviewCount evaluationCount
      tokens { volume settledVolume fees sellerRevenue refunded orderCount } } }`);
    const day = (n: number) => Math.floor(DAY0 / DAY) + n;
    expect(marketDayDatas.map((d) => [d.id, d.date])).toEqual([
      [String(day(0)), DAY0],
      [String(day(1)), DAY0 + DAY],
      [String(day(8)), DAY0 + 8 * DAY],
      [String(day(9)), DAY0 + 9 * DAY],
      [String(day(10)), DAY0 + 10 * DAY],
    ]);
    expect(marketDayDatas[0]).toMatchObject({ orderCount: 5, salesCount: 3, refundCount: 2, newModelCount: 4, disputesOpened: 2, disputesResolved: 2, reviewCount: 3, evaluationCount: 3 });
    expect(marketDayDatas[0].tokens).toEqual([{ volume: e("30"), settledVolume: e("15"), fees: e("0.375"), sellerRevenue: e("14.625"), refunded: e("15"), orderCount: 4 }]);
    expect(marketDayDatas[1]).toMatchObject({ orderCount: 4, salesCount: 1, refundCount: 1, newModelCount: 1 });
    const byVolume = (a: { volume: string }, b: { volume: string }) => Number(BigInt(b.volume) - BigInt(a.volume));
    expect([...marketDayDatas[1].tokens].sort(byVolume)).toEqual([
      { volume: e("25"), settledVolume: "0", fees: "0", sellerRevenue: "0", refunded: "0", orderCount: 2 },
      { volume: e("16"), settledVolume: e("8"), fees: e("0.2"), sellerRevenue: e("7.8"), refunded: e("8"), orderCount: 2 },
    ]);
    expect(marketDayDatas[2]).toMatchObject({ orderCount: 0, salesCount: 1, refundCount: 1 });
    expect(marketDayDatas[2].tokens).toEqual([{ volume: "0", settledVolume: e("5"), fees: e("0.125"), sellerRevenue: e("4.875"), refunded: e("20"), orderCount: 0 }]);
    // day 9: a proven bad delivery (refunded in full) and a settlement by the parties (30% back)
    expect(marketDayDatas[3]).toMatchObject({ orderCount: 2, salesCount: 1, refundCount: 1, disputesOpened: 1, disputesResolved: 0 });
    expect(marketDayDatas[3].tokens).toEqual([{ volume: e("20"), settledVolume: e("7"), fees: e("0.21"), sellerRevenue: e("6.79"), refunded: e("13"), orderCount: 2 }]);

    const { marketHourDatas } = await s.query<{ marketHourDatas: { hourStartUnix: number; orderCount: number }[] }>(`{ marketHourDatas(orderBy: hourStartUnix) { hourStartUnix orderCount salesCount } }`);
    expect(marketHourDatas.every((h) => h.hourStartUnix % 3600 === 0)).toBe(true);
    expect(marketDayDatas[4].tokens).toEqual([{ volume: e("3"), settledVolume: e("3"), fees: e("0.09"), sellerRevenue: e("2.91"), refunded: "0", orderCount: 1 }]);
    expect(marketHourDatas.reduce((sum, h) => sum + h.orderCount, 0)).toBe(12);
  });

  it("keeps per-model days with sales, rating and revenue per token", async () => {
    const { modelDayDatas } = await s.query(`{ modelDayDatas(orderBy: date, where: { model: "1" }) { date orderCount salesCount reviewCount ratingSum ratingAverage
      tokens { token { symbol } revenue revenueDecimal } } }`);
    expect(modelDayDatas).toEqual([
      { date: DAY0, orderCount: 2, salesCount: 2, reviewCount: 2, ratingSum: 7, ratingAverage: "3.5", tokens: [{ token: { symbol: "AIMT" }, revenue: e("14.625"), revenueDecimal: "14.625" }] },
      { date: DAY0 + 9 * DAY, orderCount: 2, salesCount: 1, reviewCount: 0, ratingSum: 0, ratingAverage: "3.5", tokens: [{ token: { symbol: "AIMT" }, revenue: e("6.79"), revenueDecimal: "6.79" }] },
    ]);
  });
});

describe("money per token", () => {
  // Two tokens: the platform token (AIMT) and a stablecoin (mUSD). Model 2 sold in AIMT (order 6, fee 2.5%),
  // was repriced into mUSD and sold again (order 12, fee 3%); model 5 sold in mUSD (order 9); model 1 in AIMT
  // (orders 1, 2 split, 11 settled at 30% back). Every total below is per token, raw and decimal-adjusted.
  const sym = (t: { token: { symbol: string } }) => t.token.symbol;

  it("keeps each model's revenue and settled volume per token", async () => {
    const { modelTokenStats_collection: rows } = await s.query<{ modelTokenStats_collection: { id: string; model: { id: string }; token: { id: string; symbol: string; decimals: number } }[] }>(`{
      modelTokenStats_collection(orderBy: id) { id model { id } token { id symbol decimals } paidSalesCount revenue revenueDecimal settledVolume settledVolumeDecimal } }`);
    const row = (model: string, symbol: string, paidSalesCount: number, revenue: string, settledVolume: string) => ({
      key: `${model} ${symbol}`, paidSalesCount, revenue: e(revenue), revenueDecimal: revenue, settledVolume: e(settledVolume), settledVolumeDecimal: settledVolume,
    });
    expect(rows.map(({ id, model, token, ...rest }) => {
      expect(id).toBe(`${model.id}-${token.id}`);
      expect(token.decimals).toBe(18);
      return { key: `${model.id} ${token.symbol}`, ...rest };
    }).sort((a, b) => (a.key < b.key ? -1 : 1))).toEqual([
      row("1", "AIMT", 3, "21.415", "22"),
      row("2", "AIMT", 1, "4.875", "5"),
      row("2", "mUSD", 1, "2.91", "3"),
      row("5", "mUSD", 1, "7.8", "8"),
    ]);
  });

  it("keeps each account's revenue as seller and spending as buyer per token", async () => {
    const { accountTokenStats_collection: rows } = await s.query<{ accountTokenStats_collection: { id: string; account: { id: string }; token: { id: string; symbol: string } }[] }>(`{
      accountTokenStats_collection(orderBy: id) { id account { id } token { id symbol } salesCount revenue revenueDecimal purchaseCount spent spentDecimal } }`);
    const names = Object.fromEntries((["alice", "bob", "carol", "dave", "erin", "frank"] as const).map((n) => [addr(n), n]));
    const row = (who: string, symbol: string, salesCount: number, revenue: string, purchaseCount: number, spent: string) => ({
      key: `${who} ${symbol}`, salesCount, revenue: e(revenue), revenueDecimal: revenue, purchaseCount, spent: e(spent), spentDecimal: spent,
    });
    expect(rows.map(({ id, account, token, ...rest }) => {
      expect(id).toBe(`${account.id}-${token.id}`);
      return { key: `${names[account.id]} ${token.symbol}`, ...rest };
    }).sort((a, b) => (a.key < b.key ? -1 : 1))).toEqual([
      row("alice", "AIMT", 3, "21.415", 0, "0"),
      row("bob", "mUSD", 1, "7.8", 0, "0"),
      row("carol", "AIMT", 0, "0", 1, "10"),
      row("dave", "AIMT", 0, "0", 1, "5"),
      row("erin", "AIMT", 0, "0", 2, "12"),
      row("erin", "mUSD", 0, "0", 2, "11"),
      row("frank", "AIMT", 1, "4.875", 0, "0"),
      row("frank", "mUSD", 1, "2.91", 0, "0"),
    ]);
    // Each account's rows add up to what the per-token totals say.
    const { paymentTokens } = await s.query<{ paymentTokens: { id: string; sellerRevenue: string }[] }>(`{ paymentTokens { id sellerRevenue } }`);
    for (const t of paymentTokens) {
      const sum = (rows as unknown as { token: { id: string }; revenue: string }[]).filter((r) => r.token.id === t.id).reduce((a, r) => a + BigInt(r.revenue), 0n);
      expect(sum.toString()).toBe(t.sellerRevenue);
    }
  });

  it("keeps each model's day money per token, joinable to the model's day", async () => {
    const { modelTokenDayDatas: rows } = await s.query<{ modelTokenDayDatas: { id: string; date: number; model: { id: string }; token: { id: string; symbol: string }; modelDay: { id: string; salesCount: number } }[] }>(`{
      modelTokenDayDatas(orderBy: date) { id date model { id } token { id symbol } modelDay { id salesCount } paidSalesCount revenue revenueDecimal settledVolume settledVolumeDecimal } }`);
    const day = (n: number) => Math.floor(DAY0 / DAY) + n;
    const row = (n: number, model: string, symbol: string, paidSalesCount: number, revenue: string, settledVolume: string) => ({
      key: `${n} ${model} ${symbol}`, paidSalesCount, revenue: e(revenue), revenueDecimal: revenue, settledVolume: e(settledVolume), settledVolumeDecimal: settledVolume,
    });
    expect(rows.map(({ id, date, model, token, modelDay, ...rest }) => {
      expect(id).toBe(`${model.id}-${token.id}-${date / DAY}`);
      expect(modelDay.id).toBe(`${model.id}-${date / DAY}`);
      return { key: `${date / DAY - day(0)} ${model.id} ${sym({ token })}`, ...rest };
    }).sort((a, b) => (a.key < b.key ? -1 : 1))).toEqual([
      row(0, "1", "AIMT", 2, "14.625", "15"),
      row(1, "5", "mUSD", 1, "7.8", "8"),
      row(10, "2", "mUSD", 1, "2.91", "3"),
      row(8, "2", "AIMT", 1, "4.875", "5"),
      row(9, "1", "AIMT", 1, "6.79", "7"),
    ]);
  });
});

describe("counters named for what they count", () => {
  it("counts new buyers and sellers per day apart from every address seen, and licensed purchases apart from orders placed", async () => {
    const { marketDayDatas } = await s.query<{ marketDayDatas: { date: number; newAccountCount: number; newBuyerCount: number; newSellerCount: number }[] }>(`{
      marketDayDatas(orderBy: date) { date newAccountCount newBuyerCount newSellerCount } }`);
    // day 0: carol, dave and erin place their first orders, alice and bob list their first models; bob's
    // listing on day 1 and everyone's later orders are not new
    expect(marketDayDatas.map((d) => [(d.date - DAY0) / DAY, d.newBuyerCount, d.newSellerCount])).toEqual([[0, 3, 2], [1, 0, 0], [8, 0, 0], [9, 0, 0], [10, 0, 0]]);
    // addresses seen that day include the token's mints, the treasury and the deployer: more than the 5 users
    expect(marketDayDatas[0].newAccountCount).toBeGreaterThan(5);
    const data = await s.query(`query($carol: ID!, $dave: ID!, $erin: ID!, $alice: ID!) {
      carol: account(id: $carol) { purchaseCount licensedPurchaseCount firstPurchaseAt firstListingAt }
      dave: account(id: $dave) { purchaseCount licensedPurchaseCount }
      erin: account(id: $erin) { purchaseCount licensedPurchaseCount }
      alice: account(id: $alice) { purchaseCount licensedPurchaseCount firstPurchaseAt firstListingAt }
    }`, { carol: addr("carol"), dave: addr("dave"), erin: addr("erin"), alice: addr("alice") });
    expect(data).toMatchObject({
      // carol: orders 1 and 4 (free) licensed, 7 (timed out) and 10 (bad delivery) refunded
      carol: { purchaseCount: 4, licensedPurchaseCount: 2, firstListingAt: null },
      // dave: order 2 (split ruling) licensed, 5 and 8 declined
      dave: { purchaseCount: 3, licensedPurchaseCount: 1 },
      // erin: orders 6, 9, 11 (settled) and 12 licensed, 3 refunded by a ruling
      erin: { purchaseCount: 5, licensedPurchaseCount: 4 },
      alice: { purchaseCount: 0, licensedPurchaseCount: 0, firstPurchaseAt: null },
    });
    const day0 = (t: string) => Number(t) >= DAY0 && Number(t) < DAY0 + DAY;
    expect(day0((data as { carol: { firstPurchaseAt: string } }).carol.firstPurchaseAt)).toBe(true);
    expect(day0((data as { alice: { firstListingAt: string } }).alice.firstListingAt)).toBe(true);
  });
});

describe("the example analytics library (examples/lib/analytics.ts)", () => {
  // Pages of one or two rows, so every read crosses several `id_gt` pages.
  const now = DAY0 + 10 * DAY + 12 * 3600;

  it("ranks models by revenue within each token, reading every page", async () => {
    const top = await topModelsByRevenue(s.node.graphqlUrl, { days: 30, now, pageSize: 1 });
    expect(top.map((m) => [m.token.symbol, m.modelId, m.salesCount, m.revenue])).toEqual([
      ["AIMT", "1", 3, BigInt(e("21.415"))],
      ["AIMT", "2", 1, BigInt(e("4.875"))],
      ["mUSD", "5", 1, BigInt(e("7.8"))],
      ["mUSD", "2", 1, BigInt(e("2.91"))],
    ]);
  });

  it("reads every token's day and the month's dispute rate across pages", async () => {
    const days = await dailyVolume(s.node.graphqlUrl, { days: 30, now, pageSize: 2 });
    expect(days.map((d) => [(d.date - DAY0) / DAY, d.token.symbol, d.volume])).toEqual([
      [0, "AIMT", BigInt(e("30"))],
      [1, "AIMT", BigInt(e("25"))],
      [1, "mUSD", BigInt(e("16"))],
      [8, "AIMT", 0n],
      [9, "AIMT", BigInt(e("20"))],
      [10, "mUSD", BigInt(e("3"))],
    ]);
    expect(await disputeRate(s.node.graphqlUrl, { now })).toEqual({ month: "2026-03", orders: 12, disputesOpened: 3, disputesResolved: 2, rate: 0.25 });
  });
});

describe("governance and lifecycle events", () => {
  it("records every proxy's initialization and the parameter changes", async () => {
    const data = await s.query<{
      contractInitializeds: { contract: string }[];
      feeChangeds: { feeBps: number }[];
      pauseChangeds: unknown[];
      metaEvidences: unknown[];
      contractUpgradeds: { implementation: string }[];
    }>(`{
      contractInitializeds(first: 10) { contract }
      feeChangeds(orderBy: blockNumber) { feeBps }
      pauseChangeds(orderBy: blockNumber) { paused by }
      metaEvidences { metaEvidenceId evidenceURI }
      contractUpgradeds(where: { contract: Reputation }, orderBy: blockNumber) { implementation }
    }`);
    // The proxy's creation set the first implementation; the UUPS upgrade set ReputationV2.
    expect(data.contractUpgradeds).toHaveLength(2);
    expect(data.contractUpgradeds[1].implementation).toBe(s.address.reputationV2.toLowerCase());
    expect(data.contractInitializeds.map((x) => x.contract).sort()).toEqual(
      ["Arbitration", "Evaluations", "Marketplace", "ModelRegistry", "PlatformToken", "Reputation"],
    );
    expect(data.feeChangeds.map((x) => x.feeBps)).toEqual([250, 300]);
    expect(data.pauseChangeds).toEqual([{ paused: true, by: addr("admin") }, { paused: false, by: addr("admin") }]);
    expect(data.metaEvidences).toEqual([{ metaEvidenceId: "0", evidenceURI: expect.stringMatching(/^data:application\/json,/) }]);
  });
});

describe("README examples", () => {
  // Each ```graphql block followed by "Result on the test data set:" and a ```json block is run and compared;
  // UPDATE_README=1 writes the results into the README instead, for a reviewed change of the data set.
  const readmePath = join(import.meta.dirname, "..", "README.md");
  let readme = readFileSync(readmePath, "utf8");
  const examples = [...readme.matchAll(/```graphql\n([\s\S]*?)```\s*\nResult on the test data set:\s*\n```json\n([\s\S]*?)```/g)];
  afterAll(() => {
    if (process.env.UPDATE_README) writeFileSync(readmePath, readme);
  });

  it("has the analyst queries", () => {
    expect(examples.length).toBeGreaterThanOrEqual(7);
  });

  for (const [block, query, result] of examples) {
    const title = query.split("\n")[1].trim();
    it(`answers ${title} as documented`, async () => {
      const data = await s.query(query);
      if (process.env.UPDATE_README) readme = readme.replace(block, block.replace(result, `${JSON.stringify(data, null, 2)}\n`));
      else expect(data).toEqual(JSON.parse(result));
    });
  }
});
