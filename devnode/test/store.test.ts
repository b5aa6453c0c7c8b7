import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSchema } from "../src/schema/index.ts";
import { openStore, StoreError } from "../src/store/index.ts";
import type {
	BlockPtr,
	Entity,
	EntityStore,
	Value,
} from "../src/store/types.ts";
import { ENGINES } from "./query-fixture.ts";

const schema = parseSchema(`
type Account @entity {
  id: Bytes!
  name: String!
  balance: BigInt
  score: BigDecimal
  tags: [String!]
  friends: [Account!]
  events: [Transfer!]! @derivedFrom(field: "from")
}
type Transfer @entity(immutable: true) {
  id: ID!
  from: Account!
  amount: BigInt!
  at: Timestamp!
  big: Int8
  ok: Boolean!
  memo: Bytes
}
`);

const ptr = (number: number): BlockPtr => ({
	number,
	hash: `0x${number.toString(16).padStart(64, "0")}`,
	timestamp: 1_700_000_000 + number,
});
const str = (value: string): Value => ({ kind: "String", value });
const big = (value: bigint): Value => ({ kind: "BigInt", value });
const bytes = (hex: string): Value => ({
	kind: "Bytes",
	value: new Uint8Array(Buffer.from(hex.slice(2), "hex")),
});
const ent = (fields: Record<string, Value>): Entity =>
	new Map(Object.entries(fields));
const alice = "0xaa01";
const account = (
	name: string,
	balance: bigint,
	extra: Record<string, Value> = {},
) =>
	ent({ id: bytes(alice), name: str(name), balance: big(balance), ...extra });

