import { realpath, stat } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { MalformedFileError } from "../errors.ts";
import type { Source } from "../io.ts";
import type { Findings } from "../report.ts";
import type { Limits } from "../types.ts";
import {
	type ProtoField,
	protoFields,
	repeatedInts,
	text,
} from "./protobuf.ts";

/** A graph input or output: name, element type (TensorProto.DataType) and shape (null = symbolic). */
export type OnnxValue = {
	name: string;
	elemType: number;
	shape: (number | null)[];
};

export type OnnxSummary = {
	opset: number | undefined;
	inputs: OnnxValue[];
	outputs: OnnxValue[];
	parameters: number;
	/** Absolute paths of the external data files the initializers read (inside the folder). */
	external: string[];
};

/** Bytes per element of TensorProto.DataType values with a fixed size. */
const ELEMENT_BYTES: Record<number, number> = {
	1: 4,
	2: 1,
	3: 1,
	4: 2,
	5: 2,
	6: 4,
	7: 8,
	9: 1,
	10: 2,
	11: 8,
	12: 4,
	13: 8,
	14: 8,
	15: 16,
	16: 2,
};

/** Operator domains onnxruntime implements itself; any other needs a custom-op library loaded. */
const BUILTIN_DOMAINS = new Set(["", "ai.onnx", "ai.onnx.ml", "com.microsoft"]);

const fieldsOf = (bytes: Uint8Array): ProtoField[] => [...protoFields(bytes)];
const strings = (fields: ProtoField[], field: number): string[] =>
	fields.filter((f) => f.field === field).map((f) => text(f.bytes));
const messages = (fields: ProtoField[], field: number): ProtoField[][] =>
	fields.filter((f) => f.field === field).map((f) => fieldsOf(f.bytes));

/**
 * Checks an ONNX ModelProto: it parses, declares an opset and a graph with outputs, initializers'
 * raw data matches their shape, and external data stays inside the model's folder and file bounds.
 */
export async function checkOnnx(
	file: Source,
	name: string,
	folder: string,
	findings: Findings,
	limits: Limits,
): Promise<OnnxSummary | undefined> {
	if (file.size > limits.maxOnnxBytes) {
		findings.error(
			"onnx.too-large",
			`ONNX file of ${file.size} bytes, over the limit of ${limits.maxOnnxBytes}`,
			name,
		);
		return undefined;
	}
	const model = fieldsOf(await file.read(0, file.size, "onnx"));
	const opsets = messages(model, 8).map((m) => ({
		domain: strings(m, 1)[0] ?? "",
		version: m.find((f) => f.field === 2)?.int ?? 0,
	}));
	const opset = opsets.find(
		(o) => o.domain === "" || o.domain === "ai.onnx",
	)?.version;
	if (!model.some((f) => f.field === 1))
		findings.error("onnx.no-ir-version", "ModelProto has no ir_version", name);
	if (opset === undefined)
		findings.error(
			"onnx.no-opset",
			"no opset_import for the default ONNX domain",
			name,
		);
	const graphs = messages(model, 7);
	const graph = graphs[0];
	if (graph === undefined) {
		findings.error("onnx.no-graph", "ModelProto has no graph", name);
		return undefined;
	}
	const initializerNames = new Set(
		messages(graph, 5).flatMap((t) => strings(t, 8)),
	);
	const inputs = messages(graph, 11)
		.map(valueInfo)
		.filter((v) => !initializerNames.has(v.name));
	const outputs = messages(graph, 12).map(valueInfo);
	if (outputs.length === 0)
		findings.error("onnx.no-outputs", "the graph declares no outputs", name);
	const describe = (values: OnnxValue[]): string =>
		values
			.map((v) => `${v.name}[${v.shape.map((d) => d ?? "?").join(",")}]`)
			.join(", ");
	findings.info(
		"onnx.summary",
		`opset ${opset ?? "none"}; inputs ${describe(inputs)}; outputs ${describe(outputs)}`,
		name,
	);

	const walk = {
		parameters: 0,
		domains: new Set<string>(),
		external: new Set<string>(),
	};
	await walkGraph(graph, { name, folder, findings, walk });
	for (const domain of walk.domains) {
		findings.warn(
			"onnx.custom-domain",
			`operators from domain "${domain}" need a custom-op library to run`,
			name,
		);
	}
	return {
		opset,
		inputs,
		outputs,
		parameters: walk.parameters,
		external: [...walk.external],
	};
}

type WalkContext = {
	name: string;
	folder: string;
	findings: Findings;
	walk: { parameters: number; domains: Set<string>; external: Set<string> };
};

/** Real models nest If/Loop bodies a few levels; a hostile file could nest until the stack breaks. */
const MAX_GRAPH_DEPTH = 64;

