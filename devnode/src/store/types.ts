/**
 * The seam between the runtime (WASM host, chain follower) and the store/query layer.
 * Both sides code against these types; change them only together.
 */

/** A value as graph-node's `StoreValue` carries it, in JS form. */
export type Value =
	| { kind: "String"; value: string }
	| { kind: "Int"; value: number }
	| { kind: "Int8"; value: bigint }
	| { kind: "Timestamp"; value: bigint } // microseconds since the epoch, as graph-node
	| { kind: "BigDecimal"; value: string } // normalized decimal text, graph-node's Display form
	| { kind: "Bool"; value: boolean }
	| { kind: "Array"; value: Value[] }
	| { kind: "Null" }
	| { kind: "Bytes"; value: Uint8Array }
	| { kind: "BigInt"; value: bigint };

/** An entity: field name → value. `id` is always present once stored. */
export type Entity = Map<string, Value>;

/** One write of a block, in the order the handlers made them (the runtime has already merged sets). */
export type EntityChange =
	| { op: "set"; entityType: string; id: string; data: Entity } // the full, merged entity
	| { op: "remove"; entityType: string; id: string };

export interface BlockPtr {
	number: number;
	hash: `0x${string}`;
	timestamp: number; // seconds
}

/** Parsed `schema.graphql`: what both the runtime (validation) and the query layer need. */
export interface SchemaField {
	name: string;
	/** GraphQL base type name: ID, String, Bytes, BigInt, BigDecimal, Int, Int8, Boolean, Timestamp, an enum or an entity. */
	type: string;
	list: boolean;
	nonNull: boolean;
	/** `@derivedFrom(field: "...")` target field, if derived. */
	derivedFrom?: string;
}

export interface SchemaEntity {
	name: string;
	immutable: boolean;
	/** `@entity(timeseries: true)`: ids and timestamps are set on save, as graph-node's store_set does. */
	timeseries?: boolean;
	/** Interfaces this entity type implements. */
	interfaces: string[];
	fields: SchemaField[];
	idType: "String" | "Bytes" | "Int8";
}

/** A data source created from a template by `dataSource.create` (graph-node's dynamic data sources). */
export interface DataSourceRecord {
	template: string;
	/** The `params` passed to `dataSource.create`; for Ethereum templates params[0] is the contract address. */
	params: string[];
	/** `dataSource.createWithContext`'s context, or null. */
	context: Entity | null;
	/** The block in which it was created; a revert to an earlier block forgets it. */
	createdAtBlock: number;
}

export interface EntityStore {
	/** Latest committed version of an entity, or null. */
	get(entityType: string, id: string): Promise<Entity | null>;
	/** Entities whose `field` (a reference to `entityType`/`id`) points at `id`: for `loadRelated` of derived fields. */
	getDerived(entityType: string, field: string, id: string): Promise<Entity[]>;
	/** Commits one block atomically: all changes (and data sources created in it) become visible at `block.number`, and the head moves. */
	transactBlock(
		block: BlockPtr,
		changes: EntityChange[],
		dataSources?: DataSourceRecord[],
	): Promise<void>;
	/** Every data source created by templates so far, in creation order (restored on restart). */
	dataSources(): Promise<DataSourceRecord[]>;
	/** Deletes every version (and data source) written after `block.number` and restores those it closed; head becomes that block. */
	revertTo(block: BlockPtr): Promise<void>;
	/** The block pointer committed at `number` (kept for every processed block, to detect rewinds), or null. */
	blockPtr(number: number): Promise<BlockPtr | null>;
	/** The last committed block, or null before the first. */
	head(): Promise<BlockPtr | null>;
	/** Records that indexing failed (graph-node's `hasIndexingErrors`), with its message and block. */
	setFatalError(message: string, blockNumber: number): Promise<void>;
	fatalError(): Promise<{ message: string; blockNumber: number } | null>;
	close(): Promise<void>;
}
