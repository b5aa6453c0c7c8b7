/**
 * Follows a chain by polling and runs the subgraph's handlers block by block: logs matched by
 * address and topic0, handlers in log-index order across data sources, templates instantiated by
 * `dataSource.create` (and run over the rest of their creation block), one atomic commit per block,
 * graph-node's failure semantics, and rollback when the chain rewinds.
 */
import {
	type Abi,
	type AbiFunction,
	decodeAbiParameters,
	decodeFunctionResult,
	encodeAbiParameters,
	encodeFunctionData,
} from "viem";
import type {
	BlockPtr,
	DataSourceRecord,
	Entity,
	EntityStore,
} from "../store/types.ts";
import { EntityCache, type ValidateEntity } from "./entity-cache.ts";
import {
	canonicalType,
	type EthereumValue,
	type EventParam,
	fromAbiValue,
	HexCache,
	parameterOfType,
	type RpcBlock,
	type RpcLog,
	type RpcTransaction,
	toAbiValue,
	typeOfValue,
	writeEvent,
} from "./ethereum.ts";
import {
	type EthereumCallRequest,
	type HostContext,
	type LogLevel,
	PossibleReorgError,
} from "./host.ts";
import type { DataSourceSpec, EventHandler, Manifest } from "./manifest.ts";
import {
	type Rpc,
	RpcError,
	RpcUnavailableError,
	StoppedError,
} from "./rpc.ts";
import type { SchemaIndex } from "./schema-index.ts";
import { runHandler } from "./trigger.ts";

export interface FatalError {
	message: string;
	handler: string | null;
	block: { number: number; hash: string | null };
}

export interface IndexerStatus {
	health: "healthy" | "failed";
	/** True once the last poll found nothing newer on the chain. */
	synced: boolean;
	latestBlock: BlockPtr | null;
	chainHeadBlock: number | null;
	fatalError: FatalError | null;
	eventsProcessed: number;
	entitiesWritten: number;
	/** Set while the RPC is unreachable. */
	rpcError: string | null;
	rewinds: number;
}

export interface IndexerOptions {
	manifest: Manifest;
	store: EntityStore;
	schema: SchemaIndex;
	validate: ValidateEntity;
	rpc: Rpc;
	pollIntervalMs: number;
	/** Blocks per eth_getLogs request. */
	batchSize?: number;
	onLog?(level: LogLevel, message: string, dataSource: string): void;
	onBlock?(status: IndexerStatus): void;
}

interface ActiveSource {
	spec: DataSourceSpec;
	address: string | undefined;
	addressBytes: Uint8Array;
	context: Entity | null;
	/** Earliest block it sees: startBlock, or its creation block for template instances. */
	fromBlock: number;
}

const toHex = (n: number) => `0x${n.toString(16)}`;
const bytes = (hex: string) =>
	Uint8Array.from(Buffer.from(hex.replace(/^0x/, ""), "hex"));
