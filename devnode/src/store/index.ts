/**
 * The entity store: graph-node's Postgres layout on embedded PGlite or a real server, one SQL transaction
 * per block, block ranges for history (so `block:` queries and rewinds work), block pointers for rewind
 * detection, and the subgraph's head and fatal error.
 */
import type { SubgraphSchema } from "../schema/index.ts";
import { type Db, openPglite, openPostgres, type Row } from "./db.ts";
import {
	BLOCK_COLUMN,
	BLOCK_RANGE,
	buildLayout,
	idSqlType,
	idText,
	type Layout,
	layoutDdl,
	parseColumn,
	quoteIdent,
	selectColumns,
	sqlLiteral,
	sqlString,
	type Table,
} from "./layout.ts";
import {
	intervalMicros,
	type RollupTables,
	rollupInsertSql,
	rollupTables,
} from "./rollup.ts";
import type {
	BlockPtr,
	DataSourceRecord,
	Entity,
	EntityChange,
	EntityStore,
	Value,
} from "./types.ts";

export type { Row } from "./db.ts";
export type { Column, Layout, Table } from "./layout.ts";
export type {
	BlockPtr,
	DataSourceRecord,
	Entity,
	EntityChange,
	EntityStore,
	SchemaEntity,
	SchemaField,
	Value,
} from "./types.ts";

export class StoreError extends Error {
	override name = "StoreError";
}

/** What the GraphQL layer needs besides `EntityStore`: read-only SQL and the table layout. */
export interface QueryStore {
	readonly schema: SubgraphSchema;
	readonly layout: Layout;
	/** Runs a read-only query, prepared once per SQL text; every column comes back as text. */
	read(sql: string, params?: (string | null)[]): Promise<Row[]>;
	blockByHash(hash: string): Promise<BlockPtr | null>;
	/** Converts a row of `selectColumns` into an entity (null columns left out). */
	rowToEntity(table: Table, row: Row): Entity;
	/**
	 * Grows with every change a query could see (a block, a revert, a failure): answers computed at
	 * one generation hold until the next. Absent on stores that do not track it.
	 */
	readonly generation?: number;
}

export interface OpenStoreOptions {
	schema: SubgraphSchema;
	/** A PostgreSQL server (`postgres://…`); without it the store is embedded PGlite. */
	databaseUrl?: string;
	/** PGlite data directory: the store persists there and a restart resumes; omitted means in memory. */
	dataDir?: string;
	/** Postgres schema holding the tables (graph-node uses one `sgdNNN` per deployment). */
	dbSchema?: string;
}

// Rows per INSERT statement: keeps statements well below Postgres' parser limits.
const INSERT_CHUNK = 1000;

export async function openStore(
	options: OpenStoreOptions,
): Promise<EntityStore & QueryStore> {
	const db = options.databaseUrl
		? await openPostgres(options.databaseUrl)
		: await openPglite(options.dataDir);
	try {
		// an in-memory database dies with the process anyway, so its tables need no write-ahead log
		const unlogged = !options.databaseUrl && !options.dataDir;
		return await PostgresEntityStore.create(
			db,
			options.schema,
			options.dbSchema ?? "sgd1",
			unlogged,
		);
	} catch (e) {
		await db.close();
		throw e;
	}
}

class PostgresEntityStore implements EntityStore, QueryStore {
	readonly schema: SubgraphSchema;
	readonly layout: Layout;
	private readonly db: Db;
	private readonly meta: string;
	private readonly blocks: string;
	private readonly sources: string;
	private headCache: BlockPtr | null = null;
	private changes = 0;
	/** Aggregation intervals with their source, shortest interval first. */
	private readonly rollups: RollupTables[];
	private readonly analyzed = new Map<
		string,
		{ rows: number; pending: number }
	>();

	private constructor(db: Db, schema: SubgraphSchema, dbSchema: string) {
		this.db = db;
		this.schema = schema;
		this.layout = buildLayout(schema, dbSchema);
		this.meta = `${quoteIdent(dbSchema)}."subgraph_meta"`;
		this.blocks = `${quoteIdent(dbSchema)}."block_ptrs"`;
		this.sources = `${quoteIdent(dbSchema)}."data_sources"`;
		this.rollups = rollupTables(this.layout.tables);
	}

