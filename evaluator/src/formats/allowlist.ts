/**
 * Imports a pickle may make: only the callables `torch.save` and NumPy use to rebuild tensors,
 * storages and plain containers. Every other import (`os.system`, `builtins.eval`, `posix.system`,
 * `builtins.getattr`, ...) fails the check. Names are `module.qualname`, compared exactly, so a
 * protocol-4 dotted name such as `torch._utils._rebuild_tensor_v2.__globals__` is not allowed.
 */
export const PICKLE_ALLOWED_IMPORTS: ReadonlySet<string> = new Set([
	// containers
	"collections.OrderedDict",
	"builtins.set",
	"builtins.frozenset",
	"builtins.dict",
	"builtins.list",
	"builtins.tuple",
	"builtins.bytearray",
	"builtins.slice",
	"builtins.complex",
	"builtins.int",
	"builtins.float",
	"builtins.bool",
	// protocol 2 writes bytes as _codecs.encode(str, "latin1")
	"_codecs.encode",
	// torch tensor and parameter rebuilding (torch/_utils.py, torch/_tensor.py)
	"torch._utils._rebuild_tensor",
	"torch._utils._rebuild_tensor_v2",
	"torch._utils._rebuild_tensor_v3",
	"torch._utils._rebuild_parameter",
	"torch._utils._rebuild_parameter_with_state",
	"torch._utils._rebuild_qtensor",
	"torch._utils._rebuild_sparse_tensor",
	"torch._utils._rebuild_meta_tensor_no_storage",
	"torch._tensor._rebuild_from_type_v2",
	"torch.serialization._get_layout",
	"torch.Size",
	"torch.device",
	// typed storages (legacy names still written by torch.save)
	...[
		"Float",
		"Double",
		"Half",
		"BFloat16",
		"Long",
		"Int",
		"Short",
		"Char",
		"Byte",
		"Bool",
		"ComplexFloat",
		"ComplexDouble",
		"QInt8",
		"QUInt8",
		"QInt32",
		"QUInt4x2",
		"QUInt2x4",
		"Untyped",
	].map((kind) => `torch.${kind}Storage`),
	"torch.storage.UntypedStorage",
	"torch.storage.TypedStorage",
	// dtypes, layouts and memory formats pickled by name
	...[
		"float16",
		"float32",
		"float64",
		"bfloat16",
		"complex64",
		"complex128",
		"int8",
		"int16",
		"int32",
		"int64",
		"uint8",
		"bool",
		"float8_e4m3fn",
		"float8_e5m2",
		"strided",
		"sparse_coo",
		"contiguous_format",
		"channels_last",
		"preserve_format",
	].map((name) => `torch.${name}`),
	// NumPy arrays and scalars
	"numpy.core.multiarray._reconstruct",
	"numpy.core.multiarray.scalar",
	"numpy._core.multiarray._reconstruct",
	"numpy._core.multiarray.scalar",
	"numpy.ndarray",
	"numpy.dtype",
]);

/**
 * Modules whose presence marks a file as a hostile pickle even when the bytes after the import do
 * not parse (the unpickler would already have run the call by then).
 */
export const PICKLE_DANGEROUS_MODULES: ReadonlySet<string> = new Set([
	"os",
	"posix",
	"nt",
	"subprocess",
	"builtins",
	"sys",
	"socket",
	"shutil",
	"runpy",
	"importlib",
	"pty",
	"webbrowser",
	"code",
	"pickle",
	"_pickle",
	"marshal",
	"ctypes",
	"requests",
	"urllib",
	"http",
	"asyncio",
	"operator",
	"functools",
]);

/** Python 2 module names the unpickler maps to their Python 3 names (`fix_imports`). */
const PY2_MODULES: Record<string, string> = {
	__builtin__: "builtins",
	copy_reg: "copyreg",
};

export function canonicalImport(module: string, name: string): string {
	return `${PY2_MODULES[module] ?? module}.${name}`;
}

export function isDangerousModule(module: string): boolean {
	const root = (PY2_MODULES[module] ?? module).split(".")[0] as string;
	return PICKLE_DANGEROUS_MODULES.has(root);
}
