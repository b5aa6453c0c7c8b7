/** A query error with graph-node's message text (graph/src/data/query/error.rs). */
export class QueryError extends Error {
	override name = "QueryError";
}

/** graph-node's `ValueParseError`: "Failed to decode `<type>` value: `<detail>`". */
export function valueParseError(type: string, detail: string): QueryError {
	return new QueryError(`Failed to decode \`${type}\` value: \`${detail}\``);
}

/** A limit read from graph-node's environment variables that graph-node would refuse to start with. */
export class QueryLimitsError extends Error {
	override name = "QueryLimitsError";
}

/**
 * graph-node's `GRAPH_GRAPHQL_MAX_FIRST` (default 1000) and `GRAPH_GRAPHQL_MAX_SKIP` (default, also when
 * set but empty, u32::MAX = 4294967295): unsigned 32-bit integers, as graph-node's env config parses them.
 */
export function limitsFromEnv(env: Record<string, string | undefined> = process.env): {
	maxFirst: number;
	maxSkip: number;
	/** `GRAPH_QUERY_CACHE_BLOCKS` (default 2): 0 turns the query cache off. */
	queryCacheBlocks: number;
} {
	const read = (name: string, fallback: number, emptyIsDefault: boolean) => {
		const raw = env[name];
		if (raw === undefined || (emptyIsDefault && raw === "")) return fallback;
		const n = /^\+?\d+$/.test(raw) ? Number(raw.replace(/^\+/, "")) : Number.NaN;
		if (!Number.isSafeInteger(n) || n > 4294967295)
			throw new QueryLimitsError(
				`${name}=${JSON.stringify(raw)} is not an unsigned 32-bit integer (graph-node would not start with it)`,
			);
		return n;
	};
	return {
		maxFirst: read("GRAPH_GRAPHQL_MAX_FIRST", 1000, false),
		maxSkip: read("GRAPH_GRAPHQL_MAX_SKIP", 4294967295, true),
		queryCacheBlocks: read("GRAPH_QUERY_CACHE_BLOCKS", 2, false),
	};
}
