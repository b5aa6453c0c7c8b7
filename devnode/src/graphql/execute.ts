/**
 * Executes graph-node queries: graphql-js parses and validates against the generated API schema, and
 * resolvers read entity versions visible at the query's block with SQL built by `sql.ts`.
 */
import {
	buildSchema,
	type DocumentNode,
	type ExecutionResult,
	execute,
	GraphQLError,
	type GraphQLFieldResolver,
	type GraphQLInterfaceType,
	GraphQLObjectType,
	GraphQLScalarType,
	type GraphQLSchema,
	Kind,
	parse,
	type ValueNode,
	validate,
} from "graphql";
import {
	isReference,
	queryFieldNames,
	type SubgraphSchema,
	toSnakeCase,
} from "../schema/index.ts";
import type { QueryStore } from "../store/index.ts";
import {
	idSqlType,
	idText,
	quoteIdent,
	selectColumns,
	type Table,
} from "../store/layout.ts";
import type {
	BlockPtr,
	Entity,
	EntityStore,
	SchemaField,
	Value,
} from "../store/types.ts";
import { type ApiSchema, buildApiSchema, type TypeApi } from "./api-schema.ts";
import { QueryError, valueParseError } from "./errors.ts";
import {
	atBlock,
	derivedMatch,
	Params,
	type SqlContext,
	sortKeySql,
	tablesFor,
	whereSql,
} from "./sql.ts";

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
	/** graph-node's GRAPH_GRAPHQL_MAX_FIRST (default 1000). */
	maxFirst?: number;
	/** graph-node's GRAPH_GRAPHQL_MAX_SKIP; the hosted network's 5000 by default. */
	maxSkip?: number;
}

export interface QueryEngine {
	readonly apiSchema: GraphQLSchema;
	readonly sdl: string;
	executeQuery(
		query: string,
		variables?: Record<string, unknown> | null,
		operationName?: string | null,
	): Promise<ExecutionResult>;
}

/** A resolved entity: its type, the block it was read at, and its values. */
interface EntityObject {
	__typename: string;
	block: number;
	entity: Entity;
}

