// The data set of the subgraph's tests and of the README's example results: the real proxies on
// Hardhat's in-process chain, every flow of the protocol driven over three UTC days, indexed by devnode.
import {
  arbitrationAbi,
  evaluationsAbi,
  marketplaceAbi,
  modelRegistryAbi,
  platformTokenAbi,
  reputationAbi,
} from "@ai-model-marketplace/contracts";
import { deployProtocol } from "@ai-model-marketplace/contracts/deploy";
import { startDevnode } from "@ai-model-marketplace/devnode";
import { network } from "hardhat";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Abi, type Address, type Hex, concatHex, hexToBigInt, keccak256, parseEther, slice, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { parseDocument, type YAMLMap } from "yaml";

const buildDir = join(import.meta.dirname, "..", "build");

/** A secp256k1 secret from a label, and its point as the marketplace takes it: B = 64 bytes x‖y, R = 33 bytes compressed. */
function point(label: string) {
  const secret = keccak256(toHex(label));
  const uncompressed = privateKeyToAccount(secret).publicKey; // 0x04 ‖ x ‖ y
  const xy = slice(uncompressed, 1);
  const odd = hexToBigInt(slice(uncompressed, 33)) & 1n;
  return { secret: hexToBigInt(secret), xy, compressed: concatHex([odd ? "0x03" : "0x02", slice(uncompressed, 1, 33)]) };
}
/** The key commitment of a model listed under `label` (the contract only stores it). */
export const commitmentOf = (label: string) => keccak256(toHex(`model key of ${label}`));
const ZERO_HASH = `0x${"0".repeat(64)}` as Hex;

/** 2026-03-02 00:00 UTC: day 0 of the data set. */
export const DAY0 = Date.UTC(2026, 2, 2) / 1000;
export const DAY = 86_400;
export const SUITE = "amm-checks/v1";

/** The dag-pb CIDv1 a Kubo `ipfs add --cid-version=1` of `label`'s bytes could give (or a CIDv0), binary and as a string. */
export async function contentCID(label: string, version: 0 | 1 = 1): Promise<{ bytes: Hex; string: string }> {
  const digest = await sha256.digest(new TextEncoder().encode(label));
  const cid = version === 1 ? CID.createV1(0x70, digest) : CID.createV0(digest);
  return { bytes: toHex(cid.bytes), string: cid.toString() };
}

function fields(name: string, summary: string, tags: string[], task: string, license: string) {
  return { name, summary, tags, task, license, commercialUse: license !== "CC-BY-NC-4.0", metadataURI: `ipfs://card-${name.length}` };
}

async function version(label: string, semver: string) {
  return {
    contentCID: (await contentCID(label)).bytes,
    sha256: keccak256(toHex(label)),
    size: BigInt(label.length * 1000),
    semver,
    changelogURI: `ipfs://changelog-${semver}`,
  };
}

export type Scenario = Awaited<ReturnType<typeof runScenario>>;

