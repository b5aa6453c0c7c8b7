import { crc32 } from "node:zlib";
import { BufferSource, type Source, SliceSource } from "../io.ts";
import type { Findings } from "../report.ts";
import type { Limits } from "../types.ts";
import { checkKerasConfig } from "./keras.ts";
import { scanPickle } from "./pickle.ts";
import { reportImports } from "./pickle-report.ts";
import {
	checkZipLayout,
	readZipDirectory,
	readZipEntry,
	unsafeEntryName,
	type ZipEntry,
} from "./zip.ts";

export type ArchiveKind = "pytorch-zip" | "keras" | "numpy" | "zip";

/** Checks one member (any format, nested archives included); returns nothing, reports findings. */
export type MemberCheck = (source: Source, name: string) => Promise<void>;

const STORAGE = /^[^/]+\/data\/[^/]+$/;
const CRC_CHUNK = 16 * 1024 * 1024;

/**
 * Checks a zip: its layout accounts for every byte and its local headers agree with the central
 * directory; entry names stay inside the archive; bombs are refused from the directory alone; and
 * every member is opened and checked by its bytes, whatever its name or what its CRC says (a CRC
 * that lies is an error of its own, the member is checked all the same). Returns the kind.
 */
export async function checkZip(
	file: Source,
	name: string,
	findings: Findings,
	limits: Limits,
	checkMember: MemberCheck,
): Promise<ArchiveKind> {
	const layout = await readZipDirectory(file, limits);
	const { entries } = layout;
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
	const names = new Set(entries.map((e) => e.name));
	const kind: ArchiveKind = entries.some((e) =>
		/^[^/]+\/data\.pkl$/.test(e.name),
	)
		? "pytorch-zip"
		: names.has("config.json") && names.has("metadata.json")
			? "keras"
			: entries.length > 0 && entries.every((e) => e.name.endsWith(".npy"))
				? "numpy"
				: "zip";
	if (traversal) return kind;
	const flagged = new Set<string>();
	for (const problem of await checkZipLayout(file, layout)) {
		findings.error(problem.code, problem.message, name);
		// bytes no record explains: name what a pickle hidden there would import
		const { start, end } = problem;
		if (start === undefined || end === undefined) continue;
		if (end - start > limits.maxPickleBytes) continue;
		const hidden = await file.read(start, end - start, "archive");
		for (let at = hidden.indexOf(0x80); at >= 0; at = hidden.indexOf(0x80, at + 1)) {
			const scan = scanPickle(hidden, at);
			if (scan.imports.length === 0) continue;
			reportImports(scan, name, findings, flagged, start);
			break;
		}
	}
	if (entries.some((e) => /^[^/]+\/code\//.test(e.name)))
		findings.error(
			"pytorch.torchscript",
			"TorchScript archive: torch.jit.load runs the code it contains",
			name,
		);
	for (const entry of entries) {
		const member = `${name}:${entry.name}`;
		if (entry.name.endsWith("/") && entry.size === 0) continue;
		if (entry.encrypted) {
			findings.error(
				"archive.encrypted",
				`"${entry.name}" is encrypted and cannot be checked`,
				name,
			);
			continue;
		}
		if (kind === "pytorch-zip" && STORAGE.test(entry.name)) {
			await checkStorage(file, entry, member, findings, limits);
			continue;
		}
		if (kind === "keras" && /\.weights\.(h5|npz)$|^assets\//.test(entry.name)) {
			findings.info(
				"keras.weights",
				`"${entry.name}" holds the weights (arrays only; not parsed)`,
				name,
			);
			continue;
		}
		const source = await memberSource(file, entry, member, findings, limits);
		if (!source) continue;
		if (kind === "keras" && entry.name === "config.json") {
			if (entry.size > limits.maxHeaderBytes)
				findings.error(
					"keras.config-invalid",
					`config.json of ${entry.size} bytes, over the limit of ${limits.maxHeaderBytes}`,
					name,
				);
			else
				checkKerasConfig(
					(await source.read(0, source.size, "archive")).toString("utf8"),
					member,
					findings,
				);
			continue;
		}
		await checkMember(source, member);
	}
	if (kind === "zip")
		findings.warn(
			"format.unknown-archive",
			"a zip that is not a torch.save, .keras or .npz archive; every member was checked by its bytes",
			name,
		);
	return kind;
}

/**
 * The bytes of a member: stored ones are read in place (their CRC checked in chunks), deflated
 * ones inflated within `maxPickleBytes`. A CRC that does not match is an error, not a skip.
 */
async function memberSource(
	file: Source,
	entry: ZipEntry,
	member: string,
	findings: Findings,
	limits: Limits,
): Promise<Source | undefined> {
	if (entry.method === 0) {
		const source = new SliceSource(
			file,
			entry.dataOffset as number,
			entry.compressedSize,
		);
		if (source.size !== entry.size)
			findings.error(
				"archive.header-mismatch",
				`stored member declares ${entry.size} bytes but holds ${source.size}`,
				member,
			);
		let crc = 0;
		for (let at = 0; at < source.size; at += CRC_CHUNK)
			crc = crc32(
				await source.read(at, Math.min(CRC_CHUNK, source.size - at), "archive"),
				crc,
			);
		if (crc !== entry.crc) crcLie(entry, member, findings);
		return source;
	}
	const { data, crcOk } = await readZipEntry(file, entry, limits.maxPickleBytes);
	if (!crcOk) crcLie(entry, member, findings);
	return new BufferSource(data);
}

function crcLie(entry: ZipEntry, member: string, findings: Findings): void {
	findings.error(
		"archive.crc-mismatch",
		`"${entry.name}" does not match its declared CRC-32 ${entry.crc.toString(16)}; it was checked anyway`,
		member,
	);
}

/**
 * A torch.save storage (`<archive>/data/<key>`) is raw tensor bytes, loaded as such. It is still
 * looked at: one that opens as a complete pickle has its imports checked (tensor data never walks
 * to a clean STOP with imports).
 */
async function checkStorage(
	file: Source,
	entry: ZipEntry,
	member: string,
	findings: Findings,
	limits: Limits,
): Promise<void> {
	if (entry.method !== 0) {
		findings.error(
			"pytorch.compressed-storage",
			"torch.save stores storages uncompressed; this one is compressed",
			member,
		);
		return;
	}
	const head = await file.peek(entry.dataOffset as number, 2);
	if (head[0] !== 0x80 || (head[1] ?? 99) > 5 || entry.size > limits.maxPickleBytes)
		return;
	const data = await file.read(entry.dataOffset as number, entry.size, "archive");
	const scan = scanPickle(data);
	if (!scan.error && scan.imports.length > 0)
		reportImports(scan, member, findings, new Set());
}