interface CollectionArgs {
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

export function createQueryEngine(options: QueryEngineOptions): QueryEngine {
	const { store, schema } = options;
	const maxFirst = options.maxFirst ?? 1000;
	const maxSkip = options.maxSkip ?? 5000;
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
		if (first < 0 || first > maxFirst)
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
	): Promise<Map<string, Entity>> {
		const out = new Map<string, Entity>();
		if (ids.length === 0) return out;
		const params = new Params();
		const arr = params.add(
			`{${ids.map((id) => `"${idText(table.idType, id).replace(/[\\"]/g, "\\$&")}"`).join(",")}}`,
			`${idSqlType(table.idType)}[]`,
		);
		const rows = await read(
			`select ${selectColumns(table, "c")} from ${table.qualified} c where c.id = any(${arr}) and ${atBlock(table, "c", block)}`,
			params,
		);
		for (const r of rows) {
			const e = store.rowToEntity(table, r);
			out.set(idString(e.get("id") as Value), e);
		}
		return out;
	}

	/**
	 * One page of entities of `typeName` (an entity type, or an interface over its implementers) at the
	 * block, filtered by `where` and by `restrict` (how a parent narrows its children), in graph-node's order.
	 */
	async function collection(
		typeName: string,
		args: CollectionArgs,
		block: number,
		restrict?: (ctx: SqlContext, t: Table, alias: string) => string,
		fulltext?: {
			column: string;
			text: string;
			algorithm: "rank" | "proximityRank";
		},
	): Promise<EntityObject[]> {
		const { first, skip } = checkRange(args);
		const typeApi = api.types.get(typeName) as TypeApi;
		const ctx = sqlContext(block);
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

		if (tables.length === 1) {
			const t = tables[0];
			const key = sortKey(t);
			const order = key ? `${key}${dir}, c.id${dir}` : `c.id${dir}`;
			const rows = await read(
				`${branch(t, selectColumns(t, "c"))} order by ${order} limit ${first} offset ${skip}`,
				ctx.params,
			);
			return rows.map((r) => ({
				__typename: t.entity,
				block,
				entity: store.rowToEntity(t, r),
			}));
		}
		const hasKey = tables.length > 0 && sortKey(tables[0]) !== null;
		const union = tables
			.map((t) =>
				branch(
					t,
					`'${t.entity}' as typename, c.id as id, c.id::text as id_text${hasKey ? `, ${sortKey(t)} as sort_key` : ""}`,
				),
			)
			.join(" union all ");
		if (!union) return [];
		const order = hasKey ? `sort_key${dir}, id${dir}` : `id${dir}`;
		const picks = await read(
			`select typename, id_text from (${union}) u order by ${order} limit ${first} offset ${skip}`,
			ctx.params,
		);
		const byType = new Map<string, string[]>();
		for (const p of picks) {
			const t = store.layout.tables.get(p.typename as string) as Table;
			const id =
				t.idType === "Bytes"
					? `0x${(p.id_text as string).slice(2)}`
					: (p.id_text as string);
			byType.set(t.entity, [...(byType.get(t.entity) ?? []), id]);
		}
		const loaded = new Map<string, Map<string, Entity>>();
		for (const [type, ids] of byType)
			loaded.set(
				type,
				await loadByIds(store.layout.tables.get(type) as Table, ids, block),
			);
		return picks.map((p) => {
			const t = store.layout.tables.get(p.typename as string) as Table;
			const id =
				t.idType === "Bytes"
					? `0x${(p.id_text as string).slice(2)}`
					: (p.id_text as string);
			return {
				__typename: t.entity,
				block,
				entity: loaded.get(t.entity)?.get(id) as Entity,
			};
		});
	}

	async function byId(
		typeName: string,
		id: string,
		block: number,
	): Promise<EntityObject | null> {
		const ctx = sqlContext(block);
		for (const t of tablesFor(ctx, typeName)) {
			if (t.idType === "Bytes") {
				if (!/^(0x)?([0-9a-fA-F]{2})*$/.test(id))
					throw valueParseError("Bytes", id);
			} else if (t.idType === "Int8" && !/^[+-]?\d+$/.test(id))
				throw valueParseError("Int8", id);
			const e = (await loadByIds(t, [id], block)).values().next().value;
			if (e) return { __typename: t.entity, block, entity: e };
		}
		return null;
	}

	/**
	 * Loads the references of one query in batches: graphql-js calls the resolvers of every row of a
	 * list before awaiting any, so ids collected until the next microtask become one SQL query per type.
	 */
	class ReferenceLoader {
		private readonly pending = new Map<
			string,
			{ ids: Set<string>; loaded: Promise<Map<string, EntityObject>> }
		>();
		load(
			typeName: string,
			id: string,
			block: number,
		): Promise<EntityObject | null> {
			const key = `${typeName}@${block}`;
			let batch = this.pending.get(key);
			if (!batch) {
				const ids = new Set<string>();
				const loaded = Promise.resolve().then(async () => {
					this.pending.delete(key);
					const found = new Map<string, EntityObject>();
					for (const t of tablesFor(sqlContext(block), typeName))
						for (const [k, entity] of await loadByIds(t, [...ids], block))
							if (!found.has(k))
								found.set(k, { __typename: t.entity, block, entity });
					return found;
				});
				batch = { ids, loaded };
				this.pending.set(key, batch);
			}
			batch.ids.add(id);
			return batch.loaded.then((found) => found.get(id) ?? null);
		}
	}

	const queryType = gql.getQueryType() as GraphQLObjectType;
	const queryFields = queryType.getFields();
	const typeNames = [...schema.entities.keys(), ...schema.interfaces.keys()];
	for (const name of typeNames) {
		const { single, plural } = queryFieldNames(name);
		queryFields[single].resolve = async (_root, args) => {
			const block = await resolveBlock(args.block);
			return byId(name, String(args.id), block.number);
		};
		queryFields[plural].resolve = async (_root, args) => {
			const block = await resolveBlock(args.block);
			return collection(name, args, block.number);
		};
	}
	for (const ft of schema.fulltext) {
		queryFields[ft.name].resolve = async (_root, args) => {
			const block = await resolveBlock(args.block);
			const column = toSnakeCase(ft.name);
			return collection(ft.entity, args, block.number, undefined, {
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
	): GraphQLFieldResolver<EntityObject, { references: ReferenceLoader }> => {
		// scalars resolve synchronously: no promise per field of every row
		if (!isReference(schema, field))
			return (parent) => toJson(parent.entity.get(field.name));
		return async (parent, args, context) => {
			const block = parent.block;
			const parentType = store.layout.tables.get(parent.__typename) as Table;
			// the parent's own field definition (an interface field may be derived in one implementer only)
			const own = (schema.entities
				.get(parent.__typename)
				?.fieldsByName.get(field.name) ?? field) as SchemaField;
			if (own.derivedFrom === undefined) {
				const v = parent.entity.get(own.name);
				if (!v || v.kind === "Null") return own.list ? [] : null;
				if (!own.list)
					return context.references.load(own.type, idString(v), block);
				const ids = (v as Extract<Value, { kind: "Array" }>).value;
				return collection(own.type, args, block, (ctx, t, alias) => {
					if (ids.length === 0) return "false";
					const texts = ids.map(
						(x) =>
							`"${idText(t.idType, idString(x)).replace(/[\\"]/g, "\\$&")}"`,
					);
					return `${alias}.id = any(${ctx.params.add(`{${texts.join(",")}}`, `${idSqlType(t.idType)}[]`)})`;
				});
			}
			const parentId = idString(parent.entity.get("id") as Value);
			const restrict = (ctx: SqlContext, t: Table, alias: string) =>
				derivedMatch(
					t,
					alias,
					own.derivedFrom as string,
					ctx.params.add(
						idText(parentType.idType, parentId),
						idSqlType(parentType.idType),
					),
				);
			if (own.list) return collection(own.type, args, block, restrict);
			const found = await collection(own.type, { first: 2 }, block, restrict);
			if (found.length > 1)
				throw new QueryError(
					`Ambiguous result for derived field \`${own.name}\`: Multiple \`${own.type}\` entities refer back via \`${own.derivedFrom}\``,
				);
			return found[0] ?? null;
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
			const prepared = prepare(query);
			const result = Array.isArray(prepared)
				? { errors: prepared }
				: await execute({
						schema: gql,
						document: prepared as DocumentNode,
						variableValues: variables ?? undefined,
						operationName,
						contextValue: { references: new ReferenceLoader() },
					});
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
		},
	};
}
