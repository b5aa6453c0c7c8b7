// A chain node that closes an idle keep-alive connection just as devnode reuses it is not down:
// devnode resends the read once on a new connection instead of warning "RPC … is unreachable"
// (which every `npm run dev` used to print at start, right after the deployment's burst of calls).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { httpProvider, RpcUnavailableError } from "../src/runtime/rpc.ts";

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A JSON-RPC server answering eth_chainId, resetting the connection of the requests `reset` picks. */
async function chain(reset: (n: number) => boolean) {
	let n = 0;
	const http = createServer((req, res) => {
		n++;
		if (reset(n)) {
			req.socket.resetAndDestroy();
			return;
		}
		let body = "";
		req.on("data", (c) => {
			body += c;
		});
		req.on("end", () => {
			const { id } = JSON.parse(body);
			res.setHeader("content-type", "application/json");
			res.end(JSON.stringify({ jsonrpc: "2.0", id, result: "0x7a69" }));
		});
	});
	server = http;
	await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
	return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

describe("httpProvider and connection resets", () => {
	it("resends a read once when the connection is reset, and answers", async () => {
		const url = await chain((n) => n === 1);
		await expect(httpProvider(url).request({ method: "eth_chainId" })).resolves.toBe("0x7a69");
	});

	it("still reports the node unreachable when the resend is reset too", async () => {
		const url = await chain(() => true);
		await expect(httpProvider(url).request({ method: "eth_chainId" })).rejects.toThrow(RpcUnavailableError);
	});
});
