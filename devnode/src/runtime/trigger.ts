/** Runs one handler in a fresh WASM instance, as graph-node does for every trigger. */
import type { AscExports } from "./asc.ts";
import { AscHeap } from "./asc.ts";
import { ASYNC_HOST_FUNCTIONS, type HostContext, hostFunctions } from "./host.ts";

// JSPI: async host functions suspend the mapping until their Promise settles.
const Suspending = (WebAssembly as unknown as { Suspending: new (f: Function) => Function }).Suspending;
const promising = (WebAssembly as unknown as { promising: (f: Function) => (...args: number[]) => Promise<unknown> }).promising;

/**
 * What every instance of one module shares: the import object (built once, so V8 reuses its
 * wrappers) bound to a context that each trigger fills in, and the module's class ids.
 */
interface ModuleHost {
  context: HostContext;
  imports: WebAssembly.Imports;
  classIds: Map<number, number>;
}

const moduleHosts = new WeakMap<WebAssembly.Module, ModuleHost>();

function moduleHost(module: WebAssembly.Module): ModuleHost {
  let host = moduleHosts.get(module);
  if (host) return host;
  const context = {} as HostContext;
  const fns = hostFunctions(context);
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== "function") continue;
    const fn = fns[imp.name];
    imports[imp.module] ??= {};
    imports[imp.module][imp.name] = (ASYNC_HOST_FUNCTIONS.has(imp.name) ? new Suspending(fn) : fn) as WebAssembly.ImportValue;
  }
  host = { context, imports, classIds: new Map() };
  moduleHosts.set(module, host);
  return host;
}

/**
 * Instantiates `module`, runs `_start`, writes the trigger argument and awaits `handler(arg)`.
 * Triggers run one at a time, so the shared context is never used by two at once.
 */
export async function runHandler(
  module: WebAssembly.Module,
  handler: string,
  ctx: Omit<HostContext, "heap">,
  writeArgument: (heap: AscHeap) => number,
): Promise<void> {
  const host = moduleHost(module);
  const instance = new WebAssembly.Instance(module, host.imports);
  const exports = instance.exports as unknown as AscExports & Record<string, Function>;
  const heap = new AscHeap(exports, host.classIds);
  Object.assign(host.context, ctx, { heap });
  // apiVersion >= 0.0.5 modules are built with --explicitStart: `_start` runs the top-level code.
  if (typeof exports._start === "function") await promising(exports._start)();
  await promising(exports[handler])(writeArgument(heap));
}