	static async create(
		db: Db,
		schema: SubgraphSchema,
		dbSchema: string,
		unlogged: boolean,
	): Promise<PostgresEntityStore> {
		const store = new PostgresEntityStore(db, schema, dbSchema);
		await store.init(unlogged);
		return store;
	}

	private async init(unlogged: boolean): Promise<void> {
		await this.db.exec(`create schema if not exists ${quoteIdent(this.layout.dbSchema)};
create table if not exists ${this.meta} (
  singleton boolean primary key default true check (singleton),
  schema_text text not null,
  fatal_error text,
  fatal_block int4
);
create table if not exists ${this.blocks} (number int4 primary key, hash text not null, timestamp int8 not null);
create table if not exists ${this.sources} (
  seq bigserial primary key, template text not null, params text not null, context text, created_at int4 not null
);`);
		const [meta] = await this.db.query(`select schema_text from ${this.meta}`);
		if (meta && meta.schema_text !== this.schema.text)
			throw new StoreError(
				`the database schema ${this.layout.dbSchema} holds a different subgraph (its schema.graphql differs); use another data directory or database`,
			);
		if (!meta) {
			await this.db.transaction(async (tx) => {
				await tx.exec(layoutDdl(this.layout, this.schema, unlogged));
				await tx.query(`insert into ${this.meta} (schema_text) values ($1)`, [
					this.schema.text,
				]);
			});
		}
		this.headCache = await this.loadHead();
	}

	private table(entityType: string): Table {
		const t = this.layout.tables.get(entityType);
		if (!t) throw new StoreError(`unknown entity type \`${entityType}\``);
		return t;
	}

	rowToEntity(table: Table, row: Row): Entity {
		const e: Entity = new Map();
		for (const c of table.columns) {
			const text = row[c.field.name];
			if (text !== null && text !== undefined)
				e.set(c.field.name, parseColumn(c, text));
		}
		return e;
	}

	private current(t: Table, alias = "c"): string {
		return t.immutable ? "true" : `upper_inf(${alias}.${BLOCK_RANGE})`;
	}

	async get(entityType: string, id: string): Promise<Entity | null> {
		const t = this.table(entityType);
		const [row] = await this.db.query(
			`select ${selectColumns(t, "c")} from ${t.qualified} c where c.id = $1::${idSqlType(t.idType)} and ${this.current(t)}`,
			[idText(t.idType, id)],
		);
		return row ? this.rowToEntity(t, row) : null;
	}

	async getDerived(
		entityType: string,
		field: string,
		id: string,
	): Promise<Entity[]> {
		const t = this.table(entityType);
		const c = t.columnsByField.get(field);
		if (!c)
			throw new StoreError(
				`Entity ${entityType}[${id}]: unknown field \`${field}\``,
			);
		const col = `c.${quoteIdent(c.name)}`;
		const param = `$1::${idSqlType(c.valueType)}`;
		const match = c.field.list
			? `${col} @> array[${param}]`
			: `${col} = ${param}`;
		const rows = await this.db.query(
			`select ${selectColumns(t, "c")} from ${t.qualified} c where ${match} and ${this.current(t)} order by c.id`,
			[idText(c.valueType, id)],
		);
		return rows.map((r) => this.rowToEntity(t, r));
	}

	get generation(): number {
		return this.changes;
	}

	async transactBlock(
		block: BlockPtr,
		changes: EntityChange[],
		dataSources: DataSourceRecord[] = [],
	): Promise<void> {
		try {
			await this.commitBlock(block, changes, dataSources);
		} finally {
			this.changes++;
		}
	}