/** Visits initializers and nodes, descending into subgraphs of If/Loop/Scan attributes. */
async function walkGraph(
	graph: ProtoField[],
	context: WalkContext,
	depth = 0,
): Promise<void> {
	if (depth > MAX_GRAPH_DEPTH) {
		throw new MalformedFileError(
			"onnx.malformed",
			`subgraphs nested deeper than ${MAX_GRAPH_DEPTH} levels`,
		);
	}
	for (const tensor of messages(graph, 5)) await checkTensor(tensor, context);
	for (const node of messages(graph, 1)) {
		const domain = strings(node, 7)[0] ?? "";
		if (!BUILTIN_DOMAINS.has(domain)) context.walk.domains.add(domain);
		for (const attribute of messages(node, 5)) {
			for (const tensor of [
				...messages(attribute, 5),
				...messages(attribute, 10),
			])
				await checkTensor(tensor, context);
			for (const sub of [...messages(attribute, 6), ...messages(attribute, 11)])
				await walkGraph(sub, context, depth + 1);
		}
	}
}

async function checkTensor(
	tensor: ProtoField[],
	{ name, folder, findings, walk }: WalkContext,
): Promise<void> {
	const tensorName = strings(tensor, 8)[0] ?? "(unnamed)";
	const dims = repeatedInts(tensor, 1);
	const elements = dims.reduce((a, b) => a * b, 1);
	walk.parameters += elements;
	const elementBytes =
		ELEMENT_BYTES[tensor.find((f) => f.field === 2)?.int ?? 0];
	const external = messages(tensor, 13).map(
		(entry) =>
			[strings(entry, 1)[0] ?? "", strings(entry, 2)[0] ?? ""] as const,
	);
	const location = tensor.find((f) => f.field === 14)?.int ?? 0;
	if (location === 1 || external.length > 0) {
		await checkExternal(
			Object.fromEntries(external),
			tensorName,
			elements * (elementBytes ?? 0),
			{ name, folder, findings, external: walk.external },
		);
		return;
	}
	const raw = tensor.find((f) => f.field === 9);
	if (
		raw &&
		elementBytes !== undefined &&
		raw.bytes.length !== elements * elementBytes
	) {
		findings.error(
			"onnx.tensor-size-mismatch",
			`initializer "${tensorName}": shape [${dims.join(",")}] needs ${elements * elementBytes} bytes, raw_data has ${raw.bytes.length}`,
			name,
		);
	}
}

/** External data: `location` relative to the model's folder, never out of it, offset+length in the file. */
async function checkExternal(
	entries: Record<string, string>,
	tensorName: string,
	expectedBytes: number,
	{
		name,
		folder,
		findings,
		external,
	}: {
		name: string;
		folder: string;
		findings: Findings;
		external: Set<string>;
	},
): Promise<void> {
	const location = entries.location;
	if (!location) {
		findings.error(
			"onnx.external-data-invalid",
			`initializer "${tensorName}" is external but names no location`,
			name,
		);
		return;
	}
	const target = resolve(folder, location);
	const inside = relative(folder, target);
	if (
		isAbsolute(location) ||
		inside.startsWith(`..${sep}`) ||
		inside === ".." ||
		isAbsolute(inside) ||
		location.includes("\0")
	) {
		findings.error(
			"onnx.external-data-escape",
			`initializer "${tensorName}" points outside the model folder: ${location}`,
			name,
		);
		return;
	}
	const info = await stat(target).catch(() => undefined);
	if (!info?.isFile()) {
		findings.error(
			"onnx.external-data-missing",
			`initializer "${tensorName}" points to missing file ${location}`,
			name,
		);
		return;
	}
	// a symlink inside the folder may still point out of it
	const real = relative(await realpath(folder), await realpath(target));
	if (real === ".." || real.startsWith(`..${sep}`) || isAbsolute(real)) {
		findings.error(
			"onnx.external-data-escape",
			`initializer "${tensorName}" reaches outside the model folder through a link: ${location}`,
			name,
		);
		return;
	}
	external.add(target);
	const offset = Number(entries.offset ?? 0);
	const length =
		entries.length === undefined ? expectedBytes : Number(entries.length);
	if (
		!Number.isSafeInteger(offset) ||
		!Number.isSafeInteger(length) ||
		offset < 0 ||
		length < 0 ||
		offset + length > info.size
	) {
		findings.error(
			"onnx.external-data-out-of-bounds",
			`initializer "${tensorName}" reads ${location} at ${entries.offset ?? 0}+${length}, past its ${info.size} bytes`,
			name,
		);
	}
}

function valueInfo(fields: ProtoField[]): OnnxValue {
	const tensorType = messages(messages(fields, 2)[0] ?? [], 1)[0] ?? [];
	const shape = messages(messages(tensorType, 2)[0] ?? [], 1).map((dim) => {
		const value = dim.find((f) => f.field === 1);
		return value ? value.int : null;
	});
	return {
		name: strings(fields, 1)[0] ?? "",
		elemType: tensorType.find((f) => f.field === 1)?.int ?? 0,
		shape,
	};
}
