/** graph-node's HTTP query endpoint: POST or GET at `/subgraphs/name/<name>`, with CORS. */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
	createQueryEngine,
	type QueryEngine,
	type QueryEngineOptions,
} from "./execute.ts";

export type QueryHandler = ((
	req: IncomingMessage,
	res: ServerResponse,
) => void) & {
	executeQuery: QueryEngine["executeQuery"];
	/** The path the handler answers, `/subgraphs/name/<name>`. */
	path: string;
};

const CORS = {
	"access-control-allow-origin": "*",
	"access-control-allow-headers": "Content-Type, User-Agent, Authorization",
	"access-control-allow-methods": "GET, OPTIONS, POST",
};

function send(res: ServerResponse, status: number, body: unknown): void {
	res.writeHead(status, { ...CORS, "content-type": "application/json" });
	res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const c of req) chunks.push(c as Buffer);
	return Buffer.concat(chunks).toString("utf8");
}

interface QueryRequest {
	query?: unknown;
	variables?: unknown;
	operationName?: unknown;
}

/** A Node HTTP handler serving the subgraph's GraphQL API; also exposes `executeQuery` for in-process use. */
export function createQueryHandler(options: QueryEngineOptions): QueryHandler {
	const engine = createQueryEngine(options);
	const path = `/subgraphs/name/${options.name}`;
	const handler = (req: IncomingMessage, res: ServerResponse) => {
		void (async () => {
			const url = new URL(req.url ?? "/", "http://localhost");
			if (url.pathname.replace(/\/$/, "") !== path)
				return send(res, 404, {
					errors: [{ message: `No subgraph at ${url.pathname}` }],
				});
			if (req.method === "OPTIONS") {
				// browsers then skip the preflight of later queries (Chromium keeps it at most 2 h)
				res.writeHead(204, { ...CORS, "access-control-max-age": "7200" });
				return res.end();
			}
			let body: QueryRequest;
			if (req.method === "POST") {
				try {
					body = JSON.parse(await readBody(req)) as QueryRequest;
				} catch {
					return send(res, 400, {
						errors: [{ message: "The request body is not valid JSON" }],
					});
				}
			} else if (req.method === "GET") {
				const vars = url.searchParams.get("variables");
				try {
					body = {
						query: url.searchParams.get("query") ?? undefined,
						variables: vars ? JSON.parse(vars) : undefined,
						operationName: url.searchParams.get("operationName") ?? undefined,
					};
				} catch {
					return send(res, 400, {
						errors: [
							{ message: "The `variables` parameter is not valid JSON" },
						],
					});
				}
			} else {
				return send(res, 405, {
					errors: [{ message: `Method ${req.method} is not allowed` }],
				});
			}
			if (typeof body.query !== "string")
				return send(res, 400, { errors: [{ message: "The query is empty" }] });
			const text = await engine.executeQueryJson(
				body.query,
				(body.variables as Record<string, unknown> | null) ?? undefined,
				typeof body.operationName === "string" ? body.operationName : undefined,
			);
			res.writeHead(200, { ...CORS, "content-type": "application/json" });
			res.end(text);
		})().catch((e: unknown) =>
			send(res, 500, { errors: [{ message: (e as Error).message }] }),
		);
	};
	return Object.assign(handler, { executeQuery: engine.executeQuery, path });
}