	private async commitBlock(
		block: BlockPtr,
		changes: EntityChange[],
		dataSources: DataSourceRecord[],
	): Promise<void> {
		const head = this.headCache;
		if (head && block.number <= head.number)
			throw new StoreError(
				`block ${block.number} is not after the head block ${head.number}; revert to an earlier block first`,
			);
		// The last change of an entity in the block wins: only the block's final state is stored.
		const byType = new Map<string, Map<string, EntityChange>>();
		for (const ch of changes) {
			const t = this.table(ch.entityType);
			const m = byType.get(ch.entityType) ?? new Map<string, EntityChange>();
			byType.set(ch.entityType, m);
			m.set(idText(t.idType, ch.id), ch);
		}
		const n = block.number;
		// Removing an immutable entity is refused up front; writing one twice trips its unique id index.
		for (const [entityType, m] of byType) {
			const t = this.table(entityType);
			if (t.immutable && [...m.values()].some((c) => c.op === "remove"))
				await this.checkImmutable(t, m, n);
		}
		try {
			await this.writeBlock(block, byType, dataSources);
		} catch (e) {
			if ((e as { code?: string }).code === "23505")
				for (const [entityType, m] of byType) {
					const t = this.table(entityType);
					if (t.immutable) await this.checkImmutable(t, m, n);
				}
			throw e;
		}
		this.headCache = {
			number: block.number,
			hash: block.hash,
			timestamp: block.timestamp,
		};
		for (const [entityType, m] of byType)
			await this.maybeAnalyze(this.table(entityType), m.size);
	}

	private async writeBlock(
		block: BlockPtr,
		byType: Map<string, Map<string, EntityChange>>,
		dataSources: DataSourceRecord[],
	): Promise<void> {
		const n = block.number;
		await this.db.transaction(async (tx) => {
			const script: string[] = [];
			for (const [entityType, m] of byType) {
				const t = this.table(entityType);
				const ids = [...m.keys()];
				const sets = [...m.values()].filter((c) => c.op === "set");
				if (!t.immutable && ids.length > 0) {
					script.push(
						`update ${t.qualified} set ${BLOCK_RANGE} = int4range(lower(${BLOCK_RANGE}), ${n}) where id = any(${sqlString(arrayLiteral(ids))}::${idSqlType(t.idType)}[]) and upper_inf(${BLOCK_RANGE});`,
					);
				}
				const cols = t.columns.map((c) => quoteIdent(c.name)).join(", ");
				const blockCol = t.immutable ? quoteIdent(BLOCK_COLUMN) : BLOCK_RANGE;
				const blockVal = t.immutable ? String(n) : `int4range(${n}, null)`;
				for (let i = 0; i < sets.length; i += INSERT_CHUNK) {
					const rows = sets.slice(i, i + INSERT_CHUNK).map((ch) => {
						const data = (ch as Extract<EntityChange, { op: "set" }>).data;
						return `(${blockVal}, ${t.columns.map((c) => sqlLiteral(c, data.get(c.field.name))).join(", ")})`;
					});
					const conflict =
						t.immutable && t.skipDuplicates
							? " on conflict (id) do nothing"
							: "";
					script.push(
						`insert into ${t.qualified} (${blockCol}, ${cols}) values\n${rows.join(",\n")}${conflict};`,
					);
				}
			}
			script.push(...this.rollupSql(block));
			for (const ds of dataSources)
				script.push(
					`insert into ${this.sources} (template, params, context, created_at) values (${sqlString(ds.template)}, ${sqlString(JSON.stringify(ds.params))}, ${ds.context ? sqlString(entityToJson(ds.context)) : "null"}, ${n});`,
				);
			script.push(
				`insert into ${this.blocks} (number, hash, timestamp) values (${n}, ${sqlString(block.hash)}, ${Math.trunc(block.timestamp)}) on conflict (number) do update set hash = excluded.hash, timestamp = excluded.timestamp;`,
			);
			await tx.exec(script.join("\n"));
		});
	}

