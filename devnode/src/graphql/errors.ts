/** A query error with graph-node's message text (graph/src/data/query/error.rs). */
export class QueryError extends Error {
	override name = "QueryError";
}

/** graph-node's `ValueParseError`: "Failed to decode `<type>` value: `<detail>`". */
export function valueParseError(type: string, detail: string): QueryError {
	return new QueryError(`Failed to decode \`${type}\` value: \`${detail}\``);
}
