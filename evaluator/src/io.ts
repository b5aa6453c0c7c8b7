import { createHash } from "node:crypto";
import { type FileHandle, open } from "node:fs/promises";
import { MalformedFileError } from "./errors.ts";

/**
 * Random-access bytes to check: a file, a stored zip member inside one, or an inflated member in
 * memory. A read past the end is a `truncated` finding, not a crash.
 */
export interface Source {
	readonly size: number;
	/** Exactly `length` bytes at `offset`, or a MalformedFileError with code `<prefix>.truncated`. */
	read(offset: number, length: number, prefix: string): Promise<Buffer>;
	/** Up to `length` bytes at `offset` (fewer near the end). */
	peek(offset: number, length: number): Promise<Buffer>;
}

function outOfRange(
	source: Source,
	offset: number,
	length: number,
	prefix: string,
): MalformedFileError | undefined {
	if (
		Number.isSafeInteger(offset) &&
		Number.isSafeInteger(length) &&
		offset >= 0 &&
		length >= 0 &&
		offset + length <= source.size
	)
		return undefined;
	return new MalformedFileError(
		`${prefix}.truncated`,
		`needs bytes ${offset}..${offset + length} but there are ${source.size}`,
	);
}

const peekOf = (source: Source, offset: number, length: number) =>
	source.read(
		offset,
		Math.max(0, Math.min(length, source.size - offset)),
		"file",
	);

/** A window of another source (a stored zip member), read in place. */
export class SliceSource implements Source {
	readonly size: number;
	private readonly parent: Source;
	private readonly base: number;
	constructor(parent: Source, base: number, size: number) {
		this.parent = parent;
		this.base = base;
		this.size = size;
	}
	async read(offset: number, length: number, prefix: string): Promise<Buffer> {
		const problem = outOfRange(this, offset, length, prefix);
		if (problem) throw problem;
		return this.parent.read(this.base + offset, length, prefix);
	}
	peek(offset: number, length: number): Promise<Buffer> {
		return peekOf(this, offset, length);
	}
}

/** Bytes already in memory (an inflated member). */
export class BufferSource implements Source {
	readonly size: number;
	private readonly bytes: Buffer;
	constructor(bytes: Buffer) {
		this.bytes = bytes;
		this.size = bytes.length;
	}
	async read(offset: number, length: number, prefix: string): Promise<Buffer> {
		const problem = outOfRange(this, offset, length, prefix);
		if (problem) throw problem;
		return this.bytes.subarray(offset, offset + length);
	}
	peek(offset: number, length: number): Promise<Buffer> {
		return peekOf(this, offset, length);
	}
}

/** Random-access reads of one file; a read past the end is a `truncated` finding, not a crash. */
export class ModelFile implements Source {
	readonly handle: FileHandle;
	readonly size: number;

	private constructor(handle: FileHandle, size: number) {
		this.handle = handle;
		this.size = size;
	}

	/** The descriptor, for synchronous windowed reads (`scanPickleFile`). */
	get fd(): number {
		return this.handle.fd;
	}

	static async open(path: string): Promise<ModelFile> {
		const handle = await open(path, "r");
		const { size } = await handle.stat();
		return new ModelFile(handle, size);
	}

	/** Exactly `length` bytes at `offset`, or a MalformedFileError with code `<prefix>.truncated`. */
	async read(offset: number, length: number, prefix: string): Promise<Buffer> {
		const problem = outOfRange(this, offset, length, prefix);
		if (problem) throw problem;
		const buffer = Buffer.allocUnsafe(length);
		let done = 0;
		while (done < length) {
			const { bytesRead } = await this.handle.read(
				buffer,
				done,
				length - done,
				offset + done,
			);
			if (bytesRead === 0)
				throw new MalformedFileError(
					`${prefix}.truncated`,
					"file shrank while being read",
				);
			done += bytesRead;
		}
		return buffer;
	}

	/** Up to `length` bytes at `offset` (fewer near the end). */
	peek(offset: number, length: number): Promise<Buffer> {
		return peekOf(this, offset, length);
	}

	async close(): Promise<void> {
		await this.handle.close();
	}
}

const HASH_CHUNK = 4 * 1024 * 1024;

/** Hex sha256 of a whole file, read in large chunks so hashing, not I/O calls, bounds the speed. */
export async function sha256File(path: string): Promise<string> {
	const handle = await open(path, "r");
	try {
		const hash = createHash("sha256");
		const buffer = Buffer.allocUnsafe(HASH_CHUNK);
		for (;;) {
			const { bytesRead } = await handle.read(buffer, 0, HASH_CHUNK, null);
			if (bytesRead === 0) break;
			hash.update(buffer.subarray(0, bytesRead));
		}
		return hash.digest("hex");
	} finally {
		await handle.close();
	}
}
