import { MalformedFileError } from "../errors.ts";
import type { Source } from "../io.ts";
import type { Findings } from "../report.ts";
import type { Limits } from "../types.ts";

/** ggml tensor types: [elements per block, bytes per block] (ggml.c's type_traits). */
const GGML_TYPES: Record<number, [number, number]> = {
	0: [1, 4], // F32
	1: [1, 2], // F16
	2: [32, 18], // Q4_0
	3: [32, 20], // Q4_1
	6: [32, 22], // Q5_0
	7: [32, 24], // Q5_1
	8: [32, 34], // Q8_0
	9: [32, 36], // Q8_1
	10: [256, 84], // Q2_K
	11: [256, 110], // Q3_K
	12: [256, 144], // Q4_K
	13: [256, 176], // Q5_K
	14: [256, 210], // Q6_K
	15: [256, 292], // Q8_K
	16: [256, 66], // IQ2_XXS
	17: [256, 74], // IQ2_XS
	18: [256, 98], // IQ3_XXS
	19: [256, 50], // IQ1_S
	20: [32, 18], // IQ4_NL
	21: [256, 110], // IQ3_S
	22: [256, 82], // IQ2_S
	23: [256, 136], // IQ4_XS
	24: [1, 1], // I8
	25: [1, 2], // I16
	26: [1, 4], // I32
	27: [1, 8], // I64
	28: [1, 8], // F64
	29: [256, 56], // IQ1_M
	30: [1, 2], // BF16
};

const WINDOW = 1024 * 1024;

/** Sequential little-endian reads through a window of the file, refilled on demand. */
class Cursor {
	private window: Buffer = Buffer.alloc(0);
	private base = 0;
	pos = 0;
	private readonly file: Source;
	constructor(file: Source) {
		this.file = file;
	}
	private async need(n: number): Promise<number> {
		if (this.pos + n > this.base + this.window.length) {
			this.base = this.pos;
			this.window = await this.file.read(
				this.pos,
				Math.max(n, Math.min(WINDOW, this.file.size - this.pos)),
				"gguf",
			);
		}
		const at = this.pos - this.base;
		this.pos += n;
		return at;
	}
	async u32(): Promise<number> {
		// need() may swap the window, so read it only after awaiting
		const at = await this.need(4);
		return this.window.readUInt32LE(at);
	}
	async u64(): Promise<number> {
		const at = await this.need(8);
		const value = this.window.readBigUInt64LE(at);
		if (value > BigInt(Number.MAX_SAFE_INTEGER))
			throw new MalformedFileError(
				"gguf.count-too-large",
				`value ${value} is out of range`,
			);
		return Number(value);
	}
	async skip(n: number): Promise<void> {
		if (this.pos + n > this.file.size)
			throw new MalformedFileError(
				"gguf.truncated",
				`needs ${n} bytes at ${this.pos}, file has ${this.file.size}`,
			);
		this.pos += n;
	}
	async string(max: number): Promise<string> {
		const length = await this.u64();
		if (length > max)
			throw new MalformedFileError(
				"gguf.count-too-large",
				`string of ${length} bytes at ${this.pos - 8}, over the limit of ${max}`,
			);
		const at = await this.need(length);
		return this.window.toString("utf8", at, at + length);
	}
}

/** Bytes of the fixed-size metadata value types (0..12, 8 and 9 are string and array). */
const VALUE_BYTES: Record<number, number> = {
	0: 1,
	1: 1,
	2: 2,
	3: 2,
	4: 4,
	5: 4,
	6: 4,
	7: 1,
	10: 8,
	11: 8,
	12: 8,
};

/**
 * Checks a GGUF file (versions 2 and 3): header, metadata and tensor counts within limits, every
 * tensor's data aligned, inside the file and not overlapping another.
 */