export async function runScenario() {
  const connection = await network.connect({ override: { initialDate: new Date((DAY0 + 10 * 3600) * 1000) } });
  const { viem, provider } = connection;
  const publicClient = await viem.getPublicClient();
  const [admin, alice, bob, carol, dave, erin, frank] = await viem.getWalletClients();
  const deployment = await deployProtocol({
    walletClient: admin,
    publicClient: publicClient as never,
    mint: [carol, dave, erin].map((w) => ({ to: w.account.address, amount: parseEther("1000") })),
  });
  const address = {
    token: deployment.contracts.PlatformToken.address,
    registry: deployment.contracts.ModelRegistry.address,
    marketplace: deployment.contracts.Marketplace.address,
    arbitration: deployment.contracts.Arbitration.address,
    reputation: deployment.contracts.Reputation.address,
    evaluations: deployment.contracts.Evaluations.address,
  };

  /** Sends a transaction and fails the set-up on a revert. */
  async function send(wallet: typeof admin, to: Address, abi: Abi, functionName: string, args: readonly unknown[] = []) {
    const hash = await wallet.writeContract({ address: to, abi, functionName, args, chain: wallet.chain, account: wallet.account } as never);
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`${functionName} reverted`);
    return receipt;
  }
  const registry = (w: typeof admin, fn: string, args: readonly unknown[]) => send(w, address.registry, modelRegistryAbi as Abi, fn, args);
  const market = (w: typeof admin, fn: string, args: readonly unknown[] = []) => send(w, address.marketplace, marketplaceAbi as Abi, fn, args);
  const reputation = (w: typeof admin, fn: string, args: readonly unknown[]) => send(w, address.reputation, reputationAbi as Abi, fn, args);
  const evaluations = (w: typeof admin, fn: string, args: readonly unknown[]) => send(w, address.evaluations, evaluationsAbi as Abi, fn, args);
  const token = (w: typeof admin, fn: string, args: readonly unknown[]) => send(w, address.token, platformTokenAbi as Abi, fn, args);
  const travelTo = async (timestamp: number) => {
    await provider.request({ method: "evm_setNextBlockTimestamp", params: [timestamp] });
    await provider.request({ method: "evm_mine", params: [] });
  };
  /** The buyer's delivery key of an order it places: b from a label, B = b·G. */
  const buyerKey = (buyer: typeof admin, modelId: bigint) => point(`${buyer.account.address} buys ${modelId}`);
  const salt = (buyer: typeof admin, modelId: bigint) => keccak256(toHex(`salt of ${buyer.account.address} for ${modelId}`));
  /** The key commitment in force: a purchase names it, as the SDK's buyModel does. */
  const commitmentInForce = (modelId: bigint) => publicClient.readContract({ address: address.registry, abi: modelRegistryAbi, functionName: "keyCommitment", args: [modelId] });
  const buy = async (buyer: typeof admin, modelId: bigint, price: bigint, paymentToken: Address = address.token) => {
    await token(buyer, "approve", [address.marketplace, price]);
    await market(buyer, "purchase", [modelId, paymentToken, price, await commitmentInForce(modelId), buyerKey(buyer, modelId).xy, salt(buyer, modelId)]);
  };
  /** A delivery as posted: R = r·G (compressed) and some c (the contract cannot check it without b). */
  const delivery = (orderId: number) => [point(`r of order ${orderId}`).compressed, keccak256(toHex(`c of order ${orderId}`))] as const;
  const deliver = (seller: typeof admin, orderId: number) => market(seller, "deliver", [BigInt(orderId), ...delivery(orderId)]);
  const rule = (disputeId: bigint, ruling: bigint) => send(admin, address.arbitration, arbitrationAbi as Abi, "giveRuling", [disputeId, ruling]);

  // ── Day 0 ── listings, versions, profiles, sales, disputes, reviews, evaluations
  const token0 = address.token;
  await registry(alice, "listModel", [fields("Sentiment analyzer", "Classifies the sentiment of English reviews", ["nlp", "sentiment"], "text-classification", "MIT"), await version("m1v1", "1.0.0"), token0, parseEther("10"), commitmentOf("Sentiment analyzer")]);
  await registry(alice, "listModel", [fields("Image tagger", "Tags photos with objects", ["vision"], "image-classification", "Apache-2.0"), await version("m2v1", "1.0.0"), token0, parseEther("4"), commitmentOf("Image tagger")]);
  await registry(bob, "listModel", [fields("Free sentiment baseline", "A small free baseline for sentiment", ["nlp"], "text-classification", "MIT"), await version("m3v1", "0.1.0"), token0, 0n, ZERO_HASH]);
  await registry(bob, "listModel", [fields("Speech recognizer", "Transcribes speech to text", ["audio", "speech"], "automatic-speech-recognition", "CC-BY-NC-4.0"), await version("m4v1", "1.0.0"), token0, parseEther("20"), commitmentOf("Speech recognizer")]);
  await registry(alice, "publishVersion", [1n, await version("m1v2", "1.1.0")]);
  await registry(alice, "deprecateVersion", [1n, 1, 2]);
  await registry(alice, "updateModel", [2n, fields("Image tagger", "Tags photos and images with objects", ["vision", "images"], "image-classification", "Apache-2.0")]);
  await registry(alice, "setPrice", [2n, token0, parseEther("5")]);
  await registry(bob, "setActive", [4n, false]);
  await reputation(alice, "setProfile", ["alice", "ipfs://profile-alice"]);
  await reputation(alice, "setProfile", ["alice_ai", "ipfs://profile-alice-2"]);
  await reputation(carol, "setProfile", ["carol", "ipfs://profile-carol"]);

  // Order 1: bought, delivered, confirmed, reviewed 5 stars.
  await buy(carol, 1n, parseEther("10"));
  await deliver(alice, 1);
  await market(carol, "confirm", [1n]);
  await reputation(carol, "review", [1n, 5, "ipfs://review-1"]);
  // Order 2: disputed with evidence from both sides, ruled a 50/50 split (3 + 5000 bps), then reviewed 2 stars.
  await buy(dave, 1n, parseEther("10"));
  await deliver(alice, 2);
  await market(dave, "dispute", [2n, "ipfs://evidence-dave"]);
  await market(alice, "submitEvidence", [2n, "ipfs://evidence-alice"]);
  await rule(1n, 5003n);
  await reputation(dave, "review", [2n, 2, "ipfs://review-2"]);
  // Order 3: disputed and ruled for the buyer: refunded, no revenue.
  await buy(erin, 2n, parseEther("5"));
  await deliver(alice, 3);
  await market(erin, "dispute", [3n, "ipfs://evidence-erin"]);
  await rule(2n, 1n);
  // Order 4: a free claim, reviewed 4 stars.
  await market(carol, "claimFree", [3n]);
  await reputation(carol, "review", [4n, 4, "ipfs://review-4"]);
  // Order 5: declined by the seller.
  await buy(dave, 2n, parseEther("5"));
  await market(alice, "declineOrder", [5n]);
  await token(carol, "transfer", [frank.account.address, parseEther("1")]);
  await market(alice, "withdraw", [token0]);
  // Evaluations: a requested Pass on model 1 v2, an unrequested Fail on model 2, a Warn revoked again.
  await evaluations(admin, "setEvaluatorKey", [keccak256(toHex("evaluator key"))]);
  await evaluations(alice, "requestEvaluation", [1n, 2, admin.account.address, toHex("wrapped version key")]);
  // The first attestation checked that the committed key opens the version; the others did not check.
  await evaluations(admin, "attest", [1n, 2, 1n, SUITE, 1, 950_000, `ipfs://${(await contentCID("report-1")).string}/report.json`, commitmentOf("Sentiment analyzer"), 1]);
  await evaluations(admin, "attest", [2n, 1, 0n, SUITE, 3, 0, `ipfs://${(await contentCID("report-2")).string}`, ZERO_HASH, 0]);
  await evaluations(admin, "attest", [1n, 2, 0n, SUITE, 2, 700_000, "https://reports.example/3.json", ZERO_HASH, 0]);
  await evaluations(admin, "revoke", [3n]);
  await market(admin, "pause");
  await market(admin, "unpause");

  // ── Day 1 ── an order on a model that changes hands, a relisted model bought and never delivered
  await travelTo(DAY0 + DAY + 10 * 3600);
  await buy(erin, 2n, parseEther("5"));
  await send(alice, address.registry, modelRegistryAbi as Abi, "transferFrom", [alice.account.address, frank.account.address, 2n]);
  await deliver(frank, 6);
  await registry(bob, "setActive", [4n, true]);
  // A version published with a CIDv0 (a bare sha2-256 multihash), as older tools write them.
  await registry(bob, "publishVersion", [4n, { ...(await version("m4v2", "1.1.0")), contentCID: (await contentCID("m4v2", 0)).bytes }]);
  await buy(carol, 4n, parseEther("20"));
  await evaluations(bob, "requestEvaluation", [4n, 1, admin.account.address, "0x"]);
  // A stablecoin allowed by governance: a model priced in it, one sale, one refund that cannot be pushed
  // to a blocked buyer and is credited instead.
  const usd = await viem.deployContract("MockERC20");
  const stable = usd.address;
  await send(admin, address.registry, modelRegistryAbi as Abi, "setPaymentTokenAllowed", [stable, true]);
  await registry(bob, "listModel", [fields("Translator", "Translates English to French", ["nlp", "translation"], "translation", "MIT"), await version("m5v1", "1.0.0"), stable, parseEther("8"), commitmentOf("Translator")]);
  for (const buyer of [dave, erin]) {
    await usd.write.mint([buyer.account.address, parseEther("100")]);
    await usd.write.approve([address.marketplace, parseEther("8")], { account: buyer.account });
    await market(buyer, "purchase", [5n, stable, parseEther("8"), await commitmentInForce(5n), buyerKey(buyer, 5n).xy, salt(buyer, 5n)]);
  }
  await usd.write.setBlocked([dave.account.address, true]);
  await market(bob, "declineOrder", [8n]);
  await deliver(bob, 9);
  await market(erin, "confirm", [9n]);
  // The reputation proxy is upgraded through its UUPS path.
  const reputationV2 = await viem.deployContract("ReputationV2");
  await send(admin, address.reputation, reputationAbi as Abi, "upgradeToAndCall", [reputationV2.address, "0x"]);

  // ── Day 8 ── windows have passed: release, refund, cancel; governance changes the fee
  await travelTo(DAY0 + 8 * DAY + 12 * 3600);
  await market(dave, "release", [6n]);
  await market(dave, "refund", [7n]);
  await evaluations(bob, "cancelRequest", [2n]);
  await market(admin, "setFee", [300]);
  await usd.write.setBlocked([dave.account.address, false]);
  await market(dave, "withdraw", [stable]);

  // ── Day 9 ── provable delivery: a wrong key proven by the buyer, a settlement by the parties, a new key commitment
  await travelTo(DAY0 + 9 * DAY + 10 * 3600);
  // Order 10: alice delivers a key that does not match model 1's commitment; carol proves it with b and is refunded.
  await buy(carol, 1n, parseEther("10"));
  await deliver(alice, 10);
  const [deliveryPoint, encryptedKey] = delivery(10);
  await market(carol, "proveBadDelivery", [
    10n,
    { buyerSecret: buyerKey(carol, 1n).secret, deliveryPoint, encryptedKey, keyCommitment: commitmentOf("Sentiment analyzer"), seller: alice.account.address },
  ]);
  // Order 11: delivered, disputed, then settled by the parties at 30% back to the buyer (the dispute is cancelled).
  await buy(erin, 1n, parseEther("10"));
  await deliver(alice, 11);
  await market(erin, "dispute", [11n, "ipfs://evidence-erin-2"]);
  await market(erin, "offerSettlement", [11n, 3000]);
  await market(alice, "offerSettlement", [11n, 3000]);
  // A new key for model 2's future orders.
  await registry(frank, "setKeyCommitment", [2n, commitmentOf("Image tagger, second key")]);

  // ── Day 10 ── a model that sold in the platform token is repriced into the stablecoin and sells again:
  // its money, its seller's and its buyer's must stay apart per token. Order 12: erin pays 3 mUSD.
  await travelTo(DAY0 + 10 * DAY + 10 * 3600);
  await registry(frank, "setPrice", [2n, stable, parseEther("3")]);
  await usd.write.approve([address.marketplace, parseEther("3")], { account: erin.account });
  await market(erin, "purchase", [2n, stable, parseEther("3"), await commitmentInForce(2n), buyerKey(erin, 2n).xy, salt(erin, 2n)]);
  await deliver(frank, 12);
  await market(erin, "confirm", [12n]);

  const head = Number(await publicClient.getBlockNumber());
  const indexer = await startIndexer(provider, deployment.contracts);
  await indexer.node.waitForBlock(head, { timeoutMs: 300_000 });

  return {
    accounts: { admin, alice, bob, carol, dave, erin, frank },
    address: { ...address, stable, reputationV2: reputationV2.address },
    deployment,
    head,
    node: indexer.node,
    /** Runs a query and fails on GraphQL errors. */
    async query<T = Record<string, unknown>>(text: string, variables?: Record<string, unknown>): Promise<T> {
      const result = await indexer.node.query(text, variables);
      if (result.errors?.length) throw new Error(result.errors.map((e) => e.message).join("; "));
      return result.data as T;
    },
    async close() {
      await indexer.stop();
      await connection.close();
    },
  };
}

/** devnode on a copy of `build/` pointed at the deployment (the addresses `graph build --network` would write). */
async function startIndexer(provider: unknown, contracts: Record<string, { address: string; blockNumber: number }>) {
  const dir = await mkdtemp(join(tmpdir(), "amm-subgraph-"));
  await cp(buildDir, dir, { recursive: true });
  const manifestPath = join(dir, "subgraph.yaml");
  const manifest = parseDocument(await readFile(manifestPath, "utf8"));
  for (const source of (manifest.get("dataSources") as { items: YAMLMap[] }).items) {
    const deployed = contracts[source.get("name") as string];
    source.setIn(["source", "address"], deployed.address);
    source.setIn(["source", "startBlock"], deployed.blockNumber);
  }
  await writeFile(manifestPath, manifest.toString());
  const node = await startDevnode({ subgraphDir: dir, provider: provider as never, port: 0, pollIntervalMs: 50, name: "ai-model-marketplace" });
  return {
    node,
    async stop() {
      await node.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