const hexOf = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}`;
const ZERO_HASH = `0x${"0".repeat(64)}` as const;

/** A deterministic failure of a handler, with graph-node's message. */
class HandlerFailure extends Error {
	readonly handler: string;
	constructor(message: string, handler: string) {
		super(message);
		this.handler = handler;
	}
}

export class Indexer {
	private readonly o: IndexerOptions;
	private readonly cache: EntityCache;
	private readonly templates: Map<string, DataSourceSpec>;
	private sources: ActiveSource[] = [];
	private stopped = false;
	private loop: Promise<void> | null = null;
	private wake: (() => void) | null = null;
	private waiters: {
		block: number;
		resolve: () => void;
		reject: (e: Error) => void;
	}[] = [];
	readonly status: IndexerStatus = {
		health: "healthy",
		synced: false,
		latestBlock: null,
		chainHeadBlock: null,
		fatalError: null,
		eventsProcessed: 0,
		entitiesWritten: 0,
		rpcError: null,
		rewinds: 0,
	};

	constructor(options: IndexerOptions) {
		this.o = options;
		this.cache = new EntityCache(
			options.store,
			options.validate,
			(t) => options.schema.entity(t).immutable,
		);
		this.templates = new Map(
			options.manifest.templates.map((t) => [t.name, t]),
		);
	}

	get isStopped(): boolean {
		return this.stopped;
	}

	async start(): Promise<void> {
		this.status.latestBlock = await this.o.store.head();
		if (this.status.latestBlock === null) this.cache.markComplete();
		const fatal = await this.o.store.fatalError();
		if (fatal) {
			this.status.health = "failed";
			this.status.fatalError = {
				message: fatal.message,
				handler: null,
				block: { number: fatal.blockNumber, hash: null },
			};
		}
		await this.loadSources();
		this.loop = this.run();
	}

	async stop(): Promise<void> {
		this.stopped = true;
		this.wake?.();
		await this.loop;
		for (const w of this.waiters) w.reject(new StoppedError());
		this.waiters = [];
	}

	/** Resolves once block `n` is indexed; rejects if the subgraph fails first. */
	waitForBlock(n: number, timeoutMs = 60_000): Promise<void> {
		if ((this.status.latestBlock?.number ?? -1) >= n) return Promise.resolve();
		if (this.status.fatalError)
			return Promise.reject(new IndexingFailedError(this.status.fatalError));
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				this.waiters = this.waiters.filter((w) => w !== waiter);
				reject(
					new Error(
						`devnode did not reach block ${n} within ${timeoutMs} ms (at ${this.status.latestBlock?.number ?? "none"})`,
					),
				);
			}, timeoutMs);
			const waiter = {
				block: n,
				resolve: () => {
					clearTimeout(timer);
					resolve();
				},
				reject: (e: Error) => {
					clearTimeout(timer);
					reject(e);
				},
			};
			this.waiters.push(waiter);
			this.wake?.();
		});
	}

	private notify(): void {
		const at = this.status.latestBlock?.number ?? -1;
		this.waiters = this.waiters.filter((w) => {
			if (w.block <= at) w.resolve();
			else if (this.status.fatalError)
				w.reject(new IndexingFailedError(this.status.fatalError));
			else return true;
			return false;
		});
		this.o.onBlock?.(this.status);
	}

	/** Reaching the chain head is news too: progress output and waiters hear of it. */
	private setSynced(synced: boolean): void {
		if (this.status.synced === synced) return;
		this.status.synced = synced;
		if (synced) this.notify();
	}

	private async loadSources(): Promise<void> {
		this.sources = this.o.manifest.dataSources.map((spec) => ({
			spec,
			address: spec.address,
			addressBytes: spec.address ? bytes(spec.address) : new Uint8Array(20),
			context: spec.context,
			fromBlock: spec.startBlock,
		}));
		for (const record of await this.o.store.dataSources())
			this.sources.push(this.instantiate(record));
	}

	private instantiate(record: DataSourceRecord): ActiveSource {
		const spec = this.templates.get(record.template);
		if (!spec)
			throw new Error(
				`data source template \`${record.template}\` is not in the manifest`,
			);
		const address = record.params[0]?.toLowerCase();
		if (!address || !/^0x[0-9a-f]{40}$/.test(address))
			throw new HandlerFailure(
				`Invalid address provided to template ${record.template}: \`${record.params[0]}\``,
				"",
			);
		return {
			spec,
			address,
			addressBytes: bytes(address),
			context: record.context,
			fromBlock: record.createdAtBlock,
		};
	}

	private async run(): Promise<void> {
		while (!this.stopped) {
			let caughtUp = true;
			if (this.status.health === "healthy") {
				try {
					caughtUp = await this.step();
				} catch (e) {
					if (e instanceof StoppedError) break;
					// Transient: a reorg in progress or an RPC error; the block is retried on the next poll.
					this.o.onLog?.(
						"warning",
						`retrying after: ${(e as Error).message}`,
						"devnode",
					);
				}
			}
			if (caughtUp || this.status.health === "failed") {
				await new Promise<void>((resolve) => {
					this.wake = resolve;
					setTimeout(resolve, this.o.pollIntervalMs);
				});
				this.wake = null;
			}
		}
	}

	private get startBlock(): number {
		return Math.min(
			...this.o.manifest.dataSources.map((d) => d.startBlock),
			Number.MAX_SAFE_INTEGER,
		);
	}

	/** One poll: detect a rewind, then index the next batch of blocks. Returns true when caught up. */
	private async step(): Promise<boolean> {
		const rpc = this.o.rpc;
		const chainHead = Number(await rpc.call<string>("eth_blockNumber"));
		this.status.chainHeadBlock = chainHead;
		let head = await this.o.store.head();
		if (head && (await this.rewound(head))) {
			head = await this.o.store.head();
			this.status.latestBlock = head;
			this.notify();
		}
		const from = head ? head.number + 1 : this.startBlock;
		if (from > chainHead) {
			this.setSynced(true);
			return true;
		}
		this.setSynced(false);
		const to = Math.min(chainHead, from + (this.o.batchSize ?? 500) - 1);
		const logs = await this.fetchLogs(from, to);
		const byBlock = new Map<number, RpcLog[]>();
		for (const log of logs) {
			if (log.removed) continue;
			const n = Number(log.blockNumber);
			const list = byBlock.get(n);
			if (list) list.push(log);
			else byBlock.set(n, [log]);
		}
		let previous = head;
		for (const n of [...byBlock.keys()].sort((a, b) => a - b)) {
			const block = await rpc.call<RpcBlock | null>("eth_getBlockByNumber", [
				toHex(n),
				true,
			]);
			const blockLogs = byBlock.get(n) ?? [];
			if (!block || block.hash !== blockLogs[0].blockHash)
				throw new PossibleReorgError(
					`block ${n} changed while it was being read`,
				);
			if (
				previous &&
				previous.number === n - 1 &&
				previous.hash !== block.parentHash
			)
				throw new PossibleReorgError(
					`block ${n} does not follow block ${n - 1}`,
				);
			if (!(await this.processBlock(block, blockLogs))) return true;
			previous = this.status.latestBlock;
			if (this.stopped) return true;
		}
		if ((this.status.latestBlock?.number ?? -1) < to) {
			const block = await rpc.call<RpcBlock | null>("eth_getBlockByNumber", [
				toHex(to),
				false,
			]);
			if (!block)
				throw new PossibleReorgError(
					`block ${to} disappeared while it was being read`,
				);
			if (
				previous &&
				previous.number === to - 1 &&
				previous.hash !== block.parentHash
			)
				throw new PossibleReorgError(
					`block ${to} does not follow block ${to - 1}`,
				);
			const ptr = pointerOf(block);
			await this.o.store.transactBlock(ptr, []);
			this.status.latestBlock = ptr;
			this.notify();
		}
		const caughtUp = to === chainHead && this.status.health === "healthy";
		if (caughtUp) this.setSynced(true);
		return caughtUp;
	}

	private async fetchLogs(from: number, to: number): Promise<RpcLog[]> {
		const topics = new Set<string>();
		for (const spec of [
			...this.o.manifest.dataSources,
			...this.o.manifest.templates,
		])
			for (const h of spec.eventHandlers) topics.add(h.topic0);
		if (topics.size === 0) return [];
		const filter: Record<string, unknown> = {
			fromBlock: toHex(from),
			toBlock: toHex(to),
			topics: [[...topics]],
		};
		// Without templates the addresses are known up front, so the node can filter by them too.
		const addresses = this.o.manifest.dataSources.map((d) => d.address);
		if (this.templates.size === 0 && addresses.every((a) => a !== undefined))
			filter.address = [...new Set(addresses)];
		return this.o.rpc.call<RpcLog[]>("eth_getLogs", [filter]);
	}

	/** Is the stored head still on the chain? If not, roll back to the last block both agree on. */
	private async rewound(head: BlockPtr): Promise<boolean> {
		const rpc = this.o.rpc;
		const onChain = await rpc.call<RpcBlock | null>("eth_getBlockByNumber", [
			toHex(head.number),
			false,
		]);
		if (onChain && onChain.hash === head.hash) return false;
		let target: BlockPtr | null = null;
		for (let n = head.number - 1; n >= 0 && !target; n--) {
			const stored = await this.o.store.blockPtr(n);
			if (!stored) continue;
			const block = await rpc.call<RpcBlock | null>("eth_getBlockByNumber", [
				toHex(n),
				false,
			]);
			if (block && block.hash === stored.hash) target = stored;
		}
		const to = target ?? {
			number: this.startBlock - 1,
			hash: ZERO_HASH,
			timestamp: 0,
		};
		this.o.onLog?.(
			"info",
			`chain rewound below block ${head.number}; reverting the store to block ${to.number}`,
			"devnode",
		);
		await this.o.store.revertTo(to);
		this.cache.reset();
		if (!target) this.cache.markComplete();
		await this.loadSources();
		this.status.rewinds += 1;
		return true;
	}

	/** Runs every trigger of one block and commits it. Returns false when the subgraph failed. */
	private async processBlock(
		block: RpcBlock,
		logs: RpcLog[],
	): Promise<boolean> {
		const ptr = pointerOf(block);
		const number = ptr.number;
		const txs = new Map(
			(block.transactions as RpcTransaction[]).map((t) => [t.hash, t]),
		);
		const sorted = [...logs].sort(
			(a, b) => Number(a.logIndex) - Number(b.logIndex),
		);
		const created: DataSourceRecord[] = [];
		const hex = new HexCache();
		let pending: DataSourceRecord[] = [];
		let events = 0;

		const runFor = async (sources: ActiveSource[]) => {
			for (const log of sorted) {
				for (const source of sources) {
					if (source.fromBlock > number) continue;
					if (
						source.address !== undefined &&
						source.address !== log.address.toLowerCase()
					)
						continue;
					for (const handler of source.spec.eventHandlers) {
						if (handler.topic0 !== log.topics[0]?.toLowerCase()) continue;
						const tx = txs.get(log.transactionHash);
						if (!tx)
							throw new PossibleReorgError(
								`transaction ${log.transactionHash} is not in block ${number}`,
							);
						await this.runEventHandler(
							source,
							handler,
							block,
							tx,
							log,
							hex,
							(record) => pending.push({ ...record, createdAtBlock: number }),
						);
						events += 1;
					}
				}
			}
		};

		try {
			await runFor(this.sources);
			const added: ActiveSource[] = [];
			while (pending.length > 0) {
				const round = pending.map((r) => this.instantiate(r));
				created.push(...pending);
				pending = [];
				added.push(...round);
				await runFor(round);
			}
			const changes = this.cache.changes();
			await this.o.store.transactBlock(ptr, changes, created);
			this.cache.commitBlock();
			this.sources.push(...added);
			this.status.eventsProcessed += events;
			this.status.entitiesWritten += changes.length;
			this.status.latestBlock = ptr;
			this.notify();
			return true;
		} catch (e) {
			if (
				e instanceof PossibleReorgError ||
				e instanceof RpcUnavailableError ||
				e instanceof StoppedError
			) {
				this.cache.discardBlock();
				throw e;
			}
			this.cache.reset();
			await this.fail(e as Error, ptr);
			return false;
		}
	}

	private async fail(error: Error, block: BlockPtr): Promise<void> {
		const handler =
			error instanceof HandlerFailure && error.handler !== ""
				? error.handler
				: null;
		const fatal: FatalError = {
			message: error.message,
			handler,
			block: { number: block.number, hash: block.hash },
		};
		await this.o.store.setFatalError(error.message, block.number);
		this.status.health = "failed";
		this.status.fatalError = fatal;
		this.o.onLog?.(
			"critical",
			`subgraph failed: ${describeFatalError(fatal)}`,
			"devnode",
		);
		this.notify();
	}

	private async runEventHandler(
		source: ActiveSource,
		handler: EventHandler,
		block: RpcBlock,
		tx: RpcTransaction,
		log: RpcLog,
		hex: HexCache,
		onCreate: (record: Omit<DataSourceRecord, "createdAtBlock">) => void,
	): Promise<void> {
		const params = decodeEventParams(handler, log);
		const blockNumber = Number(block.number);
		const ctx: Omit<HostContext, "heap"> = {
			cache: this.cache,
			schema: this.o.schema,
			block: { number: blockNumber, timestamp: BigInt(block.timestamp) },
			apiVersion: source.spec.apiVersion,
			dataSource: {
				name: source.spec.name,
				network: source.spec.network,
				address: source.addressBytes,
				context: source.context,
				templates: [...this.templates.keys()],
			},
			ethereumCall: (call) =>
				this.ethereumCall(source.spec.abis, call, blockNumber),
			ethereumGetBalance: async (address) =>
				BigInt(
					await this.o.rpc.call<string>("eth_getBalance", [
						hexOf(address),
						toHex(blockNumber),
					]),
				),
			ethereumHasCode: async (address) =>
				(await this.o.rpc.call<string>("eth_getCode", [
					hexOf(address),
					toHex(blockNumber),
				])) !== "0x",
			encode: encodeValue,
			decode: decodeValue,
			createDataSource: (template, p, context) =>
				onCreate({ template, params: p, context }),
			log: (level, message) => this.o.onLog?.(level, message, source.spec.name),
		};
		try {
			await runHandler(
				source.spec.module,
				source.spec.mutableGlobals,
				handler.handler,
				ctx,
				(heap) => writeEvent(heap, log, block, tx, params, hex),
			);
		} catch (e) {
			if (
				e instanceof PossibleReorgError ||
				e instanceof RpcUnavailableError ||
				e instanceof StoppedError
			)
				throw e;
			// graph-node: the error with the trigger's context (`transaction <hash>`), then handler and block apart.
			const message = `transaction ${log.transactionHash.replace(/^0x/, "")}: ${wasmErrorMessage(e)}`;
			throw new HandlerFailure(message, handler.handler);
		}
	}

	/** ethereum.call: graph-node's MappingABI lookup, then eth_call at the trigger's block; null on revert. */
	private async ethereumCall(
		abis: Map<string, Abi>,
		call: EthereumCallRequest,
		blockNumber: number,
	): Promise<EthereumValue[] | null> {
		const abi = abis.get(call.contractName);
		if (!abi) {
			throw new HandlerFailure(
				`Could not find ABI for contract "${call.contractName}", try adding it to the 'abis' section of the subgraph manifest`,
				"",
			);
		}
		const fn = findFunction(abi, call);
		let data: `0x${string}`;
		try {
			data = encodeFunctionData({
				abi: [fn],
				functionName: fn.name,
				args: fn.inputs.map((input, i) =>
					toAbiValue(canonicalType(input), call.args[i]),
				) as never,
			});
		} catch (e) {
			throw new HandlerFailure(
				`Failed to call function "${call.functionName}" of contract "${call.contractName}": ${(e as Error).message}`,
				"",
			);
		}
		let result: `0x${string}`;
		try {
			result = await this.o.rpc.call<`0x${string}`>("eth_call", [
				{ to: hexOf(call.address), data },
				toHex(blockNumber),
			]);
		} catch (e) {
			if (e instanceof RpcError && isRevert(e)) return null;
			if (e instanceof RpcError) {
				throw new PossibleReorgError(
					`Ethereum node returned an error when calling function "${call.functionName}" of contract "${call.contractName}": ${e.message}`,
				);
			}
			throw e;
		}
		if (result === "0x" && fn.outputs.length > 0) return null;
		const decoded = decodeFunctionResult({
			abi: [fn],
			functionName: fn.name,
			data: result,
		}) as unknown;
		const values = fn.outputs.length === 1 ? [decoded] : (decoded as unknown[]);
		return fn.outputs.map((out, i) => fromAbiValue(out, values[i]));
	}
}