export async function checkGguf(
	file: Source,
	name: string,
	findings: Findings,
	limits: Limits,
): Promise<{ tensors: number; parameters: number }> {
	const cursor = new Cursor(file);
	await cursor.skip(4); // magic, matched by detection
	const version = await cursor.u32();
	if (version !== 2 && version !== 3) {
		findings.error(
			"gguf.unsupported-version",
			`GGUF version ${version}; versions 2 and 3 are supported`,
			name,
		);
		return { tensors: 0, parameters: 0 };
	}
	const tensorCount = await cursor.u64();
	const kvCount = await cursor.u64();
	const max = limits.maxGgufCount;
	if (tensorCount > max || kvCount > max) {
		findings.error(
			"gguf.count-too-large",
			`${tensorCount} tensors and ${kvCount} metadata entries, limit ${max}`,
			name,
		);
		return { tensors: 0, parameters: 0 };
	}
	// each metadata entry takes at least 12 bytes (key length, type) and each tensor 24
	if (kvCount * 12 + tensorCount * 24 > file.size - cursor.pos) {
		findings.error(
			"gguf.count-too-large",
			`${tensorCount} tensors and ${kvCount} metadata entries cannot fit in the ${file.size} bytes of the file (counts too large, or the file is cut)`,
			name,
		);
		return { tensors: 0, parameters: 0 };
	}
	let alignment = 32;
	const readValue = async (
		type: number,
		depth: number,
	): Promise<number | undefined> => {
		if (type === 8) {
			await cursor.string(limits.maxHeaderBytes);
			return undefined;
		}
		if (type === 9) {
			if (depth > 2)
				throw new MalformedFileError(
					"gguf.malformed",
					"arrays nested too deep",
				);
			const itemType = await cursor.u32();
			const count = await cursor.u64();
			// every item takes at least one byte (strings eight, for their length)
			const least = itemType === 8 ? 8 : (VALUE_BYTES[itemType] ?? 1);
			if (count > max || count * least > file.size - cursor.pos)
				throw new MalformedFileError(
					"gguf.count-too-large",
					`array of ${count} items at ${cursor.pos - 8}, limit ${max} and the ${file.size - cursor.pos} bytes left`,
				);
			if (itemType in VALUE_BYTES)
				await cursor.skip(count * (VALUE_BYTES[itemType] as number));
			else for (let i = 0; i < count; i++) await readValue(itemType, depth + 1);
			return undefined;
		}
		const size = VALUE_BYTES[type];
		if (size === undefined)
			throw new MalformedFileError(
				"gguf.malformed",
				`unknown metadata value type ${type}`,
			);
		return size === 4 ? cursor.u32() : cursor.skip(size).then(() => undefined);
	};
	for (let i = 0; i < kvCount; i++) {
		const key = await cursor.string(65535);
		const type = await cursor.u32();
		const value = await readValue(type, 0);
		if (key === "general.alignment" && value !== undefined) alignment = value;
	}
	if (alignment === 0 || alignment % 8 !== 0) {
		findings.error(
			"gguf.malformed",
			`general.alignment ${alignment} is not a positive multiple of 8`,
			name,
		);
		return { tensors: 0, parameters: 0 };
	}

	const tensors: { name: string; offset: number; size: number | undefined }[] =
		[];
	let parameters = 0;
	for (let i = 0; i < tensorCount; i++) {
		const tensorName = await cursor.string(65535);
		const dimCount = await cursor.u32();
		if (dimCount > 8)
			throw new MalformedFileError(
				"gguf.count-too-large",
				`tensor "${tensorName}" has ${dimCount} dimensions`,
			);
		let elements = 1;
		for (let d = 0; d < dimCount; d++) elements *= await cursor.u64();
		const type = await cursor.u32();
		const offset = await cursor.u64();
		const traits = GGML_TYPES[type];
		if (!traits)
			findings.warn(
				"gguf.unknown-tensor-type",
				`tensor "${tensorName}" has ggml type ${type}, size not checked`,
				name,
			);
		else if (elements % traits[0] !== 0)
			findings.error(
				"gguf.size-mismatch",
				`tensor "${tensorName}": ${elements} elements is not whole blocks of ${traits[0]}`,
				name,
			);
		parameters += elements;
		tensors.push({
			name: tensorName,
			offset,
			size: traits ? (elements / traits[0]) * traits[1] : undefined,
		});
	}
	const dataStart = Math.ceil(cursor.pos / alignment) * alignment;
	const dataSize = file.size - dataStart;
	tensors.sort((a, b) => a.offset - b.offset);
	let cursorEnd = 0;
	let previous = "";
	for (const tensor of tensors) {
		if (tensor.offset % alignment !== 0)
			findings.error(
				"gguf.misaligned",
				`tensor "${tensor.name}" at ${tensor.offset} is not aligned to ${alignment}`,
				name,
			);
		if (tensor.offset < cursorEnd)
			findings.error(
				"gguf.overlap",
				`tensor "${tensor.name}" overlaps "${previous}"`,
				name,
			);
		const end = tensor.offset + (tensor.size ?? 0);
		if (end > dataSize) {
			findings.error(
				"gguf.tensor-out-of-bounds",
				`tensor "${tensor.name}" spans ${tensor.offset}..${end} but the data section has ${Math.max(0, dataSize)} bytes`,
				name,
			);
		}
		// gguf writers pad each tensor to the alignment: a larger hole holds bytes no tensor explains
		const padded = Math.ceil(cursorEnd / alignment) * alignment;
		if (tensor.size !== undefined && tensor.offset > padded)
			findings.error(
				"gguf.unexplained-bytes",
				`${tensor.offset - cursorEnd} bytes before tensor "${tensor.name}" (data offset ${cursorEnd}) belong to no tensor`,
				name,
			);
		cursorEnd = Math.max(cursorEnd, end);
		previous = tensor.name;
	}
	const last = Math.ceil(cursorEnd / alignment) * alignment;
	if (
		tensors.every((t) => t.size !== undefined) &&
		dataSize > last &&
		dataStart + cursorEnd <= file.size
	)
		findings.error(
			"gguf.unexplained-bytes",
			`${dataSize - cursorEnd} bytes after the last tensor (from offset ${dataStart + cursorEnd}) belong to no tensor`,
			name,
		);
	return { tensors: tensors.length, parameters };
}
