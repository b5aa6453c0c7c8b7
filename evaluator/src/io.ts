import { createHash } from "node:crypto";
import { type FileHandle, open } from "node:fs/promises";
import { MalformedFileError } from "./errors.ts";

/** Random-access reads of one file; a read past the end is a `truncated` finding, not a crash. */
export class ModelFile {
	readonly handle: FileHandle;
	readonly size: number;

	private constructor(handle: FileHandle, size: number) {
		this.handle = handle;
		this.size = size;
	}

	static async open(path: string): Promise<ModelFile> {
		const handle = await open(path, "r");
		const { size } = await handle.stat();
		return new ModelFile(handle, size);
	}

	/** Exactly `length` bytes at `offset`, or a MalformedFileError with code `<prefix>.truncated`. */
	async read(offset: number, length: number, prefix: string): Promise<Buffer> {
		if (offset < 0 || length < 0 || offset + length > this.size) {
			throw new MalformedFileError(
				`${prefix}.truncated`,
				`needs bytes ${offset}..${offset + length} but the file has ${this.size}`,
			);
		}
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
	async peek(offset: number, length: number): Promise<Buffer> {
		const n = Math.max(0, Math.min(length, this.size - offset));
		return this.read(offset, n, "file");
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
