/**
 * Executes graph-node queries: graphql-js parses and validates against the generated API schema, and
 * resolvers read entity versions visible at the query's block with SQL built by `sql.ts`.
 */
import {
	buildSchema,
	type DocumentNode,
	type ExecutionResult,
	execute,
	type FieldNode,
	GraphQLError,
	type GraphQLFieldResolver,
	type GraphQLInterfaceType,
	type GraphQLResolveInfo,
	GraphQLObjectType,
	GraphQLScalarType,
	type GraphQLSchema,
	Kind,
	parse,
	type SelectionSetNode,
	type ValueNode,
	validate,
} from "graphql";
import {
	type AggregationType,
	isReference,
	queryFieldNames,
	type SubgraphSchema,
	toSnakeCase,
} from "../schema/index.ts";
import type { QueryStore, Row } from "../store/index.ts";
import {
	idSqlType,
	idText,
	quoteIdent,
	selectColumns,
	type Table,
} from "../store/layout.ts";
import {
	aggColumns,
	currentBucketSql,
	intervalTable,
} from "../store/rollup.ts";
import type {
	BlockPtr,
	Entity,
	EntityStore,
	SchemaField,
	Value,
} from "../store/types.ts";
import { type ApiSchema, buildApiSchema, type TypeApi } from "./api-schema.ts";
import { limitsFromEnv, QueryError, valueParseError } from "./errors.ts";
import {
	atBlock,
	derivedMatch,
	Params,
	type SqlContext,
	sortKeySql,
	tablesFor,
	whereSql,
} from "./sql.ts";

/** A fulltext field's search: the tsvector column, the tsquery text, and how matches rank. */
type FulltextMatch = { column: string; text: string; algorithm: "rank" | "proximityRank" };

export interface QueryStatus {
	/** graph-node reports the deployment's IPFS hash; devnode reports what its runner passes here. */
	deployment?: string;
	hasIndexingErrors?: boolean;
}

export interface QueryEngineOptions {
	store: EntityStore & QueryStore;
	schema: SubgraphSchema;
	name: string;
	status?: () => QueryStatus | Promise<QueryStatus>;
	/** graph-node's GRAPH_GRAPHQL_MAX_FIRST; default: that variable, else 1000. */
	maxFirst?: number;
	/** graph-node's GRAPH_GRAPHQL_MAX_SKIP; default: that variable, else 4294967295 (u32::MAX). */
	maxSkip?: number;
	/** graph-node's query cache; default: on, unless GRAPH_QUERY_CACHE_BLOCKS is 0. */
	queryCache?: boolean;
}

export interface QueryEngine {
	readonly apiSchema: GraphQLSchema;
	readonly sdl: string;
	executeQuery(
		query: string,
		variables?: Record<string, unknown> | null,
		operationName?: string | null,
	): Promise<ExecutionResult>;
	/** `executeQuery`'s answer as JSON text, as the HTTP endpoint sends it (cached answers are kept as text). */
	executeQueryJson(
		query: string,
		variables?: Record<string, unknown> | null,
		operationName?: string | null,
	): Promise<string>;
}

/** A resolved entity: its type, the block it was read at, and its values. */
interface EntityObject {
	__typename: string;
	block: number;
	entity: Entity;
}

interface CollectionArgs {
	/** An aggregation query's interval (`hour`, `day`). */
	interval?: string;
	/** An aggregation query's `current` argument. */
	current?: "exclude" | "include";
	first?: number;
	skip?: number;
	orderBy?: string;
	orderDirection?: "asc" | "desc";
	where?: Record<string, unknown> | null;
}

const hex = (b: Uint8Array) =>
	`0x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex")}`;

/** graph-node's JSON form of a value: big numbers as strings, Bytes as lowercase hex. */
function toJson(v: Value | undefined): unknown {
	if (!v) return null;
	switch (v.kind) {
		case "Null":
			return null;
		case "Bytes":
			return hex(v.value);
		case "BigInt":
		case "Int8":
		case "Timestamp":
		case "BigDecimal":
			return String(v.value);
		case "Array":
			return v.value.map(toJson);
		default:
			return v.value;
	}
}

/** An id value as the text the store's `idText` expects. */
function idString(v: Value): string {
	return v.kind === "Bytes"
		? hex(v.value)
		: String((v as { value: unknown }).value);
}

