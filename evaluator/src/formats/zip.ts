import { crc32, inflateRawSync } from "node:zlib";
import { MalformedFileError } from "../errors.ts";
import type { Source } from "../io.ts";
import type { Limits } from "../types.ts";

export type ZipEntry = {
	name: string;
	method: number;
	crc: number;
	compressedSize: number;
	size: number;
	localOffset: number;
	encrypted: boolean;
	flags: number;
	/** Where the member's bytes start (after its local header); set by `checkZipLayout`. */
	dataOffset?: number;
};

/** Where the parts of a zip are, as its end records say. */
export type ZipLayout = {
	entries: ZipEntry[];
	directoryOffset: number;
	directorySize: number;
	/** The zip64 end record, when there is one (it sits between the directory and the locator). */
	zip64RecordOffset?: number;
	eocdOffset: number;
	/** Just past the end record and its comment. */
	eocdEnd: number;
};

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * Reads a zip's central directory within limits. Bombs (declared sizes over the limit, extreme
 * ratios, overlapping entries) and malformed directories throw MalformedFileError with an
 * `archive.*` code before anything is inflated.
 */
export async function readZipDirectory(
	file: Source,
	limits: Limits,
): Promise<ZipLayout> {
	const tailLength = Math.min(file.size, 22 + 0xffff);
	const tail = await file.read(file.size - tailLength, tailLength, "archive");
	let at = -1;
	for (let i = tail.length - 22; i >= 0; i--) {
		if (tail.readUInt32LE(i) === EOCD) {
			at = i;
			break;
		}
	}
	if (at < 0)
		throw new MalformedFileError(
			"archive.truncated",
			"no end-of-central-directory record: the zip is truncated or corrupt",
		);
	const eocdOffset = file.size - tailLength + at;
	const eocdEnd = eocdOffset + 22 + tail.readUInt16LE(at + 20);
	let zip64RecordOffset: number | undefined;
	let count = tail.readUInt16LE(at + 10);
	let directorySize = tail.readUInt32LE(at + 12);
	let directoryOffset = tail.readUInt32LE(at + 16);
	if (
		count === 0xffff ||
		directorySize === 0xffffffff ||
		directoryOffset === 0xffffffff
	) {
		const locator = await file.read(eocdOffset - 20, 20, "archive");
		if (locator.readUInt32LE(0) !== EOCD64_LOCATOR)
			throw new MalformedFileError(
				"archive.malformed",
				"zip64 locator missing",
			);
		zip64RecordOffset = safeNumber(locator.readBigUInt64LE(8));
		const record = await file.read(zip64RecordOffset, 56, "archive");
		if (record.readUInt32LE(0) !== EOCD64)
			throw new MalformedFileError(
				"archive.malformed",
				"zip64 end-of-central-directory record missing",
			);
		count = safeNumber(record.readBigUInt64LE(32));
		directorySize = safeNumber(record.readBigUInt64LE(40));
		directoryOffset = safeNumber(record.readBigUInt64LE(48));
	}
	if (count > limits.maxZipEntries) {
		throw new MalformedFileError(
			"archive.too-many-entries",
			`${count} entries, over the limit of ${limits.maxZipEntries}`,
		);
	}
	if (directorySize > limits.maxHeaderBytes) {
		throw new MalformedFileError(
			"archive.header-too-large",
			`central directory of ${directorySize} bytes, over the limit of ${limits.maxHeaderBytes}`,
		);
	}
	// data put before an archive shifts every offset; readers such as Python's zipfile follow the
	// shift, so the checks do too (and the layout check reports the prepended bytes)
	let shift = 0;
	const directoryEnd = zip64RecordOffset ?? eocdOffset;
	if (
		zip64RecordOffset === undefined &&
		directoryOffset + directorySize !== directoryEnd &&
		directoryEnd - directorySize >= 0
	) {
		shift = directoryEnd - directorySize - directoryOffset;
		directoryOffset += shift;
	}
	const directory = await file.read(directoryOffset, directorySize, "archive");

	const entries: ZipEntry[] = [];
	let p = 0;
	for (let i = 0; i < count; i++) {
		if (p + 46 > directory.length || directory.readUInt32LE(p) !== CENTRAL) {
			throw new MalformedFileError(
				"archive.malformed",
				`central directory entry ${i} is cut or corrupt`,
			);
		}
		const flags = directory.readUInt16LE(p + 8);
		const nameLength = directory.readUInt16LE(p + 28);
		const extraLength = directory.readUInt16LE(p + 30);
		const commentLength = directory.readUInt16LE(p + 32);
		if (p + 46 + nameLength + extraLength + commentLength > directory.length) {
			throw new MalformedFileError(
				"archive.malformed",
				`central directory entry ${i} runs past the directory`,
			);
		}
		const entry: ZipEntry = {
			name: directory.toString("utf8", p + 46, p + 46 + nameLength),
			method: directory.readUInt16LE(p + 10),
			crc: directory.readUInt32LE(p + 16),
			compressedSize: directory.readUInt32LE(p + 20),
			size: directory.readUInt32LE(p + 24),
			localOffset: directory.readUInt32LE(p + 42) + shift,
			encrypted: (flags & 1) !== 0,
			flags,
		};
		readZip64Extra(
			entry,
			directory.subarray(
				p + 46 + nameLength,
				p + 46 + nameLength + extraLength,
			),
		);
		entries.push(entry);
		p += 46 + nameLength + extraLength + commentLength;
	}
	if (p !== directory.length)
		throw new MalformedFileError(
			"archive.malformed",
			`the central directory declares ${directorySize} bytes but its ${count} entries use ${p}`,
		);
	checkBomb(entries, limits);
	checkOverlap(entries, directoryOffset);
	return {
		entries,
		directoryOffset,
		directorySize,
		zip64RecordOffset,
		eocdOffset,
		eocdEnd,
	};
}

