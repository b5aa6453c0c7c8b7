/** JSON-RPC access to the chain: an EIP-1193 provider or an HTTP URL, with retry and backoff while it is down. */

export interface Eip1193Provider {
	request(args: {
		method: string;
		params?: unknown[] | object;
	}): Promise<unknown>;
}

/** The node answered with a JSON-RPC error (a revert, a bad request): not retried. */
export class RpcError extends Error {
	readonly code: number | undefined;
	readonly data: unknown;
	constructor(message: string, code?: number, data?: unknown) {
		super(message);
		this.name = "RpcError";
		this.code = code;
		this.data = data;
	}
}

/** The node could not be reached at all: retried with backoff. */
export class RpcUnavailableError extends Error {
	constructor(message: string, options?: ErrorOptions) {
		super(message, options);
		this.name = "RpcUnavailableError";
	}
}

export class StoppedError extends Error {
	constructor() {
		super("devnode was stopped");
		this.name = "StoppedError";
	}
}

/** A kept-alive socket the server closed just as it was reused: the request never reached the node. */
const STALE_SOCKET = new Set(["ECONNRESET", "UND_ERR_SOCKET"]);

export function httpProvider(url: string): Eip1193Provider {
	let id = 0;
	const post = (payload: string) =>
		fetch(url, {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: payload,
			signal: AbortSignal.timeout(30_000),
		});
	return {
		async request({ method, params }) {
			let response: Response;
			const payload = JSON.stringify({
				jsonrpc: "2.0",
				id: ++id,
				method,
				params: params ?? [],
			});
			try {
				// A reset on a reused keep-alive connection (the node closed it while idle, e.g. after a
				// burst of deployment calls) says nothing about the node: resend once on a new connection
				// before reporting it unreachable. Every call devnode makes is a read, safe to resend.
				response = await post(payload).catch((e: { cause?: { code?: string } }) => {
					if (!STALE_SOCKET.has(e.cause?.code ?? "")) throw e;
					return post(payload);
				});
			} catch (e) {
				const cause = (e as { cause?: { code?: string; message?: string } })
					.cause;
				throw new RpcUnavailableError(
					`RPC ${url} is unreachable (${cause?.code ?? cause?.message ?? (e as Error).message})`,
					{ cause: e },
				);
			}
			if (!response.ok && response.status >= 500)
				throw new RpcUnavailableError(
					`RPC ${url} answered HTTP ${response.status}`,
				);
			const body = (await response.json()) as {
				result?: unknown;
				error?: { code: number; message: string; data?: unknown };
			};
			if (body.error)
				throw new RpcError(
					body.error.message,
					body.error.code,
					body.error.data,
				);
			return body.result;
		},
	};
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RpcOptions {
	/** Told each time a call fails to reach the node, with the wait before the next try. */
	onUnavailable(message: string, retryInMs: number): void;
	/** Told once the node answers again after being unavailable. */
	onRecovered(): void;
	isStopped(): boolean;
}

export class Rpc {
	private readonly provider: Eip1193Provider;
	private readonly options: RpcOptions;
	private down = false;

	constructor(provider: Eip1193Provider, options: RpcOptions) {
		this.provider = provider;
		this.options = options;
	}

	/** Calls once; a JSON-RPC error becomes RpcError. */
	async once<T>(method: string, params: unknown[] = []): Promise<T> {
		try {
			return (await this.provider.request({ method, params })) as T;
		} catch (e) {
			if (e instanceof RpcUnavailableError || e instanceof RpcError) throw e;
			const err = e as {
				code?: number;
				message?: string;
				data?: unknown;
				cause?: { code?: string };
			};
			if (typeof err.code === "number")
				throw new RpcError(err.message ?? String(e), err.code, err.data);
			if (
				err.cause?.code === "ECONNREFUSED" ||
				/fetch failed|ECONNREFUSED|socket hang up/i.test(err.message ?? "")
			) {
				throw new RpcUnavailableError(err.message ?? String(e), { cause: e });
			}
			throw new RpcError(err.message ?? String(e));
		}
	}

	/** Calls, retrying with exponential backoff (0.25 s up to 10 s) while the node is unreachable. */
	async call<T>(method: string, params: unknown[] = []): Promise<T> {
		let wait = 250;
		for (;;) {
			if (this.options.isStopped()) throw new StoppedError();
			try {
				const result = await this.once<T>(method, params);
				if (this.down) {
					this.down = false;
					this.options.onRecovered();
				}
				return result;
			} catch (e) {
				if (!(e instanceof RpcUnavailableError)) throw e;
				this.down = true;
				this.options.onUnavailable(e.message, wait);
				await sleep(wait);
				wait = Math.min(wait * 2, 10_000);
			}
		}
	}
}