function scalar(
	name: string,
	parse: (v: unknown) => unknown,
): GraphQLScalarType {
	return new GraphQLScalarType({
		name,
		serialize: (v) => v,
		parseValue: parse,
		parseLiteral(node: ValueNode) {
			if (
				node.kind === Kind.STRING ||
				node.kind === Kind.INT ||
				node.kind === Kind.FLOAT
			)
				return parse(node.value);
			throw valueParseError(name, "expected a string or a number");
		},
	});
}

const bigNumber = (name: string) =>
	scalar(name, (v) => {
		const s = String(v);
		if (!/^[+-]?\d+$/.test(s)) throw valueParseError(name, s);
		return s;
	});

const CUSTOM_SCALARS = [
	bigNumber("BigInt"),
	bigNumber("Int8"),
	bigNumber("Timestamp"),
	scalar("BigDecimal", (v) => {
		const s = String(v);
		if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s))
			throw valueParseError("BigDecimal", s);
		return s;
	}),
	scalar("Bytes", (v) => String(v)),
];

/** The fields a selection asks of its entities; rows read only their columns (a wide row costs PGlite most of a query). */
type Fields = ReadonlySet<string>;

const requestedByNodes = new WeakMap<readonly FieldNode[], Fields>();

/** Field names under the resolved field's selections, through fragments (whatever their type condition). */
function requested(info: GraphQLResolveInfo): Fields {
	const cached = requestedByNodes.get(info.fieldNodes);
	if (cached) return cached;
	const names = new Set<string>();
	const visit = (set: SelectionSetNode | undefined) => {
		for (const s of set?.selections ?? []) {
			if (s.kind === Kind.FIELD) names.add(s.name.value);
			else if (s.kind === Kind.INLINE_FRAGMENT) visit(s.selectionSet);
			else visit(info.fragments[s.name.value]?.selectionSet);
		}
	};
	for (const node of info.fieldNodes) visit(node.selectionSet);
	requestedByNodes.set(info.fieldNodes, names);
	return names;
}

const fieldsKey = (fields: Fields) => [...fields].sort().join(",");