/** A zip whose bytes are not all accounted for, or whose local headers disagree with its directory. */
export type LayoutProblem = {
	code:
		| "archive.prepended-data"
		| "archive.unexplained-bytes"
		| "archive.trailing-data"
		| "archive.header-mismatch";
	message: string;
	/** The bytes no record explains, when the problem is such bytes. */
	start?: number;
	end?: number;
};

/**
 * Accounts for every byte of a zip: members (local header, name, extra, data, data descriptor)
 * back to back from offset 0, then the central directory, the zip64 records, the end record and
 * its comment up to the end of the file. Each local header must agree with the central directory
 * (name, method, flags, CRC and sizes), since readers differ in which one they trust. Sets each
 * entry's `dataOffset`.
 */
export async function checkZipLayout(
	file: Source,
	layout: ZipLayout,
): Promise<LayoutProblem[]> {
	const problems: LayoutProblem[] = [];
	const sorted = [...layout.entries].sort(
		(a, b) => a.localOffset - b.localOffset,
	);
	let cursor = 0;
	const account = (start: number, what: string): void => {
		if (start > cursor)
			problems.push(
				cursor === 0
					? {
							code: "archive.prepended-data",
							message: `${start} bytes before the first zip record (${what})`,
							start: 0,
							end: start,
						}
					: {
							code: "archive.unexplained-bytes",
							message: `${start - cursor} bytes at offset ${cursor} belong to no member nor record (before ${what})`,
							start: cursor,
							end: start,
						},
			);
	};
	for (const entry of sorted) {
		account(entry.localOffset, `member "${entry.name}"`);
		const local = await file.read(entry.localOffset, 30, "archive");
		if (local.readUInt32LE(0) !== LOCAL)
			throw new MalformedFileError(
				"archive.malformed",
				`no local header for "${entry.name}" at offset ${entry.localOffset}`,
			);
		const nameLength = local.readUInt16LE(26);
		const extraLength = local.readUInt16LE(28);
		const localName = (
			await file.read(entry.localOffset + 30, nameLength, "archive")
		).toString("utf8");
		const flags = local.readUInt16LE(6);
		const described = (flags & 8) !== 0;
		const mismatch: string[] = [];
		if (localName !== entry.name) mismatch.push(`name "${localName}"`);
		if (local.readUInt16LE(8) !== entry.method)
			mismatch.push(`method ${local.readUInt16LE(8)}`);
		if ((flags & 1) !== (entry.flags & 1)) mismatch.push("encryption flag");
		if (!described) {
			const crc = local.readUInt32LE(14);
			const compressed = local.readUInt32LE(18);
			const size = local.readUInt32LE(22);
			if (crc !== entry.crc) mismatch.push(`CRC ${crc.toString(16)}`);
			if (compressed !== 0xffffffff && compressed !== entry.compressedSize)
				mismatch.push(`compressed size ${compressed}`);
			if (size !== 0xffffffff && size !== entry.size)
				mismatch.push(`size ${size}`);
		}
		if (mismatch.length > 0)
			problems.push({
				code: "archive.header-mismatch",
				message: `the local header of "${entry.name}" at offset ${entry.localOffset} says ${mismatch.join(", ")}, unlike the central directory`,
			});
		entry.dataOffset = entry.localOffset + 30 + nameLength + extraLength;
		cursor = entry.dataOffset + entry.compressedSize;
		if (described) cursor += await descriptorLength(file, cursor, entry);
	}
	account(layout.directoryOffset, "the central directory");
	if (layout.directoryOffset < cursor)
		throw new MalformedFileError(
			"archive.overlapping-entries",
			`the central directory at ${layout.directoryOffset} starts inside a member (which ends at ${cursor})`,
		);
	cursor = layout.directoryOffset + layout.directorySize;
	if (layout.zip64RecordOffset !== undefined) {
		account(layout.zip64RecordOffset, "the zip64 end record");
		const size = (
			await file.read(layout.zip64RecordOffset + 4, 8, "archive")
		).readBigUInt64LE(0);
		// the record, then the 20-byte locator
		cursor = layout.zip64RecordOffset + 12 + safeNumber(size) + 20;
	}
	account(layout.eocdOffset, "the end record");
	if (layout.eocdEnd !== file.size)
		problems.push(
			layout.eocdEnd < file.size
				? {
						code: "archive.trailing-data",
						message: `${file.size - layout.eocdEnd} bytes after the end record, from offset ${layout.eocdEnd}`,
						start: layout.eocdEnd,
						end: file.size,
					}
				: {
						code: "archive.trailing-data",
						message: `the end record's comment runs ${layout.eocdEnd - file.size} bytes past the end of the file`,
					},
		);
	return problems;
}

