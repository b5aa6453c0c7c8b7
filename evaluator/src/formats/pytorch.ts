import { MalformedFileError } from "../errors.ts";
import type { ModelFile } from "../io.ts";
import type { Findings } from "../report.ts";
import type { Limits } from "../types.ts";
import { isDangerousModule, PICKLE_ALLOWED_IMPORTS } from "./allowlist.ts";
import { type PickleScan, scanPickle } from "./pickle.ts";
import { readZipDirectory, readZipEntry, unsafeEntryName } from "./zip.ts";

/** The first pickle of the legacy (pre-zip) torch.save format: the magic number 0x1950a86a20f9469cfc6c. */
const LEGACY_TORCH_MAGIC = Buffer.from("80028a0a6cfc9c46f9206aa850192e", "hex");
/** Legacy torch.save writes five pickles (magic, protocol, sys info, object, storage keys), then raw storages. */
const LEGACY_TORCH_PICKLES = 5;

/**
 * Reports the imports of every pickle in `data`. The first must parse; more may follow (legacy
 * `torch.save` writes five) as long as the next byte is PROTO. Bytes after the last pickle that do
 * not parse are data (a finding of their own only if they import something not allowed).
 */
export function reportPickles(
	data: Uint8Array,
	name: string,
	findings: Findings,
): void {
	const legacy = Buffer.from(
		data.buffer,
		data.byteOffset,
		Math.min(data.byteLength, LEGACY_TORCH_MAGIC.length),
	).equals(LEGACY_TORCH_MAGIC);
	const flagged = new Set<string>();
	let offset = 0;
	for (
		let index = 0;
		index === 0 || (offset < data.length && data[offset] === 0x80);
		index++
	) {
		if (legacy && index === LEGACY_TORCH_PICKLES) return;
		const scan = scanPickle(data, offset);
		reportImports(scan, name, findings, flagged);
		if (scan.error) {
			if (index === 0)
				findings.error(
					scan.error.code,
					`pickle cannot be read: ${scan.error.message}`,
					name,
				);
			else
				findings.info(
					"pickle.trailing-data",
					`bytes from offset ${offset} are not a pickle: ${scan.error.message}`,
					name,
				);
			return;
		}
		offset = scan.end;
	}
}

function reportImports(
	scan: PickleScan,
	name: string,
	findings: Findings,
	flagged: Set<string>,
): void {
	for (const imported of scan.imports) {
		if (PICKLE_ALLOWED_IMPORTS.has(imported) || flagged.has(imported)) continue;
		flagged.add(imported);
		const what =
			imported === "?.?"
				? "an import whose name is not a string the scanner can resolve"
				: imported;
		findings.error(
			"pickle.unsafe-import",
			`pickle imports ${what}, which is not on the allow-list`,
			name,
		);
	}
}

/**
 * Whether bytes that do not open with PROTO are still a protocol 0/1 pickle: the walk reaches STOP
 * cleanly, or it imports from a dangerous module before breaking (the call would already have run).
 * Given only the start of a file (`complete` false), undefined means "read more to know".
 */
export function looksLikeOldPickle(
	data: Uint8Array,
	complete = true,
): boolean | undefined {
	const scan = scanPickle(data);
	if (scan.modules.some(isDangerousModule)) return true;
	if (!scan.error) return scan.imports.length > 0 || scan.end === data.length;
	return !complete && scan.error.code === "pickle.truncated"
		? undefined
		: false;
}

/** Checks a raw pickle file, read whole within the limit. */
export async function checkPickleFile(
	file: ModelFile,
	name: string,
	findings: Findings,
	limits: Limits,
): Promise<void> {
	if (file.size > limits.maxPickleBytes) {
		findings.error(
			"pickle.too-large",
			`pickle of ${file.size} bytes, over the limit of ${limits.maxPickleBytes}`,
			name,
		);
		return;
	}
	reportPickles(await file.read(0, file.size, "pickle"), name, findings);
}

/**
 * Checks a zip: entry names stay inside the archive, bombs are refused from the directory alone,
 * and every `.pkl` entry (a `torch.save` zip has `<name>/data.pkl`) is scanned. Returns the format.
 */
export async function checkZip(
	file: ModelFile,
	name: string,
	findings: Findings,
	limits: Limits,
): Promise<"pytorch-zip" | "zip"> {
	const entries = await readZipDirectory(file, limits);
	let traversal = false;
	for (const entry of entries) {
		const problem = unsafeEntryName(entry.name);
		if (problem) {
			findings.error(
				"archive.path-traversal",
				`entry "${entry.name}" ${problem}`,
				name,
			);
			traversal = true;
		}
	}
	const isTorch = entries.some((e) => /^[^/]+\/data\.pkl$/.test(e.name));
	if (traversal) return isTorch ? "pytorch-zip" : "zip";
	if (entries.some((e) => /^[^/]+\/code\//.test(e.name))) {
		findings.warn(
			"pytorch.torchscript",
			"TorchScript archive: torch.jit.load runs the code it contains",
			name,
		);
	}
	for (const entry of entries) {
		if (!entry.name.endsWith(".pkl")) continue;
		if (entry.encrypted)
			throw new MalformedFileError(
				"archive.encrypted",
				`"${entry.name}" is encrypted and cannot be checked`,
			);
		const data = await readZipEntry(file, entry, limits.maxPickleBytes);
		reportPickles(data, `${name}:${entry.name}`, findings);
	}
	if (!isTorch)
		findings.warn(
			"format.unknown-archive",
			"zip without a torch.save data.pkl; its entries were not checked as models",
			name,
		);
	return isTorch ? "pytorch-zip" : "zip";
}