	/**
	 * graph-node's `Layout::rollup` after a block's writes: when the block's time is in a later bucket
	 * than the last rollup (the previous block's time), the bucket holding the last rollup is
	 * aggregated, marked with this block; longer intervals only when the shorter one had a bucket.
	 */
	private rollupSql(block: BlockPtr): string[] {
		const last = this.headCache;
		if (!last || this.rollups.length === 0) return [];
		const out: string[] = [];
		const from = BigInt(Math.trunc(last.timestamp)) * 1_000_000n;
		const to = BigInt(Math.trunc(block.timestamp)) * 1_000_000n;
		for (const r of this.rollups) {
			const length = intervalMicros(r.agg);
			const start = from - (from % length);
			if (start + length > to) break;
			out.push(rollupInsertSql(r, start, start + length, block.number));
		}
		return out;
	}

	/**
	 * Refreshes planner statistics the way Postgres' autovacuum would (threshold 50 rows + 10%): PGlite
	 * runs no autovacuum, and without statistics the planner picks slow plans for ordered queries.
	 */
	private async maybeAnalyze(t: Table, written: number): Promise<void> {
		const s = this.analyzed.get(t.entity) ?? { rows: 0, pending: 0 };
		s.pending += written;
		if (s.pending > 50 + 0.1 * s.rows) {
			// GIN indexes (fulltext) take new rows into a pending list that only vacuum merges; PGlite has no
			// autovacuum, and a long list makes every fulltext search scan it (the planner then scans the table)
			for (const ft of t.fulltext)
				await this.db.query(
					`select gin_clean_pending_list(${sqlString(`${quoteIdent(this.layout.dbSchema)}.${quoteIdent(`${t.name}_${ft.name}`)}`)}::regclass)`,
				);
			await this.db.exec(`analyze ${t.qualified}`);
			s.rows += s.pending;
			s.pending = 0;
		}
		this.analyzed.set(t.entity, s);
	}

	/** graph-node refuses to overwrite or remove an immutable entity in a later block. */
	private async checkImmutable(
		t: Table,
		changes: Map<string, EntityChange>,
		n: number,
	): Promise<void> {
		const existing = await this.db.query(
			`select id::text as id, ${quoteIdent(BLOCK_COLUMN)}::text as block from ${t.qualified} where id = any($1::${idSqlType(t.idType)}[])`,
			[arrayLiteral([...changes.keys()])],
		);
		if (existing.length === 0) return;
		const shown = (id: string) =>
			t.idType === "Bytes" ? `0x${id.slice(2)}` : id;
		const removed = existing.filter(
			(r) => changes.get(r.id as string)?.op === "remove",
		);
		if (removed.length > 0 && !t.skipDuplicates)
			throw new StoreError(
				`entities of type \`${t.entity}\` can not be deleted since they are immutable. Entity ids are [${removed.map((r) => shown(r.id as string)).join(", ")}]`,
			);
		const again = existing.find(
			(r) => changes.get(r.id as string)?.op === "set",
		);
		if (again && !t.skipDuplicates)
			throw new StoreError(
				`entity ${t.entity}[${shown(again.id as string)}] is immutable; inserting it at block ${n} is not possible as it was already inserted at block ${again.block}`,
			);
	}

	async revertTo(block: BlockPtr): Promise<void> {
		try {
			await this.revertBlocks(block);
		} finally {
			this.changes++;
		}
	}

	private async revertBlocks(block: BlockPtr): Promise<void> {
		const n = block.number;
		const script: string[] = [];
		for (const t of this.layout.tables.values()) {
			if (t.immutable) {
				script.push(
					`delete from ${t.qualified} where ${quoteIdent(BLOCK_COLUMN)} > ${n};`,
				);
			} else {
				script.push(
					`delete from ${t.qualified} where lower(${BLOCK_RANGE}) > ${n};`,
				);
				script.push(
					`update ${t.qualified} set ${BLOCK_RANGE} = int4range(lower(${BLOCK_RANGE}), null) where not upper_inf(${BLOCK_RANGE}) and upper(${BLOCK_RANGE}) > ${n};`,
				);
			}
		}
		script.push(`delete from ${this.blocks} where number > ${n};`);
		script.push(`delete from ${this.sources} where created_at > ${n};`);
		// A failure recorded after the block is undone with it.
		script.push(
			`update ${this.meta} set fatal_error = null, fatal_block = null where fatal_block > ${n};`,
		);
		await this.db.transaction((tx) => tx.exec(script.join("\n")));
		this.headCache = await this.loadHead();
	}