export class IndexingFailedError extends Error {
	readonly fatalError: FatalError;
	constructor(fatal: FatalError) {
		super(`subgraph failed: ${describeFatalError(fatal)}`);
		this.name = "IndexingFailedError";
		this.fatalError = fatal;
	}
}

/** graph-node's SubgraphError Display: message, then handler and block. */
export function describeFatalError(fatal: FatalError): string {
	const handler = fatal.handler ? ` in handler \`${fatal.handler}\`` : "";
	const block = fatal.block.hash
		? ` at block #${fatal.block.number} (${fatal.block.hash.replace(/^0x/, "")})`
		: ` at block #${fatal.block.number}`;
	return `${fatal.message}${handler}${block}`;
}

function pointerOf(block: RpcBlock): BlockPtr {
	return {
		number: Number(block.number),
		hash: block.hash,
		timestamp: Number(block.timestamp),
	};
}

function wasmErrorMessage(e: unknown): string {
	if (e instanceof WebAssembly.RuntimeError) return `wasm trap: ${e.message}`;
	return (e as Error).message ?? String(e);
}

function isRevert(e: RpcError): boolean {
	return (
		e.code === 3 ||
		/revert|invalid opcode|out of gas|VM Exception/i.test(e.message)
	);
}

function findFunction(abi: Abi, call: EthereumCallRequest): AbiFunction {
	const candidates = abi.filter(
		(x): x is AbiFunction =>
			x.type === "function" && x.name === call.functionName,
	);
	// graph-ts passes `name(inputs):(outputs)`; the inputs tell overloads apart.
	const wanted = call.functionSignature.split(":")[0];
	const fn =
		candidates.find(
			(f) => `${f.name}(${f.inputs.map(canonicalType).join(",")})` === wanted,
		) ?? (candidates.length === 1 ? candidates[0] : undefined);
	if (!fn) {
		throw new HandlerFailure(
			`Unknown function "${call.contractName}::${call.functionName}" with signature \`${call.functionSignature}\` called from WASM runtime`,
			"",
		);
	}
	return fn;
}

