/**
 * One small interface over the two Postgres engines, so every SQL statement is shared: embedded PGlite
 * (in memory or in a data directory) and a real server through `pg`. All values cross it as text.
 */
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";

export type Row = Record<string, string | null>;

export interface Queryable {
	query(sql: string, params?: (string | null)[]): Promise<Row[]>;
	/** Runs a script of statements without parameters. */
	exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
	/** Runs `fn` in one transaction; reads from elsewhere see nothing of it until it commits. */
	transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
	close(): Promise<void>;
}

export async function openPglite(dataDir?: string): Promise<Db> {
	// bytea parameters arrive as `\x…` text like every other value; PGlite would otherwise demand Uint8Array
	const db = await PGlite.create(dataDir, {
		serializers: { 17: (v: string) => v },
	});
	const wrap = (q: Pick<PGlite, "query" | "exec">): Queryable => ({
		async query(sql, params) {
			return (await q.query<Row>(sql, params ?? [])).rows;
		},
		async exec(sql) {
			await q.exec(sql);
		},
	});
	return {
		...wrap(db),
		transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
		close: () => db.close(),
	};
}

export async function openPostgres(databaseUrl: string): Promise<Db> {
	// Text in, text out: the store parses every column itself, identically for both engines.
	const types = { getTypeParser: () => (value: string) => value };
	const pool = new pg.Pool({ connectionString: databaseUrl, types, max: 4 });
	const wrap = (c: pg.Pool | pg.PoolClient): Queryable => ({
		async query(sql, params) {
			return (await c.query<Row>(sql, params ?? [])).rows;
		},
		async exec(sql) {
			await c.query(sql);
		},
	});
	await pool.query("select 1"); // fail fast on a bad URL
	return {
		...wrap(pool),
		async transaction(fn) {
			const client = await pool.connect();
			try {
				await client.query("begin");
				const result = await fn(wrap(client));
				await client.query("commit");
				return result;
			} catch (e) {
				await client.query("rollback").catch(() => {});
				throw e;
			} finally {
				client.release();
			}
		},
		close: () => pool.end(),
	};
}
