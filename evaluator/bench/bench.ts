// Benchmark (not a test): check throughput on a 1 GiB safetensors file, pickle scan throughput on
// a 100 MB pickle, and wall time of a 10,000-sample accuracy run. `-- --json` prints one object.
import { mkdir, mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
	bytesOf,
	labelledSet,
	mlpOnnx,
	randomMlp,
} from "../src/fixtures/onnx.ts";
import { PickleWriter } from "../src/fixtures/pickle.ts";
import { checkModel, scanPickle } from "../src/index.ts";

const json = process.argv.includes("--json");
const MB = 1e6;
const folder = await mkdtemp(join(tmpdir(), "evaluator-bench-"));

/** 64 F32 tensors of 16 MiB: 1 GiB of data after the header, written in 16 MiB chunks. */
async function safetensorsBench(): Promise<{
	bytes: number;
	seconds: number;
	cpuSeconds: number;
	mbPerSecond: number;
	verdict: string;
}> {
	const path = join(folder, "big.safetensors");
	const tensorBytes = 16 * 1024 * 1024;
	const header: Record<string, unknown> = {};
	for (let i = 0; i < 64; i++)
		header[`layer.${i}.weight`] = {
			dtype: "F32",
			shape: [tensorBytes / 4],
			data_offsets: [i * tensorBytes, (i + 1) * tensorBytes],
		};
	const json = Buffer.from(JSON.stringify(header));
	const length = Buffer.alloc(8);
	length.writeBigUInt64LE(BigInt(json.length));
	const chunk = Buffer.alloc(tensorBytes, 0x3c);
	const handle = await open(path, "w");
	await handle.write(Buffer.concat([length, json]));
	for (let i = 0; i < 64; i++) await handle.write(chunk);
	await handle.close();
	const cpu = process.cpuUsage();
	const started = performance.now();
	const report = await checkModel(path);
	const seconds = (performance.now() - started) / 1000;
	const used = process.cpuUsage(cpu);
	await rm(path);
	return {
		bytes: report.metrics.bytes,
		seconds,
		cpuSeconds: (used.user + used.system) / 1e6,
		mbPerSecond: report.metrics.bytes / MB / seconds,
		verdict: report.verdict,
	};
}

/**
 * A state dict the way torch.save pickles one (protocol 2, each global imported once and then
 * fetched from the memo), with one tensor entry repeated to 100 MB: opcode-dense, unlike real files
 * whose bulk is tensor bytes, so this is the scanner's worst realistic case.
 */
function pickleBench(): {
	bytes: number;
	seconds: number;
	cpuSeconds: number;
	mbPerSecond: number;
	imports: number;
} {
	const w = new PickleWriter(2);
	w.global("collections", "OrderedDict")
		.raw([0x71, 0])
		.emptyTuple()
		.reduce()
		.raw([0x71, 1]);
	w.global("torch._utils", "_rebuild_tensor_v2").raw([0x71, 2], "0");
	w.global("torch", "FloatStorage").raw([0x71, 3], "0").mark();
	const head = w.stop().subarray(0, -1);
	const e = new PickleWriter(2);
	e.str("encoder.layers.0.attention.weight").raw([0x71, 4], [0x68, 2]).mark();
	e.mark()
		.str("storage")
		.raw([0x68, 3])
		.str("0")
		.str("cpu")
		.int(6)
		.tuple()
		.persid();
	e.int(0);
	e.tupleOf(2, () => e.int(2).int(3));
	e.tupleOf(2, () => e.int(3).int(1));
	e.bool(false).raw([0x68, 0]).emptyTuple().reduce();
	e.tuple().reduce().raw([0x71, 5]);
	const chunk = e.stop().subarray(2, -1); // without PROTO and STOP
	const copies = Math.ceil((100 * MB) / chunk.length);
	const data = Buffer.concat([
		head,
		...Array(copies).fill(chunk),
		Buffer.from("u."),
	]);
	const cpu = process.cpuUsage();
	const started = performance.now();
	const scan = scanPickle(data);
	const seconds = (performance.now() - started) / 1000;
	const used = process.cpuUsage(cpu);
	if (scan.error)
		throw new Error(`benchmark pickle is malformed: ${scan.error.message}`);
	return {
		bytes: data.length,
		seconds,
		cpuSeconds: (used.user + used.system) / 1e6,
		mbPerSecond: data.length / MB / seconds,
		imports: scan.importCount,
	};
}

/** checkModel on a folder with a 64→32→10 MLP and a 10,000-sample labelled set (child process included). */
async function accuracyBench(): Promise<{
	samples: number;
	seconds: number;
	accuracy: number | undefined;
	latencyP50Ms: number | undefined;
	latencyP95Ms: number | undefined;
}> {
	const model = join(folder, "mlp");
	const mlp = randomMlp();
	const set = labelledSet(mlp, 10_000, 9_000);
	await mkdir(join(model, "eval"), { recursive: true });
	await writeFile(join(model, "model.onnx"), mlpOnnx(mlp));
	await writeFile(join(model, "eval", "inputs.f32"), bytesOf(set.inputs));
	await writeFile(join(model, "eval", "labels.i32"), bytesOf(set.labels));
	await writeFile(
		join(model, "eval", "manifest.json"),
		JSON.stringify({
			inputs: "inputs.f32",
			labels: "labels.i32",
			metric: "accuracy",
			shape: [64],
		}),
	);
	const started = performance.now();
	const report = await checkModel(model);
	const seconds = (performance.now() - started) / 1000;
	const { accuracy, samples, latencyP50Ms, latencyP95Ms } = report.metrics;
	return {
		samples: samples ?? 0,
		seconds,
		accuracy,
		latencyP50Ms,
		latencyP95Ms,
	};
}

try {
	const safetensors = await safetensorsBench();
	const pickle = pickleBench();
	const accuracy = await accuracyBench();
	const result = {
		safetensors,
		pickle,
		accuracy,
		targets: {
			safetensorsMbPerSecond: 250,
			pickleMbPerSecond: 100,
			accuracySeconds: 1,
		},
	};
	if (json) {
		process.stdout.write(`${JSON.stringify(result)}\n`);
	} else {
		const f = (n: number, d = 1) => n.toFixed(d);
		// wall time is what a user waits; CPU time shows the cost when the machine is shared
		console.log(
			`check 1 GiB safetensors:  ${f(safetensors.mbPerSecond)} MB/s (${f(safetensors.seconds, 2)} s wall, ${f(safetensors.cpuSeconds, 2)} s CPU, target ≥ 250 MB/s)`,
		);
		console.log(
			`pickle scan ${f(pickle.bytes / MB)} MB:    ${f(pickle.mbPerSecond)} MB/s (${f(pickle.seconds, 2)} s wall, ${f(pickle.cpuSeconds, 2)} s CPU, ${pickle.imports} imports, target ≥ 100 MB/s)`,
		);
		console.log(
			`accuracy, ${accuracy.samples} samples:  ${f(accuracy.seconds, 2)} s wall (accuracy ${accuracy.accuracy}, p50 ${f(accuracy.latencyP50Ms ?? 0, 3)} ms, p95 ${f(accuracy.latencyP95Ms ?? 0, 3)} ms, target ≤ 1 s)`,
		);
	}
} finally {
	await rm(folder, { recursive: true, force: true });
}