function decodeEventParams(handler: EventHandler, log: RpcLog): EventParam[] {
	const inputs = handler.abiEvent.inputs;
	try {
		const plain = inputs.filter((i) => !i.indexed);
		const decoded = decodeAbiParameters(plain, log.data);
		let topic = 1;
		let data = 0;
		return inputs.map((input) => {
			const name = input.name ?? "";
			if (!input.indexed)
				return { name, value: fromAbiValue(input, decoded[data++]) };
			const t = log.topics[topic++];
			// Indexed dynamic values are only present as their keccak hash.
			if (/^(string|bytes|tuple)$|\[\d*\]$/.test(input.type))
				return { name, value: { kind: "FixedBytes", value: bytes(t) } };
			return {
				name,
				value: fromAbiValue(input, decodeAbiParameters([input], t)[0]),
			};
		});
	} catch (e) {
		throw new HandlerFailure(
			`Unable to decode event \`${handler.event}\` of log ${log.logIndex}: ${(e as Error).message}`,
			handler.handler,
		);
	}
}

function encodeValue(value: EthereumValue): Uint8Array | null {
	const type = typeOfValue(value);
	if (!type) return null;
	try {
		return bytes(
			encodeAbiParameters([parameterOfType(type)], [toAbiValue(type, value)]),
		);
	} catch {
		return null;
	}
}

function decodeValue(types: string, data: Uint8Array): EthereumValue | null {
	try {
		const param = parameterOfType(types.trim());
		const [value] = decodeAbiParameters([param], hexOf(data) as `0x${string}`);
		return fromAbiValue(param, value);
	} catch {
		return null;
	}
}
