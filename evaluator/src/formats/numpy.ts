import { MalformedFileError } from "../errors.ts";
import type { Source } from "../io.ts";
import type { Findings } from "../report.ts";
import type { Limits } from "../types.ts";
import { reportImports } from "./pickle-report.ts";
import { scanPickle } from "./pickle.ts";

/** `\x93NUMPY`: the magic of a `.npy` file (also every member of an `.npz`). */
export const NPY_MAGIC = Buffer.from("\x93NUMPY", "latin1");

/** A Python literal as NumPy writes a header: strings, ints, booleans, None, tuples, lists, dicts. */
export type PyLiteral =
	| string
	| number
	| boolean
	| null
	| PyLiteral[]
	| { [key: string]: PyLiteral };

const MAX_DEPTH = 32;

/**
 * Parses the Python literal NumPy writes in a `.npy` header (`{'descr': '<f4', 'fortran_order':
 * False, 'shape': (3,), }`). Tuples become arrays. Anything else throws `numpy.header-invalid`:
 * `numpy.load` evaluates the header with `ast.literal_eval`, which accepts no more than this.
 */
export function parsePyLiteral(text: string): PyLiteral {
	let i = 0;
	const fail = (what: string): never => {
		throw new MalformedFileError(
			"numpy.header-invalid",
			`header is not a Python literal: ${what} at character ${i}`,
		);
	};
	const space = () => {
		while (i < text.length && /\s/.test(text[i] as string)) i++;
	};
	const value = (depth: number): PyLiteral => {
		if (depth > MAX_DEPTH) fail("nesting too deep");
		space();
		const c = text[i];
		if (c === "'" || c === '"') {
			const end = text.indexOf(c, i + 1);
			if (end < 0) fail("unterminated string");
			const s = text.slice(i + 1, end);
			if (s.includes("\\")) fail("escaped string");
			i = end + 1;
			return s;
		}
		if (c === "(" || c === "[" || c === "{") {
			const close = c === "(" ? ")" : c === "[" ? "]" : "}";
			i++;
			const items: PyLiteral[] = [];
			const dict: Record<string, PyLiteral> = {};
			for (;;) {
				space();
				if (text[i] === close) {
					i++;
					return c === "{" ? dict : items;
				}
				const item = value(depth + 1);
				if (c === "{") {
					space();
					if (text[i] !== ":" || typeof item !== "string")
						fail("dict key is not a string");
					i++;
					const v = value(depth + 1);
					if (Object.hasOwn(dict, item as string)) fail("duplicate key");
					dict[item as string] = v;
				} else items.push(item);
				space();
				if (text[i] === ",") i++;
				else if (text[i] !== close) fail(`expected , or ${close}`);
			}
		}
		const word = /^(True|False|None|-?\d+)/.exec(text.slice(i, i + 32));
		if (!word) return fail("unexpected character");
		i += (word[1] as string).length;
		if (word[1] === "True") return true;
		if (word[1] === "False") return false;
		if (word[1] === "None") return null;
		const n = Number(word[1]);
		if (!Number.isSafeInteger(n)) fail("integer out of range");
		return n;
	};
	const result = value(0);
	space();
	if (i !== text.length) fail("text after the literal");
	return result;
}

/**
 * Bytes per item of a NumPy dtype description (`'<f4'`, `'|S5'`, `'<U3'`, a structured list of
 * `(name, descr[, shape])`), or `"object"` when items are Python objects (pickled).
 */
export function itemSize(descr: PyLiteral, depth = 0): number | "object" {
	if (depth > MAX_DEPTH) throw invalid("dtype nested too deep");
	if (typeof descr === "string") {
		const m = /^[<>|=]?([?bBhHiIlLqQpPefdgFDGSUVOMmauc])(\d*)(\[\w+\])?$/.exec(
			descr,
		);
		if (!m) throw invalid(`unknown dtype ${JSON.stringify(descr)}`);
		const kind = m[1] as string;
		if (kind === "O") return "object";
		const n = m[2] === "" ? undefined : Number(m[2]);
		const fixed: Record<string, number> = {
			"?": 1,
			b: 1,
			B: 1,
			h: 2,
			H: 2,
			i: 4,
			I: 4,
			l: 8,
			L: 8,
			q: 8,
			Q: 8,
			p: 8,
			P: 8,
			e: 2,
			f: 4,
			d: 8,
			g: 16,
			F: 8,
			D: 16,
			G: 32,
		};
		if (kind === "U") return 4 * (n ?? 0);
		if (kind === "S" || kind === "V" || kind === "a") return n ?? 0;
		if (n !== undefined && "biufcmM".includes(kind)) return n;
		const size = fixed[kind];
		if (size === undefined)
			throw invalid(`dtype ${JSON.stringify(descr)} has no size`);
		return n ?? size;
	}
	if (Array.isArray(descr)) {
		let total = 0;
		for (const field of descr) {
			if (!Array.isArray(field) || field.length < 2 || field.length > 3)
				throw invalid("structured dtype field is not (name, dtype[, shape])");
			const size = itemSize(field[1] as PyLiteral, depth + 1);
			if (size === "object") return "object";
			total += size * elementCount(field[2] ?? []);
		}
		return total;
	}
	throw invalid(`dtype ${JSON.stringify(descr)} is not a string or a list`);
}

