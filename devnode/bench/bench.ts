/**
 * `npm run bench -w devnode [-- --json]`: indexes 20,000 Deposited events of the tokens fixture on
 * Hardhat's in-process chain (events/s), then runs a where + orderBy + first: 100 query over the
 * 10,000 resulting accounts 1,000 times through the HTTP endpoint (p50/p95 latency).
 */
import type {} from "@nomicfoundation/hardhat-viem";
import { network } from "hardhat";
import { startDevnode } from "../src/index.ts";
import { buildFixture } from "../test/helpers/fixtures.ts";

const EVENTS = 20_000;
const ACCOUNTS = 10_000;
const PER_TX = 500;
const QUERIES = 1_000;
const json = process.argv.includes("--json");
const say = (line: string) => !json && console.log(line);

const { buildDir, contracts } = buildFixture("tokens");
const connection = await network.connect();
const { viem, provider } = connection;
const [wallet] = await viem.getWalletClients();
const publicClient = await viem.getPublicClient();
const hash = await wallet.deployContract({
	abi: contracts.Token.abi,
	bytecode: contracts.Token.bytecode,
});
const token = (await publicClient.waitForTransactionReceipt({ hash }))
	.contractAddress as `0x${string}`;

say(`depositing ${EVENTS} times to ${ACCOUNTS} accounts…`);
let head = 0n;
for (let sent = 0; sent < EVENTS; sent += PER_TX) {
	const args = [
		BigInt(sent),
		BigInt(PER_TX),
		BigInt(ACCOUNTS),
		BigInt(sent / PER_TX + 1),
	];
	const tx = await wallet.writeContract({
		address: token,
		abi: contracts.Token.abi,
		functionName: "depositRange",
		args,
	} as never);
	head = (await publicClient.waitForTransactionReceipt({ hash: tx }))
		.blockNumber;
}

const node = await startDevnode({
	subgraphDir: buildDir,
	provider,
	port: 0,
	pollIntervalMs: 50,
	onLog: () => {},
});
const started = performance.now();
const cpuBefore = process.cpuUsage();
await node.waitForBlock(Number(head), { timeoutMs: 600_000 });
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const status = node.status();
const eventsPerSecond = Math.round(status.eventsProcessed / seconds);
// On a shared machine wall time depends on the neighbours; CPU time says what devnode itself costs.
const eventsPerCpuSecond = Math.round(
	status.eventsProcessed / ((cpu.user + cpu.system) / 1e6),
);
say(
	`indexed ${status.eventsProcessed} events (${status.entitiesWritten} entity writes) in ${seconds.toFixed(1)} s: ${eventsPerSecond} events/s (${eventsPerCpuSecond} events per CPU-second)`,
);

const query = `{ accounts(where: { balance_gt: "20", transferCount: 2 }, orderBy: balance, orderDirection: desc, first: 100) { id balance transferCount } }`;
const ask = async () => {
	const res = await fetch(node.graphqlUrl, {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: JSON.stringify({ query }),
	});
	const body = (await res.json()) as {
		data?: { accounts: unknown[] };
		errors?: unknown;
	};
	if (body.data?.accounts.length !== 100)
		throw new Error(`unexpected answer: ${JSON.stringify(body).slice(0, 300)}`);
};
for (let i = 0; i < 20; i++) await ask();
const times: number[] = [];
for (let i = 0; i < QUERIES; i++) {
	const t = performance.now();
	await ask();
	times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
const pct = (p: number) =>
	Math.round(
		times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] *
			100,
	) / 100;
const queryP50Ms = pct(50);
const queryP95Ms = pct(95);
say(
	`query (where + orderBy + first: 100 over ${ACCOUNTS} accounts) x${QUERIES}: p50 ${queryP50Ms} ms, p95 ${queryP95Ms} ms`,
);
if (json)
	console.log(JSON.stringify({ eventsPerSecond, queryP50Ms, queryP95Ms }));

await node.stop();
await connection.close();