for (const engine of ENGINES)
	describe(`store on ${engine.name}`, () => {
		let store: EntityStore & Awaited<ReturnType<typeof openStore>>;
		beforeAll(async () => {
			store = await openStore({
				schema,
				databaseUrl: engine.databaseUrl,
				dbSchema: engine.databaseUrl
					? `devnode_test_store_${process.pid}`
					: undefined,
			});
		}, 60_000);
		afterAll(async () => {
			if (engine.databaseUrl)
				await store.read(`drop schema ${store.layout.dbSchema} cascade`);
			await store.close();
		});

		it("writes a block atomically and reads every value kind back", async () => {
			const transfer = ent({
				id: str("t1"),
				from: bytes(alice),
				amount: big(2n ** 256n - 1n),
				at: { kind: "Timestamp", value: 1_700_000_000_000_000n },
				big: { kind: "Int8", value: -(2n ** 63n) },
				ok: { kind: "Bool", value: true },
				memo: bytes("0x00ff"),
			});
			await store.transactBlock(ptr(1), [
				{
					op: "set",
					entityType: "Account",
					id: alice,
					data: account("alice", 5n, {
						score: { kind: "BigDecimal", value: "-12.5" },
						tags: {
							kind: "Array",
							value: [str('a "quoted", {odd}'), str("back\\slash")],
						},
						friends: { kind: "Array", value: [bytes("0xbb02")] },
					}),
				},
				{ op: "set", entityType: "Transfer", id: "t1", data: transfer },
			]);
			expect(await store.get("Transfer", "t1")).toEqual(transfer);
			const a = await store.get("Account", alice);
			expect(a?.get("tags")).toEqual({
				kind: "Array",
				value: [str('a "quoted", {odd}'), str("back\\slash")],
			});
			expect(a?.get("score")).toEqual({ kind: "BigDecimal", value: "-12.5" });
			expect(a?.get("friends")).toEqual({
				kind: "Array",
				value: [bytes("0xbb02")],
			});
			expect(await store.getDerived("Transfer", "from", alice)).toEqual([
				transfer,
			]);
			expect(await store.head()).toEqual(ptr(1));
			expect(await store.blockPtr(1)).toEqual(ptr(1));
		});

		it("keeps the last change of an entity within a block, and removes", async () => {
			await store.transactBlock(ptr(2), [
				{
					op: "set",
					entityType: "Account",
					id: alice,
					data: account("alice", 6n),
				},
				{
					op: "set",
					entityType: "Account",
					id: alice,
					data: account("alice", 7n),
				},
				{
					op: "set",
					entityType: "Account",
					id: "0xbb02",
					data: ent({ id: bytes("0xbb02"), name: str("bob") }),
				},
			]);
			expect((await store.get("Account", alice))?.get("balance")).toEqual(
				big(7n),
			);
			await store.transactBlock(ptr(3), [
				{ op: "remove", entityType: "Account", id: "0xbb02" },
			]);
			expect(await store.get("Account", "0xbb02")).toBeNull();
		});

		it("refuses to overwrite or remove an immutable entity, with graph-node's texts, and stores nothing of the block", async () => {
			const again = ent({
				id: str("t1"),
				from: bytes(alice),
				amount: big(1n),
				at: { kind: "Timestamp", value: 0n },
				ok: { kind: "Bool", value: false },
			});
			await expect(
				store.transactBlock(ptr(4), [
					{
						op: "set",
						entityType: "Account",
						id: alice,
						data: account("changed", 1n),
					},
					{ op: "set", entityType: "Transfer", id: "t1", data: again },
				]),
			).rejects.toThrow(
				"entity Transfer[t1] is immutable; inserting it at block 4 is not possible as it was already inserted at block 1",
			);
			await expect(
				store.transactBlock(ptr(4), [
					{ op: "remove", entityType: "Transfer", id: "t1" },
				]),
			).rejects.toThrow(
				"entities of type `Transfer` can not be deleted since they are immutable. Entity ids are [t1]",
			);
			expect((await store.get("Account", alice))?.get("name")).toEqual(
				str("alice"),
			);
			expect((await store.head())?.number).toBe(3);
		});

		it("refuses a block that is not after the head", async () => {
			await expect(store.transactBlock(ptr(3), [])).rejects.toThrow(StoreError);
		});

		it("reverts to a block: later versions vanish, closed ones reopen", async () => {
			await store.transactBlock(ptr(4), [
				{
					op: "set",
					entityType: "Account",
					id: alice,
					data: account("alice", 8n),
				},
			]);
			await store.revertTo(ptr(2));
			expect((await store.get("Account", alice))?.get("balance")).toEqual(
				big(7n),
			);
			expect((await store.get("Account", "0xbb02"))?.get("name")).toEqual(
				str("bob"),
			);
			expect(await store.head()).toEqual(ptr(2));
			expect(await store.blockPtr(3)).toBeNull();
			await store.revertTo(ptr(0));
			expect(await store.get("Transfer", "t1")).toBeNull();
			expect(await store.get("Account", alice)).toBeNull();
		});

		it("keeps template data sources with their block, context included, and forgets them on revert", async () => {
			const context: Entity = ent({
				owner: bytes("0x01"),
				n: big(3n),
				label: str("x"),
				list: { kind: "Array", value: [{ kind: "Int", value: 1 }] },
			});
			await store.transactBlock(
				ptr(1),
				[],
				[{ template: "Pool", params: ["0xabc"], context, createdAtBlock: 1 }],
			);
			await store.transactBlock(
				ptr(2),
				[],
				[
					{
						template: "Pool",
						params: ["0xdef"],
						context: null,
						createdAtBlock: 2,
					},
				],
			);
			expect(await store.dataSources()).toEqual([
				{ template: "Pool", params: ["0xabc"], context, createdAtBlock: 1 },
				{
					template: "Pool",
					params: ["0xdef"],
					context: null,
					createdAtBlock: 2,
				},
			]);
			await store.revertTo(ptr(1));
			expect((await store.dataSources()).map((d) => d.params)).toEqual([
				["0xabc"],
			]);
			await store.revertTo(ptr(0));
		});

		it("records and clears a fatal error", async () => {
			await store.transactBlock(ptr(1), []);
			await store.setFatalError("Mapping aborted", 2);
			expect(await store.fatalError()).toEqual({
				message: "Mapping aborted",
				blockNumber: 2,
			});
			await store.revertTo(ptr(1));
			expect(await store.fatalError()).toBeNull();
		});
	});

describe("store persisted in a data directory", () => {
	const dir = mkdtempSync(join(tmpdir(), "devnode-store-"));
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	it("resumes where it stopped after a restart, and refuses a different schema", async () => {
		const first = await openStore({ schema, dataDir: dir });
		await first.transactBlock(ptr(7), [
			{
				op: "set",
				entityType: "Account",
				id: alice,
				data: account("alice", 9n),
			},
		]);
		// past block 99, where ordering block numbers as text would put 99 ahead of 100
		for (const n of [99, 100, 101])
			await first.transactBlock(ptr(n), [
				{
					op: "set",
					entityType: "Account",
					id: alice,
					data: account("alice", BigInt(n)),
				},
			]);
		await first.close();
		const second = await openStore({ schema, dataDir: dir });
		expect(await second.head()).toEqual(ptr(101));
		await second.revertTo(ptr(100));
		expect(await second.head()).toEqual(ptr(100));
		expect((await second.get("Account", alice))?.get("balance")).toEqual(
			big(100n),
		);
		await second.close();
		await expect(
			openStore({
				schema: parseSchema("type Other @entity { id: ID! }"),
				dataDir: dir,
			}),
		).rejects.toThrow(/holds a different subgraph/);
	}, 60_000);
});