/** The number of items of a shape: a list of non-negative integers. */
export function elementCount(shape: PyLiteral): number {
	if (!Array.isArray(shape))
		throw invalid(`shape ${JSON.stringify(shape)} is not a tuple`);
	let count = 1;
	for (const dim of shape) {
		if (typeof dim !== "number" || !Number.isSafeInteger(dim) || dim < 0)
			throw invalid(`shape ${JSON.stringify(shape)} holds a non-integer`);
		count *= dim;
	}
	if (!Number.isSafeInteger(count)) throw invalid("element count overflows");
	return count;
}

const invalid = (message: string) =>
	new MalformedFileError("numpy.header-invalid", message);

/**
 * Checks a `.npy` file: magic, version 1–3, a header that is a literal dict with `descr`,
 * `fortran_order` and `shape`, then exactly the array's bytes. An object array (`descr` `O`, what
 * `allow_pickle` loads) holds a pickle instead: it is scanned against the allow-list and must end
 * exactly at the end of the file.
 */
export async function checkNpy(
	file: Source,
	name: string,
	findings: Findings,
	limits: Limits,
): Promise<{ tensors: number; parameters: number }> {
	const head = await file.read(0, 10, "numpy");
	const major = head[6] as number;
	if (major < 1 || major > 3)
		throw new MalformedFileError(
			"numpy.header-invalid",
			`unknown .npy version ${major}`,
		);
	const lengthBytes = major === 1 ? 2 : 4;
	const lengthField = await file.read(8, lengthBytes, "numpy");
	const headerLength =
		major === 1 ? lengthField.readUInt16LE(0) : lengthField.readUInt32LE(0);
	if (headerLength > limits.maxHeaderBytes)
		throw new MalformedFileError(
			"numpy.header-invalid",
			`header of ${headerLength} bytes, over the limit of ${limits.maxHeaderBytes}`,
		);
	const start = 8 + lengthBytes;
	const headerText = (
		await file.read(start, headerLength, "numpy")
	).toString(major === 3 ? "utf8" : "latin1");
	const header = parsePyLiteral(headerText.trimEnd());
	if (
		typeof header !== "object" ||
		header === null ||
		Array.isArray(header) ||
		Object.keys(header).sort().join() !== "descr,fortran_order,shape" ||
		typeof header.fortran_order !== "boolean"
	)
		throw invalid(
			"header is not a dict of exactly descr, fortran_order and shape",
		);
	const dataStart = start + headerLength;
	const count = elementCount(header.shape as PyLiteral);
	const size = itemSize(header.descr as PyLiteral);
	if (size === "object") {
		const length = file.size - dataStart;
		if (length > limits.maxPickleBytes) {
			findings.error(
				"pickle.too-large",
				`object array pickle of ${length} bytes, over the limit of ${limits.maxPickleBytes}`,
				name,
			);
			return { tensors: 1, parameters: count };
		}
		const data = await file.read(dataStart, length, "numpy");
		const scan = scanPickle(data);
		reportImports(scan, name, findings, new Set(), dataStart);
		findings.info(
			"numpy.object-array",
			`object array: its items are a pickle (numpy.load with allow_pickle=True), scanned from offset ${dataStart}`,
			name,
		);
		if (scan.error)
			findings.error(
				scan.error.code,
				`object array pickle cannot be read: ${scan.error.message} (offset ${dataStart + scan.error.offset})`,
				name,
			);
		else if (scan.end !== data.length)
			findings.error(
				"numpy.trailing-data",
				`${data.length - scan.end} bytes after the object array's pickle, from offset ${dataStart + scan.end}`,
				name,
			);
		return { tensors: 1, parameters: count };
	}
	const expected = count * size;
	const actual = file.size - dataStart;
	if (actual > expected)
		findings.error(
			"numpy.trailing-data",
			`${actual - expected} bytes after the array's ${expected} bytes, from offset ${dataStart + expected}`,
			name,
		);
	else if (actual < expected)
		findings.error(
			"numpy.truncated",
			`the array needs ${expected} bytes after the header, the file has ${actual}`,
			name,
		);
	return { tensors: 1, parameters: count };
}
