/**
 * Runs one handler in a fresh WASM instance state, as graph-node does for every trigger. When a
 * module's `_start` calls no host function, the state it leaves (memory and mutable globals) is the
 * same for every trigger, so it is snapshotted once and restored before each handler instead of
 * instantiating anew; otherwise every trigger gets a new instance.
 */
import type { AscExports } from "./asc.ts";
import { AscHeap } from "./asc.ts";
import {
	ASYNC_HOST_FUNCTIONS,
	type HostContext,
	hostFunctions,
} from "./host.ts";

// JSPI: async host functions suspend the mapping until their Promise settles.
const Suspending = (
	WebAssembly as unknown as {
		Suspending: new (
			f: (...args: never[]) => unknown,
		) => WebAssembly.ImportValue;
	}
).Suspending;
const promising = (
	WebAssembly as unknown as {
		promising: (f: WasmFunction) => (...args: number[]) => Promise<unknown>;
	}
).promising;

type WasmFunction = (...args: number[]) => unknown;
type Exports = AscExports & Record<string, WasmFunction | WebAssembly.Global>;

interface Snapshot {
	exports: Exports;
	memory: Uint8Array;
	globals: WebAssembly.Global[];
	values: (number | bigint)[];
	handlers: Map<string, (...args: number[]) => Promise<unknown>>;
}

/** What every trigger of one module shares; triggers run one at a time, so the context is never shared by two. */
interface ModuleHost {
	context: HostContext;
	imports: WebAssembly.Imports;
	classIds: Map<number, number>;
	hostCalls: number;
	/** undefined until the first trigger; null when `_start` calls the host and no snapshot is possible. */
	snapshot: Snapshot | null | undefined;
}

const moduleHosts = new WeakMap<WebAssembly.Module, ModuleHost>();

function moduleHost(module: WebAssembly.Module): ModuleHost {
	const existing = moduleHosts.get(module);
	if (existing) return existing;
	const context = {} as HostContext;
	const fns = hostFunctions(context);
	const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
	const host: ModuleHost = {
		context,
		imports,
		classIds: new Map(),
		hostCalls: 0,
		snapshot: undefined,
	};
	for (const imp of WebAssembly.Module.imports(module)) {
		if (imp.kind !== "function") continue;
		const fn = fns[imp.name] as (...args: unknown[]) => unknown;
		const counted = (...args: unknown[]) => {
			host.hostCalls++;
			return fn(...args);
		};
		imports[imp.module] ??= {};
		imports[imp.module][imp.name] = (
			ASYNC_HOST_FUNCTIONS.has(imp.name) ? new Suspending(counted) : counted
		) as WebAssembly.ImportValue;
	}
	moduleHosts.set(module, host);
	return host;
}

async function instantiate(
	module: WebAssembly.Module,
	host: ModuleHost,
	ctx: Omit<HostContext, "heap">,
): Promise<Exports> {
	const exports = new WebAssembly.Instance(module, host.imports)
		.exports as unknown as Exports;
	Object.assign(host.context, ctx, {
		heap: new AscHeap(exports, host.classIds),
	});
	// apiVersion >= 0.0.5 modules are built with --explicitStart: `_start` runs the top-level code.
	if (typeof exports._start === "function")
		await promising(exports._start as WasmFunction)();
	return exports;
}

function takeSnapshot(exports: Exports, globalNames: string[]): Snapshot {
	const globals = globalNames.map(
		(name) => exports[name] as WebAssembly.Global,
	);
	return {
		exports,
		memory: new Uint8Array(exports.memory.buffer.slice(0)),
		globals,
		values: globals.map((g) => g.value),
		handlers: new Map(),
	};
}

function restore(snapshot: Snapshot): void {
	const memory = new Uint8Array(snapshot.exports.memory.buffer);
	memory.set(snapshot.memory);
	// Memory the last trigger grew into is zeroed, as a fresh instance's would be.
	if (memory.length > snapshot.memory.length)
		memory.fill(0, snapshot.memory.length);
	snapshot.globals.forEach((g, i) => {
		g.value = snapshot.values[i];
	});
}

/** Runs `handler(argument)` on a fresh instance state of `module`. */
export async function runHandler(
	module: WebAssembly.Module,
	globalNames: string[],
	handler: string,
	ctx: Omit<HostContext, "heap">,
	writeArgument: (heap: AscHeap) => number,
): Promise<void> {
	const host = moduleHost(module);
	let exports: Exports;
	if (host.snapshot) {
		restore(host.snapshot);
		exports = host.snapshot.exports;
		Object.assign(host.context, ctx, {
			heap: new AscHeap(exports, host.classIds),
		});
	} else {
		const callsBefore = host.hostCalls;
		exports = await instantiate(module, host, ctx);
		if (host.snapshot === undefined)
			host.snapshot =
				host.hostCalls === callsBefore
					? takeSnapshot(exports, globalNames)
					: null;
	}
	let fn = host.snapshot?.handlers.get(handler);
	if (!fn) {
		fn = promising(exports[handler] as WasmFunction);
		host.snapshot?.handlers.set(handler, fn);
	}
	await fn(writeArgument(host.context.heap));
}
