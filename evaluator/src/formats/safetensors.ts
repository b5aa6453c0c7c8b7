import type { Source } from "../io.ts";
import type { Findings } from "../report.ts";
import type { Limits } from "../types.ts";

/** Bits per element of every dtype the safetensors format defines. */
const DTYPE_BITS: Record<string, number> = {
	BOOL: 8,
	U8: 8,
	I8: 8,
	F8_E5M2: 8,
	F8_E4M3: 8,
	F8_E8M0: 8,
	F4: 4,
	F6_E2M3: 6,
	F6_E3M2: 6,
	I16: 16,
	U16: 16,
	F16: 16,
	BF16: 16,
	I32: 32,
	U32: 32,
	F32: 32,
	F64: 64,
	I64: 64,
	U64: 64,
	C64: 64,
};

type Span = { name: string; begin: number; end: number };

/**
 * Checks a safetensors file: u64 little-endian header length (bounded), a JSON object header,
 * and for every tensor a known dtype whose size × shape equals its byte span, spans inside the
 * data section, sorted, contiguous and non-overlapping, covering it exactly.
 */
export async function checkSafetensors(
	file: Source,
	name: string,
	findings: Findings,
	limits: Limits,
): Promise<{ tensors: number; parameters: number }> {
	const none = { tensors: 0, parameters: 0 };
	const lengthBytes = await file.read(0, 8, "safetensors");
	const headerLength = lengthBytes.readBigUInt64LE(0);
	if (headerLength > BigInt(limits.maxHeaderBytes)) {
		findings.error(
			"safetensors.header-too-large",
			`header declares ${headerLength} bytes, over the limit of ${limits.maxHeaderBytes}`,
			name,
		);
		return none;
	}
	const n = Number(headerLength);
	if (8 + n > file.size) {
		findings.error(
			"safetensors.truncated",
			`header declares ${n} bytes but the file has ${file.size - 8} after the length`,
			name,
		);
		return none;
	}
	const text = (await file.read(8, n, "safetensors")).toString("utf8");
	let header: unknown;
	try {
		header = JSON.parse(text);
	} catch (error) {
		findings.error(
			"safetensors.header-invalid-json",
			`header is not valid JSON: ${(error as Error).message}`,
			name,
		);
		return none;
	}
	if (typeof header !== "object" || header === null || Array.isArray(header)) {
		findings.error(
			"safetensors.header-not-object",
			"header is not a JSON object",
			name,
		);
		return none;
	}

	const dataSize = file.size - 8 - n;
	const spans: Span[] = [];
	let parameters = 0;
	let valid = true;
	for (const [tensor, info] of Object.entries(
		header as Record<string, unknown>,
	)) {
		if (tensor === "__metadata__") {
			const ok =
				typeof info === "object" &&
				info !== null &&
				!Array.isArray(info) &&
				Object.values(info).every((v) => typeof v === "string");
			if (!ok)
				findings.error(
					"safetensors.metadata-invalid",
					"__metadata__ must map strings to strings",
					name,
				);
			continue;
		}
		const problem = tensorProblem(info);
		if (typeof problem === "string") {
			findings.error(
				"safetensors.tensor-invalid",
				`tensor "${tensor}": ${problem}`,
				name,
			);
			valid = false;
			continue;
		}
		const { bits, elements, begin, end } = problem;
		if ((elements * bits) % 8 !== 0 || (elements * bits) / 8 !== end - begin) {
			findings.error(
				"safetensors.size-mismatch",
				`tensor "${tensor}": ${elements} elements of ${bits} bits need ${(elements * bits) / 8} bytes but its span is ${end - begin}`,
				name,
			);
			valid = false;
		}
		if (end > dataSize) {
			findings.error(
				"safetensors.out-of-bounds",
				`tensor "${tensor}": span ${begin}..${end} passes the data section of ${dataSize} bytes`,
				name,
			);
			valid = false;
		}
		parameters += elements;
		spans.push({ name: tensor, begin, end });
	}
	if (!valid) return { tensors: spans.length, parameters };

	spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
	let cursor = 0;
	for (const span of spans) {
		if (span.begin < cursor) {
			findings.error(
				"safetensors.overlap",
				`tensor "${span.name}" starts at ${span.begin}, inside the previous tensor (ends at ${cursor})`,
				name,
			);
			return { tensors: spans.length, parameters };
		}
		if (span.begin > cursor) {
			findings.error(
				"safetensors.gap",
				`${span.begin - cursor} unused bytes before tensor "${span.name}" at ${cursor}`,
				name,
			);
			return { tensors: spans.length, parameters };
		}
		cursor = span.end;
	}
	if (cursor !== dataSize) {
		findings.error(
			"safetensors.trailing-bytes",
			`${dataSize - cursor} bytes after the last tensor belong to none`,
			name,
		);
	}
	return { tensors: spans.length, parameters };
}

function tensorProblem(
	info: unknown,
): string | { bits: number; elements: number; begin: number; end: number } {
	if (typeof info !== "object" || info === null || Array.isArray(info))
		return "entry is not an object";
	const {
		dtype,
		shape,
		data_offsets: offsets,
	} = info as Record<string, unknown>;
	if (typeof dtype !== "string" || !(dtype in DTYPE_BITS))
		return `unknown dtype ${JSON.stringify(dtype)}`;
	if (!Array.isArray(shape) || !shape.every(isSafeNatural))
		return "shape is not a list of non-negative integers";
	if (
		!Array.isArray(offsets) ||
		offsets.length !== 2 ||
		!offsets.every(isSafeNatural)
	) {
		return "data_offsets is not a pair of non-negative integers";
	}
	const [begin, end] = offsets as [number, number];
	if (end < begin) return `data_offsets ${begin}..${end} run backwards`;
	const elements = (shape as number[]).reduce((a, b) => a * b, 1);
	if (!Number.isSafeInteger(elements)) return "element count overflows";
	return { bits: DTYPE_BITS[dtype] as number, elements, begin, end };
}

function isSafeNatural(value: unknown): value is number {
	return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}