	async dataSources(): Promise<DataSourceRecord[]> {
		const rows = await this.db.query(
			`select template, params, context, created_at::text from ${this.sources} order by seq`,
		);
		return rows.map((r) => ({
			template: r.template as string,
			params: JSON.parse(r.params as string),
			context: r.context ? entityFromJson(r.context) : null,
			createdAtBlock: Number(r.created_at),
		}));
	}

	private toPtr(r: Row): BlockPtr {
		return {
			number: Number(r.number),
			hash: r.hash as `0x${string}`,
			timestamp: Number(r.timestamp),
		};
	}

	async blockPtr(number: number): Promise<BlockPtr | null> {
		const [r] = await this.db.query(
			`select number::text, hash, timestamp::text from ${this.blocks} where number = $1::int4`,
			[String(number)],
		);
		return r ? this.toPtr(r) : null;
	}

	async blockByHash(hash: string): Promise<BlockPtr | null> {
		const [r] = await this.db.query(
			`select number::text, hash, timestamp::text from ${this.blocks} where lower(hash) = lower($1)`,
			[hash],
		);
		return r ? this.toPtr(r) : null;
	}

	private async loadHead(): Promise<BlockPtr | null> {
		const [r] = await this.db.query(
			// `b.number`, not `number`: a bare name would sort by the text output column, where "99" > "100"
			`select b.number::text, b.hash, b.timestamp::text from ${this.blocks} b order by b.number desc limit 1`,
		);
		return r ? this.toPtr(r) : null;
	}

	async head(): Promise<BlockPtr | null> {
		return this.headCache;
	}

	async setFatalError(message: string, blockNumber: number): Promise<void> {
		await this.db.query(
			`update ${this.meta} set fatal_error = $1, fatal_block = $2::int4`,
			[message, String(blockNumber)],
		);
		this.changes++;
	}

	async fatalError(): Promise<{ message: string; blockNumber: number } | null> {
		const [r] = await this.db.query(
			`select fatal_error, fatal_block::text from ${this.meta}`,
		);
		return r?.fatal_error
			? { message: r.fatal_error, blockNumber: Number(r.fatal_block) }
			: null;
	}

	read(sql: string, params?: (string | null)[]): Promise<Row[]> {
		return this.db.prepared(sql, params);
	}

	close(): Promise<void> {
		return this.db.close();
	}
}

/** A Postgres array literal of text elements (ids), every element quoted. */
function arrayLiteral(values: string[]): string {
	return `{${values.map((v) => `"${v.replace(/[\\"]/g, "\\$&")}"`).join(",")}}`;
}

// Data source contexts are stored as JSON with each value's kind, so they round-trip exactly.
type JsonValue = [Value["kind"], unknown];

function valueToJson(v: Value): JsonValue {
	switch (v.kind) {
		case "Null":
			return ["Null", null];
		case "Array":
			return ["Array", v.value.map(valueToJson)];
		case "Bytes":
			return ["Bytes", Buffer.from(v.value).toString("hex")];
		case "BigInt":
		case "Int8":
		case "Timestamp":
			return [v.kind, v.value.toString()];
		default:
			return [v.kind, v.value];
	}
}

function valueFromJson([kind, raw]: JsonValue): Value {
	switch (kind) {
		case "Null":
			return { kind };
		case "Array":
			return { kind, value: (raw as JsonValue[]).map(valueFromJson) };
		case "Bytes":
			return { kind, value: new Uint8Array(Buffer.from(raw as string, "hex")) };
		case "BigInt":
		case "Int8":
		case "Timestamp":
			return { kind, value: BigInt(raw as string) };
		default:
			return { kind, value: raw } as Value;
	}
}

function entityToJson(e: Entity): string {
	return JSON.stringify([...e].map(([k, v]) => [k, valueToJson(v)]));
}

function entityFromJson(text: string): Entity {
	return new Map(
		(JSON.parse(text) as [string, JsonValue][]).map(([k, v]) => [
			k,
			valueFromJson(v),
		]),
	);
}
