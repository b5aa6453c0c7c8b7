/**
 * graph-node's EntityCache: a block's writes layered over the committed store. `set` merges into
 * the existing entity (a Null value removes the field), reads see earlier writes of the same block,
 * and the block's final state per entity becomes one EntityChange.
 */
import type {
	Entity,
	EntityChange,
	EntityStore,
	Value,
} from "../store/types.ts";
import { valuesEqual } from "./schema-index.ts";

/** Throws graph-node's validation error for an invalid (merged) entity. */
export type ValidateEntity = (entityType: string, entity: Entity) => void;

interface BlockWrite {
	entityType: string;
	id: string;
	data: Entity | null;
}

const keyOf = (entityType: string, id: string) => `${entityType}\u0000${id}`;
/** Past this many entries the committed-state cache is dropped and refilled from the store. */
const MAX_COMMITTED_CACHE = 250_000;

export class EntityCache {
	private readonly store: EntityStore;
	private readonly validate: ValidateEntity;
	private readonly isImmutable: (entityType: string) => boolean;
	/** Committed state: entity or known absence, so repeated reads skip the database. */
	private committed = new Map<string, Entity | null>();
	/** True while `committed` holds every stored entity (the store started empty): a miss means absent. */
	private complete = false;
	private block = new Map<string, BlockWrite>();
	/** graph-node's SeqGenerator id sequence: generated ids of one block count from 0. */
	private idSeq = 0;

	constructor(
		store: EntityStore,
		validate: ValidateEntity,
		isImmutable: (entityType: string) => boolean,
	) {
		this.store = store;
		this.validate = validate;
		this.isImmutable = isImmutable;
	}

	/** The store is known to be empty: from now on the cache sees every write. */
	markComplete(): void {
		this.committed.clear();
		this.complete = true;
	}

	private async committedEntity(
		entityType: string,
		id: string,
	): Promise<Entity | null> {
		const key = keyOf(entityType, id);
		const cached = this.committed.get(key);
		if (cached !== undefined) return cached;
		if (this.complete) return null;
		const loaded = await this.store.get(entityType, id);
		this.committed.set(key, loaded);
		return loaded;
	}

	/** GetScope::Store: the block's writes, else the committed entity. */
	async get(entityType: string, id: string): Promise<Entity | null> {
		const write = this.block.get(keyOf(entityType, id));
		if (write) return write.data;
		return this.committedEntity(entityType, id);
	}

	/** GetScope::InBlock: only what this block wrote. */
	getInBlock(entityType: string, id: string): Entity | null {
		return this.block.get(keyOf(entityType, id))?.data ?? null;
	}

	async set(entityType: string, id: string, data: Entity): Promise<void> {
		// graph-node assumes immutable entities are new and never looks them up in the store.
		const current = this.isImmutable(entityType)
			? this.getInBlock(entityType, id)
			: await this.get(entityType, id);
		const merged: Entity = new Map(current ?? []);
		for (const [field, value] of data) {
			if (value.kind === "Null") merged.delete(field);
			else merged.set(field, value);
		}
		this.validate(entityType, merged);
		this.block.set(keyOf(entityType, id), { entityType, id, data: merged });
	}

	remove(entityType: string, id: string): void {
		this.block.set(keyOf(entityType, id), { entityType, id, data: null });
	}

	/** Entities of `derivedType` whose `field` references `id`, at the block's current state. */
	async loadRelated(
		derivedType: string,
		field: string,
		id: string,
		idValue: Value,
	): Promise<Entity[]> {
		const stored = await this.store.getDerived(derivedType, field, id);
		const candidates = new Map<string, Entity | null>();
		for (const entity of stored) {
			const entityId = entity.get("id");
			if (entityId) candidates.set(keyOf(derivedType, idKey(entityId)), entity);
		}
		for (const [key, write] of this.block)
			if (write.entityType === derivedType) candidates.set(key, write.data);
		const matches = (entity: Entity) => {
			const value = entity.get(field);
			if (!value) return false;
			return value.kind === "Array"
				? value.value.some((v) => valuesEqual(v, idValue))
				: valuesEqual(value, idValue);
		};
		return [...candidates.values()].filter(
			(e): e is Entity => e !== null && matches(e),
		);
	}

	/** The next number of the block's id sequence. */
	nextIdSeq(): number {
		return this.idSeq++;
	}

	/** The block's changes, one per entity in first-write order. */
	changes(): EntityChange[] {
		return [...this.block.values()].map((w) =>
			w.data
				? { op: "set", entityType: w.entityType, id: w.id, data: w.data }
				: { op: "remove", entityType: w.entityType, id: w.id },
		);
	}

	/** After the block committed: its writes become the committed state. */
	commitBlock(): void {
		if (this.committed.size > MAX_COMMITTED_CACHE) {
			this.committed.clear();
			this.complete = false;
		}
		for (const [key, write] of this.block) this.committed.set(key, write.data);
		this.block = new Map();
		this.idSeq = 0;
	}

	/** After a block that will be retried: its writes go, the committed state is still right. */
	discardBlock(): void {
		this.block = new Map();
		this.idSeq = 0;
	}

	/** After a failed block or a revert: forget the block and everything cached. */
	reset(): void {
		this.block = new Map();
		this.idSeq = 0;
		this.committed.clear();
		this.complete = false;
	}
}

function idKey(id: Value): string {
	if (id.kind === "Bytes") return `0x${Buffer.from(id.value).toString("hex")}`;
	if (id.kind === "String" || id.kind === "Int8") return String(id.value);
	return JSON.stringify(id);
}
