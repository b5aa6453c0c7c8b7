/** Errors of schema parsing and entity validation; messages are graph-node's texts where graph-node has one. */

export class SchemaError extends Error {
	override name = "SchemaError";
	/** Every validation error when graph-node would report several (one per line of the message). */
	errors?: string[];
}

/** A schema uses a graph-node feature this indexer refuses rather than emulating it differently. */
export class UnsupportedSchemaFeatureError extends SchemaError {
	override name = "UnsupportedSchemaFeatureError";
	readonly feature: string;
	constructor(feature: string, detail: string) {
		super(
			`schema.graphql uses ${feature}, which the devnode indexer does not support: ${detail}`,
		);
		this.feature = feature;
	}
}

/** An entity that does not fit the schema (graph-node's `EntityValidationError` and `store_set` checks). */
export class EntityValidationError extends Error {
	override name = "EntityValidationError";
}
