import { MalformedFileError } from "../errors.ts";

/** One field of a protobuf message: varints and fixed ints as numbers, length-delimited as bytes. */
export type ProtoField = {
	field: number;
	wire: number;
	int: number;
	bytes: Uint8Array;
};

const EMPTY = new Uint8Array(0);

/**
 * Decodes the fields of one protobuf message without a schema. Every length is checked against
 * the buffer, so a corrupt or truncated message is a MalformedFileError, never an overread.
 */
export function* protoFields(
	data: Uint8Array,
	code = "onnx.malformed",
): Generator<ProtoField> {
	let pos = 0;
	const varint = (): number => {
		let value = 0;
		let scale = 1;
		for (let i = 0; i < 10; i++) {
			if (pos >= data.length)
				throw new MalformedFileError(
					code,
					`varint at offset ${pos} runs past the end`,
				);
			const byte = data[pos++] as number;
			value += (byte & 0x7f) * scale;
			if (byte < 0x80) return value;
			scale *= 128;
		}
		throw new MalformedFileError(
			code,
			`varint at offset ${pos} is longer than 10 bytes`,
		);
	};
	while (pos < data.length) {
		const key = varint();
		const field = Math.floor(key / 8);
		const wire = key % 8;
		if (field === 0)
			throw new MalformedFileError(code, `field number 0 at offset ${pos}`);
		switch (wire) {
			case 0:
				yield { field, wire, int: varint(), bytes: EMPTY };
				break;
			case 1:
			case 5: {
				const size = wire === 1 ? 8 : 4;
				if (pos + size > data.length)
					throw new MalformedFileError(
						code,
						`fixed field ${field} runs past the end`,
					);
				const view = new DataView(data.buffer, data.byteOffset + pos, size);
				const int =
					size === 8
						? Number(view.getBigInt64(0, true))
						: view.getUint32(0, true);
				pos += size;
				yield { field, wire, int, bytes: EMPTY };
				break;
			}
			case 2: {
				const length = varint();
				if (pos + length > data.length) {
					throw new MalformedFileError(
						code,
						`field ${field} declares ${length} bytes at offset ${pos}, only ${data.length - pos} remain`,
					);
				}
				const bytes = data.subarray(pos, pos + length);
				pos += length;
				yield { field, wire, int: 0, bytes };
				break;
			}
			default:
				throw new MalformedFileError(
					code,
					`unsupported wire type ${wire} for field ${field}`,
				);
		}
	}
}

/** Values of a repeated integer field, whether packed (one length-delimited run) or not. */
export function repeatedInts(
	fields: ProtoField[],
	field: number,
	code = "onnx.malformed",
): number[] {
	const out: number[] = [];
	for (const f of fields) {
		if (f.field !== field) continue;
		if (f.wire === 0) {
			out.push(f.int);
			continue;
		}
		let value = 0;
		let scale = 1;
		for (const byte of f.bytes) {
			value += (byte & 0x7f) * scale;
			scale *= 128;
			if (byte < 0x80) {
				out.push(value);
				value = 0;
				scale = 1;
			}
		}
		if (scale !== 1)
			throw new MalformedFileError(
				code,
				`packed field ${field} ends inside a varint`,
			);
	}
	return out;
}

export const text = (bytes: Uint8Array): string =>
	Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(
		"utf8",
	);
