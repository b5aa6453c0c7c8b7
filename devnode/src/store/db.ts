/**
 * One small interface over the two Postgres engines, so every SQL statement is shared: embedded PGlite
 * (in memory or in a data directory) and a real server through `pg`. All values cross it as text.
 */
import { PGlite, protocol } from "@electric-sql/pglite";
import pg from "pg";

export type Row = Record<string, string | null>;

export interface Queryable {
	query(sql: string, params?: (string | null)[]): Promise<Row[]>;
	/** Runs a script of statements without parameters. */
	exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
	/**
	 * A query that clients repeat with other parameters (GraphQL reads): on PGlite it runs as a
	 * prepared statement kept per SQL text, in one call into the engine.
	 */
	prepared(sql: string, params?: (string | null)[]): Promise<Row[]>;
	/** Runs `fn` in one transaction; reads from elsewhere see nothing of it until it commits. */
	transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
	close(): Promise<void>;
}

/** Prepared statements kept per PGlite database; the least recently used is closed beyond this. */
const PREPARED_LIMIT = 256;

function concat(parts: Uint8Array[]): Uint8Array {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let at = 0;
	for (const p of parts) {
		out.set(p, at);
		at += p.length;
	}
	return out;
}

const utf8 = new TextDecoder();

// ErrorResponse field codes and the DatabaseError properties pg and PGlite give them
const ERROR_FIELDS: Record<string, string> = {
	S: "severity",
	C: "code",
	D: "detail",
	H: "hint",
	P: "position",
	p: "internalPosition",
	q: "internalQuery",
	W: "where",
	s: "schema",
	t: "table",
	c: "column",
	d: "dataType",
	n: "constraint",
	F: "file",
	L: "line",
	R: "routine",
};

/**
 * Rows of an extended-protocol answer, every column as the text the server sent, or its error thrown.
 * Read straight from the bytes: PGlite's own parser copies every field into a new buffer first.
 */
function answerOf(data: Uint8Array): Row[] {
	const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
	const cstring = (at: number) => {
		const end = data.indexOf(0, at);
		return [utf8.decode(data.subarray(at, end)), end + 1] as const;
	};
	let names: string[] = [];
	const rows: Row[] = [];
	for (let at = 0; at + 5 <= data.length; ) {
		const type = data[at];
		const length = view.getUint32(at + 1);
		const body = at + 5;
		at += 1 + length;
		if (type === 0x54) {
			// RowDescription: per field its name, then 18 bytes of table, type and format
			names = [];
			for (let i = 0, f = body + 2; i < view.getInt16(body); i++) {
				const [name, next] = cstring(f);
				names.push(name);
				f = next + 18;
			}
		} else if (type === 0x44) {
			// DataRow: per column a length (-1 for NULL) and the text
			const row: Row = {};
			for (let i = 0, f = body + 2; i < view.getInt16(body); i++) {
				const n = view.getInt32(f);
				f += 4;
				row[names[i]] = n < 0 ? null : utf8.decode(data.subarray(f, f + n));
				if (n > 0) f += n;
			}
			rows.push(row);
		} else if (type === 0x45) {
			// ErrorResponse: coded fields up to a zero byte
			const fields: Record<string, string> = {};
			for (let f = body; data[f] !== 0; ) {
				const [value, next] = cstring(f + 1);
				fields[String.fromCharCode(data[f])] = value;
				f = next;
			}
			const error = new protocol.messages.DatabaseError(
				fields.M ?? "unknown error",
				length,
				"error",
			);
			for (const [code, key] of Object.entries(ERROR_FIELDS))
				if (fields[code] !== undefined)
					(error as unknown as Record<string, string>)[key] = fields[code];
			throw error;
		}
	}
	return rows;
}

export async function openPglite(dataDir?: string): Promise<Db> {
	// bytea parameters arrive as `\x…` text like every other value; PGlite would otherwise demand Uint8Array
	const db = await PGlite.create(dataDir, {
		serializers: { 17: (v: string) => v },
	});
	// Prepared reads are planned for their parameters each time, as graph-node's unprepared queries are:
	// a generic plan guesses a range filter's selectivity and can scan the wrong index
	await db.exec("set plan_cache_mode = force_custom_plan");
	const wrap = (q: Pick<PGlite, "query" | "exec">): Queryable => ({
		async query(sql, params) {
			return (await q.query<Row>(sql, params ?? [])).rows;
		},
		async exec(sql) {
			await q.exec(sql);
		},
	});
	const { serialize } = protocol;
	// The engine's raw answer: it hands over views of its memory, so each chunk is copied
	const run = async (message: Uint8Array) => {
		const chunks: Uint8Array[] = [];
		await db.execProtocolRawStream(message, {
			onRawData: (chunk) => chunks.push(chunk.slice()),
		});
		return concat(chunks);
	};
	// statement name per SQL text, in order of last use
	const statements = new Map<string, string>();
	let seq = 0;
	return {
		...wrap(db),
		// PGlite's query() makes six calls into the engine (parse, describe, bind, describe, execute,
		// sync) and parses and plans every time: here a known text is bound and executed in one call.
		prepared: (sql, params = []) =>
			// the same locks as query(): never inside another caller's transaction or protocol exchange
			db._runExclusiveTransaction(() =>
				db.runExclusive(async () => {
					let name = statements.get(sql);
					const parts: Uint8Array[] = [];
					if (name === undefined) {
						name = `devnode_${++seq}`;
						parts.push(serialize.parse({ name, text: sql }));
					} else statements.delete(sql);
					parts.push(
						serialize.bind({ statement: name, values: params }),
						serialize.describe({ type: "P" }),
						serialize.execute({}),
						serialize.sync(),
					);
					let rows: Row[];
					try {
						rows = answerOf(await run(concat(parts)));
					} catch (e) {
						// a statement that failed may still have been parsed: drop it so its text starts afresh
						await run(
							concat([serialize.close({ type: "S", name }), serialize.sync()]),
						);
						throw e;
					}
					statements.set(sql, name);
					if (statements.size > PREPARED_LIMIT) {
						const [oldest, oldName] = statements.entries().next().value as [
							string,
							string,
						];
						statements.delete(oldest);
						await run(
							concat([
								serialize.close({ type: "S", name: oldName }),
								serialize.sync(),
							]),
						);
					}
					return rows;
				}),
			),
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
	const direct = wrap(pool);
	return {
		...direct,
		// node-postgres already sends parse, bind, execute and sync in one write; a server plans fast
		prepared: direct.query,
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
