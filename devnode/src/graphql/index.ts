export { type ApiSchema, buildApiSchema } from "./api-schema.ts";
export { limitsFromEnv, QueryError, QueryLimitsError } from "./errors.ts";
export {
	createQueryEngine,
	type QueryEngine,
	type QueryEngineOptions,
	type QueryStatus,
} from "./execute.ts";
export { createQueryHandler, type QueryHandler } from "./http.ts";