/** A data descriptor: optional signature, CRC, then 32- or 64-bit sizes. */
async function descriptorLength(
	file: Source,
	at: number,
	entry: ZipEntry,
): Promise<number> {
	const head = await file.peek(at, 24);
	const signed = head.length >= 4 && head.readUInt32LE(0) === 0x08074b50;
	const base = signed ? 4 : 0;
	const large =
		entry.size >= 0xffffffff || entry.compressedSize >= 0xffffffff;
	const length = base + (large ? 20 : 12);
	if (head.length < length)
		throw new MalformedFileError(
			"archive.truncated",
			`the data descriptor of "${entry.name}" runs past the end`,
		);
	if (head.readUInt32LE(base) !== entry.crc)
		throw new MalformedFileError(
			"archive.header-mismatch",
			`the data descriptor of "${entry.name}" has another CRC than the central directory`,
		);
	return length;
}

/** Sizes and offsets that do not fit 32 bits live in the zip64 extra field, in this order. */
function readZip64Extra(entry: ZipEntry, extra: Buffer): void {
	for (let q = 0; q + 4 <= extra.length; ) {
		const id = extra.readUInt16LE(q);
		const length = extra.readUInt16LE(q + 2);
		if (id === 0x0001) {
			let r = q + 4;
			const next = (): number => {
				if (r + 8 > q + 4 + length)
					throw new MalformedFileError(
						"archive.malformed",
						`zip64 field of "${entry.name}" is short`,
					);
				const value = safeNumber(extra.readBigUInt64LE(r));
				r += 8;
				return value;
			};
			if (entry.size === 0xffffffff) entry.size = next();
			if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
			if (entry.localOffset === 0xffffffff) entry.localOffset = next();
		}
		q += 4 + length;
	}
}

