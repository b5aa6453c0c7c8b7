import type { Findings } from "../report.ts";
import { elementCount, itemSize } from "./numpy.ts";
import { scanPickle } from "./pickle.ts";
import { reportImports } from "./pickle-report.ts";
import {
	dictGet,
	isCall,
	isGlobal,
	isTuple,
	type PCall,
	SimulationStop,
	simulatePickle,
} from "./simulate.ts";

/** The class joblib pickles in place of each NumPy array, whose bytes it writes right after. */
export const JOBLIB_WRAPPER = "joblib.numpy_pickle.NumpyArrayWrapper";
const EXTRA = new Set([JOBLIB_WRAPPER]);

/**
 * Checks a `joblib.dump` file: a pickle in which, after each BUILD of a NumpyArrayWrapper, joblib
 * reads the array's bytes straight from the file (an alignment byte and padding, then the data),
 * or, for an object array, a whole nested pickle. Both are followed: every pickle, nested ones
 * included, is scanned against the allow-list, and the file must end with the outer STOP.
 */
export function checkJoblib(
	data: Buffer,
	name: string,
	findings: Findings,
): void {
	const flagged = new Set<string>();
	const nested: { at: number; imports: string[]; offsets: number[] }[] = [];
	const afterBuild = (built: PCall, offset: number): number => {
		if (!isGlobal(built.callable, JOBLIB_WRAPPER)) return offset;
		const state = built.state;
		const shape = dictGet(state, "shape");
		const dtype = dictGet(state, "dtype");
		const descr =
			isCall(dtype) && isGlobal(dtype.callable, "numpy.dtype")
				? isTuple(dtype.args)
					? dtype.args.items[0]
					: undefined
				: undefined;
		if (!isTuple(shape) || typeof descr !== "string")
			throw new SimulationStop(
				"pickle.malformed",
				`joblib array at offset ${offset} has no shape or dtype joblib could read`,
				offset,
			);
		const count = elementCount(shape.items as number[]);
		const size = descr.startsWith("O") ? "object" : itemSize(descr);
		if (size === "object") {
			const scan = scanPickle(data, offset);
			nested.push({ at: offset, imports: scan.imports, offsets: scan.offsets });
			if (scan.error)
				throw new SimulationStop(
					scan.error.code,
					`joblib object array pickle at offset ${offset}: ${scan.error.message}`,
					scan.error.offset,
				);
			return scan.end;
		}
		let at = offset;
		const alignment = dictGet(state, "numpy_array_alignment_bytes");
		if (typeof alignment === "number") {
			if (at >= data.length)
				throw new SimulationStop(
					"pickle.truncated",
					`joblib array at offset ${at} has no padding byte`,
					at,
				);
			at += 1 + (data[at] as number);
		}
		const end = at + count * size;
		if (end > data.length)
			throw new SimulationStop(
				"pickle.truncated",
				`joblib array of ${count * size} bytes at offset ${at} passes the end (${data.length})`,
				at,
			);
		return end;
	};
	const sim = simulatePickle(data, 0, afterBuild);
	reportImports(sim, name, findings, flagged, 0, EXTRA);
	for (const inner of nested)
		reportImports(inner, name, findings, flagged, 0, EXTRA);
	if (sim.error) {
		findings.error(
			sim.error.code,
			`joblib file cannot be read: ${sim.error.message}`,
			name,
		);
		return;
	}
	if (sim.end < data.length) {
		findings.error(
			"pickle.trailing-data",
			`${data.length - sim.end} bytes after the joblib pickle's STOP at offset ${sim.end}`,
			name,
		);
		const scan = scanPickle(data, sim.end);
		reportImports(scan, name, findings, flagged, 0, EXTRA);
	}
}