export function createQueryEngine(options: QueryEngineOptions): QueryEngine {
	const { store, schema } = options;
	const fromEnv = limitsFromEnv();
	// graph-node's query cache: on unless GRAPH_QUERY_CACHE_BLOCKS is 0. Answers without errors are
	// kept per query text, variables and store generation (graph-node keys them by block), and
	// identical queries running at the same time share one execution (its herd cache)
	const cacheQueries = options.queryCache ?? fromEnv.queryCacheBlocks > 0;
	const cached = new Map<string, Promise<string>>();
	let cachedGeneration = -1;
	const maxFirst = options.maxFirst ?? fromEnv.maxFirst;
	const maxSkip = options.maxSkip ?? fromEnv.maxSkip;
	const api: ApiSchema = buildApiSchema(schema);
	const gql = buildSchema(api.sdl);
	for (const s of CUSTOM_SCALARS)
		Object.assign(gql.getType(s.name) as GraphQLScalarType, {
			serialize: s.serialize,
			parseValue: s.parseValue,
			parseLiteral: s.parseLiteral,
		});

	const status = async (): Promise<Required<QueryStatus>> => {
		const s = (await options.status?.()) ?? {};
		return {
			deployment: s.deployment ?? options.name,
			hasIndexingErrors:
				s.hasIndexingErrors ?? (await store.fatalError()) !== null,
		};
	};

	/** graph-node's block constraint: latest, `number`, `number_gte` or `hash`, checked against the head. */
	async function resolveBlock(
		arg:
			| { number?: number; number_gte?: number; hash?: string }
			| undefined
			| null,
	): Promise<{
		number: number;
		ptr: BlockPtr | null;
	}> {
		const head = await store.head();
		const notYet = (what: string, n: number) =>
			valueParseError(
				what,
				`subgraph ${options.name} has only indexed up to block number ${head?.number ?? -1} and data for block number ${n} is therefore not yet available`,
			);
		if (!arg) return { number: head?.number ?? -1, ptr: head };
		if (arg.hash !== undefined && arg.hash !== null) {
			const ptr = await store.blockByHash(
				`0x${String(arg.hash).replace(/^0x/, "").toLowerCase()}`,
			);
			if (!ptr)
				throw valueParseError("block.hash", "no block with that hash found");
			return { number: ptr.number, ptr };
		}
		if (arg.number_gte !== undefined && arg.number_gte !== null) {
			if (!head || head.number < arg.number_gte)
				throw notYet("block.number_gte", arg.number_gte);
			return { number: head.number, ptr: head };
		}
		if (arg.number !== undefined && arg.number !== null) {
			if (!head || arg.number > head.number)
				throw notYet("block.number", arg.number);
			// graph-node does not look up the hash of a block given by number
			return { number: arg.number, ptr: null };
		}
		return { number: head?.number ?? -1, ptr: head };
	}

	const sqlContext = (block: number): SqlContext => ({
		schema,
		layout: store.layout,
		api,
		block,
		params: new Params(),
	});

	function checkRange(args: CollectionArgs): { first: number; skip: number } {
		const first = args.first ?? 100;
		const skip = args.skip ?? 0;
		// graph-node's build_range: 1 ≤ first ≤ max, 0 ≤ skip ≤ max (its message still says "between 0")
		if (first <= 0 || first > maxFirst)
			throw new QueryError(
				`The \`first\` argument must be between 0 and ${maxFirst}, but is ${first}`,
			);
		if (skip < 0 || skip > maxSkip)
			throw new QueryError(
				`The \`skip\` argument must be between 0 and ${maxSkip}, but is ${skip}`,
			);
		return { first, skip };
	}

	async function read(sql: string, params: Params) {
		try {
			return await store.read(sql, params.values);
		} catch (e) {
			const err = e as { code?: string; message?: string };
			if (err.code === "42601" && /tsquery/.test(err.message ?? ""))
				throw new QueryError(
					`Invalid fulltext search query syntax. Error: ${err.message}. Hint: Search terms with spaces need to be enclosed in single quotes`,
				);
			throw e;
		}
	}

	async function loadByIds(
		table: Table,
		ids: string[],
		block: number,
		fields: Fields,
	): Promise<Map<string, Entity>> {
		const out = new Map<string, Entity>();
		if (ids.length === 0) return out;
		const params = new Params();
		const arr = params.add(
			`{${ids.map((id) => `"${idText(table.idType, id).replace(/[\\"]/g, "\\$&")}"`).join(",")}}`,
			`${idSqlType(table.idType)}[]`,
		);
		const rows = await read(
			`select ${selectColumns(table, "c", fields)} from ${table.qualified} c where c.id = any(${arr}) and ${atBlock(table, "c", block)}`,
			params,
		);
		for (const r of rows) {
			const e = store.rowToEntity(table, r);
			out.set(idString(e.get("id") as Value), e);
		}
		return out;
	}

	/** A page query built by `pageQuery`: its SQL, and the table its rows come from (null: `typename`/`id_text` picks of an interface). */
	interface Page {
		sql: string;
		table: Table | null;
		/** The rows to keep of the SQL's answer (a ranked window read once for its pages). */
		slice?: { skip: number; first: number };
	}

	/**
	 * SQL for one page of entities of `typeName` (an entity type, or an interface over its implementers)
	 * at the block, filtered by `where` and by `restrict` (how a parent narrows its children), in
	 * graph-node's order; `numbered` adds each row's place in that order as `rn$`. Null when no table matches.
	 */
	function pageQuery(
		ctx: SqlContext,
		typeName: string,
		args: CollectionArgs,
		fields: Fields,
		restrict?: (ctx: SqlContext, t: Table, alias: string) => string,
		fulltext?: FulltextMatch,
		numbered = false,
	): Page | null {
		const { first, skip } = checkRange(args);
		const block = ctx.block;
		if (args.interval) ctx.interval = args.interval;
		const typeApi = api.types.get(typeName) as TypeApi;
		const tables = tablesFor(ctx, typeName);
		const dir = args.orderBy && args.orderDirection === "desc" ? " desc" : "";
		const tsquery = fulltext ? ctx.params.add(fulltext.text, "text") : "";
		const branch = (t: Table, select: string) => {
			const conds = [
				atBlock(t, "c", block),
				whereSql(ctx, typeApi, t, "c", args.where),
			];
			if (restrict) conds.push(restrict(ctx, t, "c"));
			// graph-node calls to_tsquery without a configuration: a C-locale database defaults to english
			if (fulltext)
				conds.push(
					`c.${quoteIdent(fulltext.column)} @@ to_tsquery('english', ${tsquery})`,
				);
			return `select ${select} from ${t.qualified} c where ${conds.join(" and ")}`;
		};
		const sortKey = (t: Table) =>
			fulltext
				? `${fulltext.algorithm === "rank" ? "ts_rank" : "ts_rank_cd"}(c.${quoteIdent(fulltext.column)}, to_tsquery('english', ${tsquery}))`
				: sortKeySql(ctx, typeApi, t, "c", args.orderBy);
		const rowNumber = (order: string) =>
			numbered ? `, row_number() over (order by ${order}) as "rn$"` : "";

		if (tables.length === 1) {
			const t = tables[0];
			const key = sortKey(t);
			const order = key ? `${key}${dir}, c.id${dir}` : `c.id${dir}`;
			// only the id asked (a search listing its matches): its text is as cheap as the picks
			const idOnly = t.columns.every(
				(c) => c.field.name === "id" || !fields.has(c.field.name),
			);
			if (fulltext && idOnly && !numbered) {
				// a search listing its matches page by page ranks them all for every page: the ids are read
				// in windows of ranked matches, kept for the store's state, and sliced into pages
				const window =
					Math.ceil((skip + first) / FULLTEXT_WINDOW) * FULLTEXT_WINDOW;
				return {
					sql: `${branch(t, selectColumns(t, "c", fields))} order by ${order} limit ${window}`,
					table: t,
					slice: { skip, first },
				};
			}
			if (!numbered && !idOnly && (fulltext || skip > 0)) {
				// The page's row versions first, then the asked columns of those rows only: Postgres computes a
				// select list before sorting and skipping, so text casts of every match (a fulltext search ranks
				// them all) or of every skipped row would cost most of the query; a plain page reads fewer rows
				// than this join costs
				const pick = branch(
					t,
					`c.vid, c.id as "id$"${key ? `, ${key} as "key$"` : ""}`,
				);
				const again = key ? `s."key$"${dir}, s."id$"${dir}` : `s."id$"${dir}`;
				return {
					sql: `select ${selectColumns(t, "c", fields)} from (${pick} order by ${order} limit ${first} offset ${skip}) s join ${t.qualified} c on c.vid = s.vid order by ${again}`,
					table: t,
				};
			}
			return {
				sql: `${branch(t, selectColumns(t, "c", fields) + rowNumber(order))} order by ${order} limit ${first} offset ${skip}`,
				table: t,
			};
		}
		if (tables.length === 0) return null;
		const hasKey = sortKey(tables[0]) !== null;
		const union = tables
			.map((t) =>
				branch(
					t,
					`'${t.entity}' as typename, c.id as id, c.id::text as id_text${hasKey ? `, ${sortKey(t)} as sort_key` : ""}`,
				),
			)
			.join(" union all ");
		const order = hasKey ? `sort_key${dir}, id${dir}` : `id${dir}`;
		return {
			sql: `select typename, id_text${rowNumber(order)} from (${union}) u order by ${order} limit ${first} offset ${skip}`,
			table: null,
		};
	}

	/** The entities of a page's rows, in row order; an interface's picks are loaded with one query per type. */
	async function materialize(
		page: Page,
		rows: Row[],
		block: number,
		fields: Fields,
	): Promise<EntityObject[]> {
		const { table } = page;
		if (table)
			return rows.map((r) => ({
				__typename: table.entity,
				block,
				entity: store.rowToEntity(table, r),
			}));
		const pickId = (p: Row, t: Table) =>
			t.idType === "Bytes"
				? `0x${(p.id_text as string).slice(2)}`
				: (p.id_text as string);
		const byType = new Map<string, string[]>();
		for (const p of rows) {
			const t = store.layout.tables.get(p.typename as string) as Table;
			byType.set(t.entity, [...(byType.get(t.entity) ?? []), pickId(p, t)]);
		}
		const loaded = new Map<string, Map<string, Entity>>();
		for (const [type, ids] of byType)
			loaded.set(
				type,
				await loadByIds(
					store.layout.tables.get(type) as Table,
					[...new Set(ids)],
					block,
					fields,
				),
			);
		return rows.map((p) => {
			const t = store.layout.tables.get(p.typename as string) as Table;
			return {
				__typename: t.entity,
				block,
				entity: loaded.get(t.entity)?.get(pickId(p, t)) as Entity,
			};
		});
	}

	/** One page of entities of `typeName` at the block (see `pageQuery`). */
	async function collection(
		typeName: string,
		args: CollectionArgs,
		block: number,
		fields: Fields,
		restrict?: (ctx: SqlContext, t: Table, alias: string) => string,
		fulltext?: FulltextMatch,
	): Promise<EntityObject[]> {
		const ctx = sqlContext(block);
		const page = pageQuery(ctx, typeName, args, fields, restrict, fulltext);
		if (!page) return [];
		if (!page.slice)
			return materialize(page, await read(page.sql, ctx.params), block, fields);
		const { skip, first } = page.slice;
		const rows = await readKept(page.sql, ctx.params);
		return materialize(page, rows.slice(skip, skip + first), block, fields);
	}

	/** Reads kept per SQL text and parameters until the store changes (ranked fulltext windows). */
	const kept = new Map<string, Promise<Row[]>>();
	let keptGeneration: number | undefined;
	function readKept(sql: string, params: Params): Promise<Row[]> {
		const generation = store.generation;
		if (generation === undefined) return read(sql, params);
		if (keptGeneration !== generation) {
			kept.clear();
			keptGeneration = generation;
		}
		const key = `${JSON.stringify(params.values)}\u0000${sql}`;
		const hit = kept.get(key);
		if (hit) return hit;
		const rows = read(sql, params);
		kept.set(key, rows);
		rows.catch(() => kept.delete(key));
		if (kept.size > KEPT_READS)
			kept.delete(kept.keys().next().value as string);
		return rows;
	}

	/**
	 * The pages of a nested collection for many parents of one type in one SQL query, as graph-node
	 * does: each parent id drives a LATERAL page (its own `where`, order, `first`, `skip`), numbered
	 * to keep its order. `restrict` narrows children by the parent row `p` (`p.pid`, and `pt` when
	 * `joinParent`, for reference lists stored in the parent's column). Answers per parent id text.
	 */
	async function nestedPages(
		parentTable: Table,
		parentIds: string[],
		joinParent: boolean,
		typeName: string,
		args: CollectionArgs,
		block: number,
		fields: Fields,
		restrict: (ctx: SqlContext, t: Table, alias: string) => string,
	): Promise<Map<string, EntityObject[]>> {
		const out = new Map<string, EntityObject[]>();
		const ctx = sqlContext(block);
		const ids = ctx.params.add(
			`{${parentIds.map((id) => `"${id.replace(/[\\"]/g, "\\$&")}"`).join(",")}}`,
			`${idSqlType(parentTable.idType)}[]`,
		);
		const page = pageQuery(ctx, typeName, args, fields, restrict, undefined, true);
		if (!page) return out;
		const parents = joinParent
			? `unnest(${ids}) p(pid) join ${parentTable.qualified} pt on pt.id = p.pid and ${atBlock(parentTable, "pt", block)}`
			: `unnest(${ids}) p(pid)`;
		const rows = await read(
			`select p.pid::text as "parent$", c.* from ${parents} cross join lateral (${page.sql}) c order by c."rn$"`,
			ctx.params,
		);
		const children = await materialize(page, rows, block, fields);
		rows.forEach((r, i) => {
			const parent = r.parent$ as string;
			const list = out.get(parent);
			if (list) list.push(children[i]);
			else out.set(parent, [children[i]]);
		});
		return out;
	}

	/**
	 * An aggregation query (graph-node's build_order and the rollup's current bucket): the interval's
	 * buckets, newest first unless `orderBy` says otherwise; `current: include` adds the bucket still
	 * being filled, computed from the data points not rolled up yet.
	 */
	async function aggregationCollection(
		name: string,
		args: CollectionArgs,
		block: number,
		fields: Fields,
	): Promise<EntityObject[]> {
		const agg = schema.aggregations.get(name) as AggregationType;
		const interval = args.interval as string;
		if (!(agg.intervals as string[]).includes(interval))
			throw new QueryError(
				`Aggregation \`${name}\` has no interval \`${interval}\`; its intervals are ${agg.intervals.join(", ")}`,
			);
		// graph-node orders aggregations by timestamp, newest first, when no orderBy is given
		const ordered: CollectionArgs = args.orderBy
			? args
			: { ...args, orderBy: "timestamp", orderDirection: "desc" };
		const named = (objects: EntityObject[]) =>
			objects.map((o) => ({ ...o, __typename: name }));
		if (args.current !== "include")
			return named(await collection(name, ordered, block, fields));
		const { first, skip } = checkRange(ordered);
		const ctx = sqlContext(block);
		ctx.interval = interval;
		const typeApi = api.types.get(name) as TypeApi;
		const t = intervalTable(store.layout.tables, name, interval) as Table;
		const source = store.layout.tables.get(agg.source) as Table;
		const dir = ordered.orderDirection === "desc" ? " desc" : "";
		const order = (alias: string) => {
			const key = sortKeySql(ctx, typeApi, t, alias, ordered.orderBy);
			return key
				? `${key}${dir}, ${alias}.id${dir}`
				: `${alias}.id${dir}`;
		};
		const cols = aggColumns(t);
		const rolled = `select ${cols.map((c) => `c.${c}`).join(", ")} from ${t.qualified} c where ${atBlock(t, "c", block)} and ${whereSql(ctx, typeApi, t, "c", ordered.where)} order by ${order("c")} limit ${first + skip + 1}`;
		// graph-node applies the block and the filter to the data points of the current bucket
		const current = currentBucketSql(
			{ agg: t, source },
			`${atBlock(source, "s", block)} and ${whereSql(ctx, typeApi, source, "s", ordered.where)}`,
		);
		const rows = await read(
			`select ${selectColumns(t, "u", fields)} from ((${rolled}) union all (${current})) u order by ${order("u")} limit ${first} offset ${skip}`,
			ctx.params,
		);
		return rows.map((r) => ({
			__typename: name,
			block,
			entity: store.rowToEntity(t, r),
		}));
	}

	async function byId(
		typeName: string,
		id: string,
		block: number,
		fields: Fields,
	): Promise<EntityObject | null> {
		const ctx = sqlContext(block);
		for (const t of tablesFor(ctx, typeName)) {
			if (t.idType === "Bytes") {
				if (!/^(0x)?([0-9a-fA-F]{2})*$/.test(id))
					throw valueParseError("Bytes", id);
			} else if (t.idType === "Int8" && !/^[+-]?\d+$/.test(id))
				throw valueParseError("Int8", id);
			const e = (await loadByIds(t, [id], block, fields)).values().next().value;
			if (e) return { __typename: t.entity, block, entity: e };
		}
		return null;
	}

	/**
	 * Batches the loads of one query: graphql-js calls the resolvers of every row of a list before
	 * awaiting any, so the ids asked under one key until the event loop turns become one SQL query.
	 */
	class Batcher<T> {
		private readonly pending = new Map<
			string,
			{ ids: Set<string>; loaded: Promise<Map<string, T>> }
		>();
		load(
			key: string,
			id: string,
			run: (ids: string[]) => Promise<Map<string, T>>,
		): Promise<T | undefined> {
			let batch = this.pending.get(key);
			if (!batch) {
				const ids = new Set<string>();
				// setImmediate runs after every pending promise job, so rows that resolve a few hops later still join
				const loaded = new Promise<void>((r) => setImmediate(r)).then(() => {
					this.pending.delete(key);
					return run([...ids]);
				});
				batch = { ids, loaded };
				this.pending.set(key, batch);
			}
			batch.ids.add(id);
			return batch.loaded.then((found) => found.get(id));
		}
	}

	interface Loaders {
		references: Batcher<EntityObject>;
		children: Batcher<EntityObject[]>;
	}

	/** A single reference, batched with the others of its type and block. */
	function loadReference(
		loaders: Loaders,
		typeName: string,
		id: string,
		block: number,
		fields: Fields,
	): Promise<EntityObject | null> {
		return loaders.references
			.load(`${typeName}@${block}:${fieldsKey(fields)}`, id, async (ids) => {
				const found = new Map<string, EntityObject>();
				for (const t of tablesFor(sqlContext(block), typeName))
					for (const [k, entity] of await loadByIds(t, ids, block, fields))
						if (!found.has(k))
							found.set(k, { __typename: t.entity, block, entity });
				return found;
			})
			.then((e) => e ?? null);
	}

	const queryType = gql.getQueryType() as GraphQLObjectType;
	const queryFields = queryType.getFields();
	const typeNames = [...schema.entities.keys(), ...schema.interfaces.keys()];
	for (const name of typeNames) {
		const { single, plural } = queryFieldNames(name);
		queryFields[single].resolve = async (_root, args, _context, info) => {
			const block = await resolveBlock(args.block);
			return byId(name, String(args.id), block.number, requested(info));
		};
		queryFields[plural].resolve = async (_root, args, _context, info) => {
			const block = await resolveBlock(args.block);
			return collection(name, args, block.number, requested(info));
		};
	}
	for (const name of schema.aggregations.keys()) {
		queryFields[queryFieldNames(name).plural].resolve = async (
			_root,
			args,
			_context,
			info,
		) => {
			const block = await resolveBlock(args.block);
			return aggregationCollection(name, args, block.number, requested(info));
		};
	}
	for (const ft of schema.fulltext) {
		queryFields[ft.name].resolve = async (_root, args, _context, info) => {
			const block = await resolveBlock(args.block);
			const column = toSnakeCase(ft.name);
			return collection(ft.entity, args, block.number, requested(info), undefined, {
				column,
				text: String(args.text),
				algorithm: ft.algorithm,
			});
		};
	}
	queryFields._meta.resolve = async (_root, args) => {
		const block = await resolveBlock(args.block);
		if (block.number < 0)
			throw new QueryError("cannot resolve _meta without a block pointer");
		const s = await status();
		return {
			deployment: s.deployment,
			hasIndexingErrors: s.hasIndexingErrors,
			block: {
				number: block.number,
				hash: block.ptr?.hash ?? null,
				timestamp: block.ptr?.timestamp ?? null,
				parentHash: null,
			},
		};
	};

	// Field resolvers of entity and interface types
	const fieldResolver = (
		field: SchemaField,
	): GraphQLFieldResolver<EntityObject, Loaders> => {
		// scalars resolve synchronously: no promise per field of every row
		if (!isReference(schema, field))
			return (parent) => toJson(parent.entity.get(field.name));
		return (parent, args, context, info) => {
			const block = parent.block;
			const fields = requested(info);
			const parentType = store.layout.tables.get(parent.__typename) as Table;
			// the parent's own field definition (an interface field may be derived in one implementer only)
			const own = (schema.entities
				.get(parent.__typename)
				?.fieldsByName.get(field.name) ?? field) as SchemaField;
			if (own.derivedFrom === undefined) {
				const v = parent.entity.get(own.name);
				if (!v || v.kind === "Null") return own.list ? [] : null;
				if (!own.list)
					return loadReference(context, own.type, idString(v), block, fields);
			}
			// nested collections: one query for the field at this level, for every parent row
			const pageArgs: CollectionArgs = own.list ? args : { first: 2 };
			checkRange(pageArgs);
			const derived = own.derivedFrom;
			const restrict = (_ctx: SqlContext, t: Table, alias: string) =>
				derived === undefined
					? `${alias}.id = any(pt.${quoteIdent(parentType.columnsByField.get(own.name)?.name as string)})`
					: derivedMatch(t, alias, derived, "p.pid");
			const found = context.children
				.load(
					`${parentType.entity}.${own.name}@${block}:${JSON.stringify(pageArgs)}:${fieldsKey(fields)}`,
					idText(parentType.idType, idString(parent.entity.get("id") as Value)),
					(ids) =>
						nestedPages(
							parentType,
							ids,
							derived === undefined,
							own.type,
							pageArgs,
							block,
							fields,
							restrict,
						),
				)
				.then((page) => page ?? []);
			if (own.list) return found;
			return found.then((page) => {
				if (page.length > 1)
					throw new QueryError(
						`Ambiguous result for derived field \`${own.name}\`: Multiple \`${own.type}\` entities refer back via \`${own.derivedFrom}\``,
					);
				return page[0] ?? null;
			});
		};
	};

	for (const name of typeNames) {
		const type = gql.getType(name) as GraphQLObjectType | GraphQLInterfaceType;
		const fields =
			(schema.entities.get(name) ?? schema.interfaces.get(name))?.fields ?? [];
		const gqlFields = type.getFields();
		for (const f of fields) gqlFields[f.name].resolve = fieldResolver(f);
		if (!(type instanceof GraphQLObjectType))
			(type as GraphQLInterfaceType).resolveType = (o: EntityObject) =>
				o.__typename;
	}
	for (const [name, agg] of schema.aggregations) {
		const gqlFields = (gql.getType(name) as GraphQLObjectType).getFields();
		for (const f of agg.fields) gqlFields[f.name].resolve = fieldResolver(f);
	}

	// Parsed and validated documents by query text: clients repeat the same queries
	const documents = new Map<string, DocumentNode>();
	function prepare(query: string): DocumentNode | readonly GraphQLError[] {
		const cached = documents.get(query);
		if (cached) return cached;
		let document: DocumentNode;
		try {
			document = parse(query);
		} catch (e) {
			return [e as GraphQLError];
		}
		const errors = validate(gql, document);
		if (errors.length > 0) return errors;
		if (documents.size >= 500)
			documents.delete(documents.keys().next().value as string);
		documents.set(query, document);
		return document;
	}

	return {
		apiSchema: gql,
		sdl: api.sdl,
		async executeQuery(query, variables, operationName) {
			const r = await respond(query, variables, operationName);
			return r.result ?? (JSON.parse(r.text as string) as ExecutionResult);
		},
		async executeQueryJson(query, variables, operationName) {
			const r = await respond(query, variables, operationName);
			return r.text ?? JSON.stringify(r.result);
		},
	};

	/**
	 * Runs a query, or answers it from the query cache: as the result (the caller's own) or as the
	 * JSON text kept in the cache (readers of a shared answer parse their own copy).
	 */
	async function respond(
		query: string,
		variables: Record<string, unknown> | null | undefined,
		operationName: string | null | undefined,
	): Promise<{ result?: ExecutionResult; text?: string }> {
		const prepared = prepare(query);
		if (Array.isArray(prepared)) return { result: answer({ errors: prepared }) };
		const document = prepared as DocumentNode;
		const run = async () =>
			answer(
				await execute({
					schema: gql,
					document,
					variableValues: variables ?? undefined,
					operationName,
					contextValue: {
						references: new Batcher<EntityObject>(),
						children: new Batcher<EntityObject[]>(),
					} satisfies Loaders,
				}),
			);
		const generation = store.generation;
		if (
			!cacheQueries ||
			generation === undefined ||
			!cacheable(document, operationName)
		)
			return { result: await run() };
		if (cachedGeneration !== generation) {
			cached.clear();
			cachedGeneration = generation;
		}
		const key = `${operationName ?? ""}\u0000${JSON.stringify(variables ?? null)}\u0000${query}`;
		const hit = cached.get(key);
		if (hit) {
			cached.delete(key);
			cached.set(key, hit);
			return { text: await hit };
		}
		const result = run();
		const text = result.then((r) => {
			// answers with errors are not kept, nor those the store changed under
			if (r.errors || store.generation !== generation)
				if (cached.get(key) === text) cached.delete(key);
			return JSON.stringify(r);
		});
		cached.set(key, text);
		if (cached.size > QUERY_CACHE_ENTRIES)
			cached.delete(cached.keys().next().value as string);
		return { result: await result };
	}

	function answer(result: ExecutionResult): ExecutionResult {
			// graph-node answers a failed query with its errors only, and its validator makes no suggestions
			if (result.errors?.length)
				return {
					errors: result.errors.map((e) =>
						/ Did you mean .*\?$/.test(e.message)
							? new GraphQLError(e.message.replace(/ Did you mean .*\?$/, ""), {
									nodes: e.nodes,
									path: e.path,
									originalError: e.originalError,
								})
							: e,
					),
				};
			return result;
	}
}

/** Ranked fulltext matches are read in windows of this many ids. */
const FULLTEXT_WINDOW = 5000;
/** Ranked windows kept per store state. */
const KEPT_READS = 16;

/** Answers kept by graph-node's query cache here; the least recently used goes beyond this. */
const QUERY_CACHE_ENTRIES = 100;

/** Queries whose answer depends on the store alone: plain root fields, no `_meta` (it reports the runner's status). */
function cacheable(
	document: DocumentNode,
	operationName: string | null | undefined,
): boolean {
	const operations = document.definitions.filter(
		(d) => d.kind === Kind.OPERATION_DEFINITION,
	);
	const operation =
		operations.length === 1
			? operations[0]
			: operations.find((o) => o.name?.value === operationName);
	return (
		operation?.selectionSet.selections.every(
			(s) => s.kind === Kind.FIELD && s.name.value !== "_meta",
		) === true
	);
}