function checkBomb(entries: ZipEntry[], limits: Limits): void {
	let total = 0;
	for (const entry of entries) {
		total += entry.size;
		const ratio = entry.size / Math.max(1, entry.compressedSize);
		if (entry.size > 1024 * 1024 && ratio > limits.maxCompressionRatio) {
			throw new MalformedFileError(
				"archive.bomb",
				`"${entry.name}" inflates ${entry.compressedSize} bytes to ${entry.size} (ratio ${Math.round(ratio)}, limit ${limits.maxCompressionRatio})`,
			);
		}
	}
	if (total > limits.maxZipUncompressedBytes) {
		throw new MalformedFileError(
			"archive.bomb",
			`entries declare ${total} bytes in all, over the limit of ${limits.maxZipUncompressedBytes}`,
		);
	}
}

/** Overlapping entries let a few kilobytes reference the same compressed data many times. */
function checkOverlap(entries: ZipEntry[], directoryOffset: number): void {
	const sorted = [...entries].sort((a, b) => a.localOffset - b.localOffset);
	for (let i = 0; i < sorted.length; i++) {
		const entry = sorted[i] as ZipEntry;
		const next = sorted[i + 1]?.localOffset ?? directoryOffset;
		// 30 bytes of local header at least precede the data
		if (entry.localOffset + 30 + entry.compressedSize > next) {
			throw new MalformedFileError(
				"archive.overlapping-entries",
				`"${entry.name}" overlaps the entry or directory after it`,
			);
		}
	}
}

/** An entry name that would land outside the extraction folder. */
export function unsafeEntryName(name: string): string | null {
	if (name.includes("\0")) return "contains a NUL byte";
	if (name.startsWith("/") || name.startsWith("\\") || /^[A-Za-z]:/.test(name))
		return "is absolute";
	if (name.split(/[\\/]/).includes("..")) return "climbs out with ..";
	return null;
}

/**
 * The inflated bytes of one entry, never more than `maxBytes` nor than the entry declares, and
 * whether they match the declared CRC-32 (a lying CRC is reported by the caller, and the bytes
 * are checked all the same).
 */
export async function readZipEntry(
	file: Source,
	entry: ZipEntry,
	maxBytes: number,
): Promise<{ data: Buffer; crcOk: boolean }> {
	if (entry.size > maxBytes) {
		throw new MalformedFileError(
			"archive.entry-too-large",
			`"${entry.name}" is ${entry.size} bytes, over the limit of ${maxBytes}`,
		);
	}
	const dataOffset = entry.dataOffset;
	if (dataOffset === undefined)
		throw new Error("checkZipLayout must run before readZipEntry");
	const raw = await file.read(dataOffset, entry.compressedSize, "archive");
	let data: Buffer;
	if (entry.method === 0) {
		data = raw;
	} else if (entry.method === 8) {
		try {
			// maxOutputLength stops inflating at the declared size, whatever the stream claims
			data = inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
		} catch (error) {
			const code =
				(error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE"
					? "archive.bomb"
					: "archive.malformed";
			throw new MalformedFileError(
				code,
				`"${entry.name}" does not inflate to its declared ${entry.size} bytes: ${(error as Error).message}`,
			);
		}
	} else {
		throw new MalformedFileError(
			"archive.unsupported-compression",
			`"${entry.name}" uses compression method ${entry.method}`,
		);
	}
	if (data.length !== entry.size)
		throw new MalformedFileError(
			"archive.malformed",
			`"${entry.name}" inflates to ${data.length} bytes, not its declared ${entry.size}`,
		);
	return { data, crcOk: crc32(data) === entry.crc };
}

function safeNumber(value: bigint): number {
	if (value > BigInt(Number.MAX_SAFE_INTEGER))
		throw new MalformedFileError(
			"archive.malformed",
			`size ${value} is out of range`,
		);
	return Number(value);
}
