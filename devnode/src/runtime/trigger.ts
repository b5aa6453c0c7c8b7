/** Runs one handler in a fresh WASM instance, as graph-node does for every trigger. */
import type { AscExports } from "./asc.ts";
import { AscHeap } from "./asc.ts";
import { ASYNC_HOST_FUNCTIONS, type HostContext, hostFunctions } from "./host.ts";

type ImportList = WebAssembly.ModuleImportDescriptor[];
const importLists = new WeakMap<WebAssembly.Module, ImportList>();

function importsOf(module: WebAssembly.Module): ImportList {
  let list = importLists.get(module);
  if (!list) {
    list = WebAssembly.Module.imports(module);
    importLists.set(module, list);
  }
  return list;
}

// JSPI: async host functions suspend the mapping until their Promise settles.
const Suspending = (WebAssembly as unknown as { Suspending: new (f: Function) => Function }).Suspending;
const promising = (WebAssembly as unknown as { promising: (f: Function) => (...args: number[]) => Promise<unknown> }).promising;

/** Instantiates `module`, runs `_start`, writes the trigger argument and awaits `handler(arg)`. */
export async function runHandler(
  module: WebAssembly.Module,
  handler: string,
  ctx: Omit<HostContext, "heap">,
  writeArgument: (heap: AscHeap) => number,
): Promise<void> {
  const context = ctx as HostContext;
  const fns = hostFunctions(context);
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  for (const imp of importsOf(module)) {
    if (imp.kind !== "function") continue;
    const fn = fns[imp.name];
    imports[imp.module] ??= {};
    imports[imp.module][imp.name] = (ASYNC_HOST_FUNCTIONS.has(imp.name) ? new Suspending(fn) : fn) as WebAssembly.ImportValue;
  }
  const instance = new WebAssembly.Instance(module, imports);
  const exports = instance.exports as unknown as AscExports & Record<string, Function>;
  context.heap = new AscHeap(exports);
  // apiVersion >= 0.0.5 modules are built with --explicitStart: `_start` runs the top-level code.
  if (typeof exports._start === "function") await promising(exports._start)();
  const argument = writeArgument(context.heap);
  await promising(exports[handler])(argument);
}
