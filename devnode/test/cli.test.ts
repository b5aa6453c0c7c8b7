import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tokensChain } from "./helpers/chain.ts";

const CLI = join(import.meta.dirname, "..", "src", "cli.ts");

describe("devnode CLI", () => {
	const cleanups: (() => Promise<void> | void)[] = [];
	afterAll(async () => {
		for (const f of cleanups.reverse()) await f();
	});

	it("prints usage with --help and refuses missing options", () => {
		const help = spawnSync(process.execPath, [CLI, "--help"], {
			encoding: "utf8",
		});
		expect(help.status).toBe(0);
		expect(help.stdout).toMatch(/^Usage: devnode --subgraph <dir> --rpc <url>/);
		const missing = spawnSync(process.execPath, [CLI, "--subgraph", "x"], {
			encoding: "utf8",
		});
		expect(missing.status).toBe(2);
		expect(missing.stderr).toMatch(/^devnode: --rpc is required/);
	});

	it("follows a JSON-RPC URL, prints progress, serves GraphQL and stops on SIGINT", async () => {
		const chain = await tokensChain();
		cleanups.push(() => chain.close());
		const me = chain.wallet.account.address.toLowerCase();
		const head = await chain.tokenTx("mint", me, 9n);
		// An HTTP JSON-RPC endpoint in front of the in-process chain, as `hardhat node` would offer.
		const rpc: Server = createServer(async (req, res) => {
			const chunks: Buffer[] = [];
			for await (const c of req) chunks.push(c as Buffer);
			const { id, method, params } = JSON.parse(
				Buffer.concat(chunks).toString("utf8"),
			);
			try {
				const result = await chain.provider.request({ method, params });
				res.end(JSON.stringify({ jsonrpc: "2.0", id, result }));
			} catch (e) {
				const err = e as { code?: number; message: string };
				res.end(
					JSON.stringify({
						jsonrpc: "2.0",
						id,
						error: { code: err.code ?? -32000, message: err.message },
					}),
				);
			}
		});
		await new Promise<void>((r) => rpc.listen(0, "127.0.0.1", r));
		cleanups.push(() => new Promise<void>((r) => rpc.close(() => r())));
		const rpcUrl = `http://127.0.0.1:${(rpc.address() as AddressInfo).port}`;

		const child: ChildProcess = spawn(
			process.execPath,
			[
				CLI,
				"--subgraph",
				chain.buildDir,
				"--rpc",
				rpcUrl,
				"--port",
				"0",
				"--poll",
				"50",
			],
			{
				stdio: ["ignore", "pipe", "pipe"],
			},
		);
		cleanups.push(() => {
			if (child.exitCode === null) child.kill("SIGKILL");
		});
		let out = "";
		child.stdout?.on("data", (d) => {
			out += d;
		});
		const waitFor = async (pattern: RegExp) => {
			for (let i = 0; i < 2400 && !pattern.test(out); i++)
				await new Promise((r) => setTimeout(r, 50));
			return pattern.exec(out);
		};
		const serving = await waitFor(/serving (http:\/\/\S+)/);
		expect(serving, out).not.toBeNull();
		await waitFor(new RegExp(`block ${head} of ${head} .* synced`));
		expect(out).toMatch(/events · \d+ entities written/);
		const res = await fetch(serving?.[1] as string, {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ query: "{ accounts { id balance } }" }),
		});
		expect(await res.json()).toEqual({
			data: { accounts: [{ id: me, balance: "9" }] },
		});

		child.kill("SIGINT");
		const code = await new Promise((r) => child.once("exit", r));
		expect(code).toBe(0);
		expect(out).toMatch(/devnode: stopping/);
	}, 240_000);
});
