// Side-by-side benchmark (not a test): picklescan, modelscan and fickling against the evaluator's
// checks, on the labelled corpus and on the same two 1 GiB files. Needs python3 and the package
// index (pip installs the three scanners into a throw-away virtual environment).
//
//   npm run bench:peers -w evaluator [-- --venv <dir>] [--json] [--no-throughput]
//
// --venv reuses (or creates and keeps) a virtual environment; without it one is made under the OS
// temp folder and removed at the end.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { crc32 } from "node:zlib";
import { stateDictPickle } from "../src/fixtures/pickle.ts";
import { checkModel } from "../src/index.ts";

const args = process.argv.slice(2);
const json = args.includes("--json");
const venvArg = args.indexOf("--venv");
const root = join(import.meta.dirname, "..");
const corpus = join(root, "corpus");
const GiB = 1024 * 1024 * 1024;
const MB = 1e6;
const TIMEOUT_MS = 15 * 60 * 1000;
const log = (line: string) => {
	if (!json) process.stderr.write(`${line}\n`);
};

type Outcome = "flagged" | "clean" | "error";
type Tool = {
	name: string;
	version: string;
	/** Classifies one path (file or folder) of the corpus. */
	run(path: string): Promise<Outcome>;
	/** Checks one large file as a process of its own (timed with its start-up); default `run`. */
	time?(path: string): Promise<Outcome>;
	/** Seconds the tool's own scan of one file takes inside its process (start-up excluded). */
	scan(path: string): Promise<number>;
};

const work = await mkdtemp(join(tmpdir(), "evaluator-peers-"));
const venv =
	venvArg >= 0 ? resolve(args[venvArg + 1] as string) : join(work, "venv");
const bin = (name: string) => join(venv, "bin", name);

function sh(command: string, argv: string[]): string {
	const result = spawnSync(command, argv, { encoding: "utf8" });
	if (result.status !== 0)
		throw new Error(
			`${command} ${argv.join(" ")} failed: ${result.stderr || result.error}`,
		);
	return result.stdout;
}

if (!existsSync(bin("python"))) {
	log(`creating a virtual environment in ${venv}`);
	sh("python3", ["-m", "venv", venv]);
}
log("installing picklescan, modelscan, fickling");
// fickling 0.1.x imports typing_extensions without declaring it
sh(bin("pip"), [
	"install",
	"-q",
	"picklescan",
	"modelscan",
	"fickling",
	"typing_extensions",
]);
const versions = JSON.parse(
	sh(bin("python"), [
		"-c",
		"import importlib.metadata as m, json; print(json.dumps({p: m.version(p) for p in ['picklescan', 'modelscan', 'fickling']}))",
	]),
) as Record<string, string>;

/** Runs a command; the exit code and whether Python died with a traceback. */
function exec(
	command: string,
	argv: string[],
): Promise<{
	code: number | null;
	traceback: boolean;
	timedOut: boolean;
	stdout: string;
}> {
	return new Promise((done) => {
		// in the scratch folder: fickling writes safety_results.json where it runs
		const child = spawn(command, argv, {
			cwd: work,
			stdio: ["ignore", "pipe", "pipe"],
		});
		let stderr = "";
		let stdout = "";
		child.stdout.on("data", (chunk: Buffer) => {
			if (stdout.length < 1 << 16) stdout += chunk.toString();
		});
		child.stderr.on("data", (chunk: Buffer) => {
			if (stderr.length < 1 << 16) stderr += chunk.toString();
		});
		const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
		child.on("close", (code) => {
			clearTimeout(timer);
			done({
				code,
				traceback: stderr.includes("Traceback"),
				timedOut: code === null,
				stdout,
			});
		});
	});
}

/** Times `call` (Python, with `path` bound) inside the tool's own interpreter: the last line printed. */
async function pythonScan(setup: string, call: string, path: string): Promise<number> {
	const program = [
		"import sys, time",
		setup,
		"path = sys.argv[1]",
		"started = time.perf_counter()",
		"try:",
		`    ${call}`,
		"except Exception:",
		"    pass",
		"print(time.perf_counter() - started)",
	].join("\n");
	const { stdout } = await exec(bin("python"), ["-c", program, path]);
	const seconds = Number(stdout.trim().split("\n").at(-1));
	if (!Number.isFinite(seconds)) throw new Error(`no timing from: ${setup}`);
	return seconds;
}

async function ourScan(path: string, skipHash: boolean): Promise<number> {
	const started = performance.now();
	await checkModel(path, { skipQuality: true, skipHash });
	return (performance.now() - started) / 1000;
}

/** Our CLI on one file, as a process; exit 0 pass or warn, 1 fail. */
async function cli(path: string, extra: string[]): Promise<Outcome> {
	const { code } = await exec(process.execPath, [
		join(root, "src", "cli.ts"),
		"check",
		path,
		"--json",
		"--no-eval",
		...extra,
	]);
	return code === 0 ? "clean" : code === 1 ? "flagged" : "error";
}

/** Folders (ONNX samples) are scanned file by file by the tools that take one file. */
function filesOf(path: string): string[] {
	const listing = spawnSync("find", [path, "-type", "f"], { encoding: "utf8" });
	return listing.stdout.split("\n").filter(Boolean).sort();
}

const tools: Tool[] = [
	{
		name: "ours (evaluator)",
		version: JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
			.version,
		async run(path) {
			const report = await checkModel(path, { skipQuality: true });
			return report.verdict === "fail" ? "flagged" : "clean";
		},
		// timed like the peers: a process (the CLI), start-up included, the checks alone
		time: (path) => cli(path, ["--no-hash"]),
		scan: (path) => ourScan(path, true),
	},
	{
		name: "ours, with sha256",
		version: "same",
		async run(path) {
			const report = await checkModel(path, { skipQuality: true });
			return report.verdict === "fail" ? "flagged" : "clean";
		},
		// what `evaluator check` does by default: the report carries every file's sha256
		time: (path) => cli(path, []),
		scan: (path) => ourScan(path, false),
	},
	{
		name: "picklescan",
		version: versions.picklescan as string,
		// 0 clean, 1 dangerous globals found, 2 scan error
		async run(path) {
			const { code } = await exec(bin("picklescan"), ["-p", path]);
			return code === 0 ? "clean" : code === 1 ? "flagged" : "error";
		},
		scan: (path) =>
			pythonScan(
				"from picklescan.scanner import scan_file_path",
				"scan_file_path(path)",
				path,
			),
	},
	{
		name: "modelscan",
		version: versions.modelscan as string,
		// 0 no issues, 1 issues found, 2 scan failed, 3 no supported files (nothing flagged)
		async run(path) {
			const { code } = await exec(bin("modelscan"), ["-p", path]);
			return code === 0 || code === 3
				? "clean"
				: code === 1
					? "flagged"
					: "error";
		},
		scan: (path) =>
			pythonScan(
				"from modelscan.modelscan import ModelScan\nfrom modelscan.settings import DEFAULT_SETTINGS",
				"ModelScan(settings=DEFAULT_SETTINGS).scan(path)",
				path,
			),
	},
	{
		name: "fickling",
		version: versions.fickling as string,
		// --check-safety: 0 likely safe, 1 unsafe; a Python traceback is an error
		async run(path) {
			let outcome: Outcome = "clean";
			for (const file of filesOf(path)) {
				const { code, traceback } = await exec(bin("fickling"), [
					"--check-safety",
					file,
				]);
				if (traceback || code === null) outcome = "error";
				else if (code !== 0) return "flagged";
			}
			return outcome;
		},
		scan: (path) =>
			pythonScan(
				"from fickling.analysis import is_likely_safe",
				"is_likely_safe(path)",
				path,
			),
	},
];

type Row = {
	tool: string;
	version: string;
	hostileCaught: number;
	hostile: number;
	benignPassed: number;
	benign: number;
	errors: number;
	missed: string[];
	falseAlarms: string[];
	throughput: Record<
		string,
		{ seconds: number; scanSeconds: number; mbPerSecond: number }
	>;
};

const { samples } = JSON.parse(
	readFileSync(join(corpus, "labels.json"), "utf8"),
) as { samples: { path: string; label: "hostile" | "benign" }[] };

const rows: Row[] = [];
const corpusRun = !args.includes("--no-corpus");
for (const tool of tools) {
	log(`${tool.name} ${tool.version}: ${samples.length} corpus samples`);
	const row: Row = {
		tool: tool.name,
		version: tool.version,
		hostileCaught: 0,
		hostile: 0,
		benignPassed: 0,
		benign: 0,
		errors: 0,
		missed: [],
		falseAlarms: [],
		throughput: {},
	};
	for (const sample of corpusRun ? samples : []) {
		const outcome = await tool.run(join(corpus, "files", sample.path));
		if (outcome === "error") row.errors++;
		if (sample.label === "hostile") {
			row.hostile++;
			if (outcome === "flagged") row.hostileCaught++;
			else row.missed.push(sample.path);
		} else {
			row.benign++;
			if (outcome === "clean") row.benignPassed++;
			else row.falseAlarms.push(sample.path);
		}
	}
	rows.push(row);
}

/** The two large files every tool reads: a torch.save zip and a NumPy array pickle, 1 GiB each. */
async function largeFiles(): Promise<Record<string, string>> {
	const block = Buffer.alloc(16 * 1024 * 1024);
	for (let i = 0; i < block.length; i += 4) block.writeFloatLE(Math.sin(i), i);

	// torch.save zip: data.pkl (one float32 tensor), the storage data/0, version
	const zipPath = join(work, "large.pt");
	const dataPkl = stateDictPickle(2, ["weight"]);
	const storageBytes = GiB - 512;
	const local = (name: string, size: number, crc: number) => {
		const header = Buffer.alloc(30);
		header.writeUInt32LE(0x04034b50, 0);
		header.writeUInt16LE(20, 4);
		header.writeUInt32LE(crc, 14);
		header.writeUInt32LE(size, 18);
		header.writeUInt32LE(size, 22);
		header.writeUInt16LE(Buffer.byteLength(name), 26);
		return Buffer.concat([header, Buffer.from(name)]);
	};
	const central = (name: string, size: number, crc: number, at: number) => {
		const record = Buffer.alloc(46);
		record.writeUInt32LE(0x02014b50, 0);
		record.writeUInt16LE(20, 4);
		record.writeUInt16LE(20, 6);
		record.writeUInt32LE(crc, 16);
		record.writeUInt32LE(size, 20);
		record.writeUInt32LE(size, 24);
		record.writeUInt16LE(Buffer.byteLength(name), 28);
		record.writeUInt32LE(at, 42);
		return Buffer.concat([record, Buffer.from(name)]);
	};
	let storageCrc = 0;
	for (let left = storageBytes; left > 0; left -= block.length)
		storageCrc = crc32(block.subarray(0, Math.min(left, block.length)), storageCrc);
	const members: [string, Buffer | number, number][] = [
		["archive/data.pkl", dataPkl, crc32(dataPkl)],
		["archive/data/0", storageBytes, storageCrc],
		["archive/version", Buffer.from("3\n"), crc32("3\n")],
	];
	let handle = await open(zipPath, "w");
	let offset = 0;
	const directory: Buffer[] = [];
	for (const [name, data, crc] of members) {
		const size = typeof data === "number" ? data : data.length;
		directory.push(central(name, size, crc, offset));
		const header = local(name, size, crc);
		await handle.write(header);
		offset += header.length + size;
		if (typeof data !== "number") await handle.write(data);
		else
			for (let left = data; left > 0; left -= block.length)
				await handle.write(block.subarray(0, Math.min(left, block.length)));
	}
	const dir = Buffer.concat(directory);
	const end = Buffer.alloc(22);
	end.writeUInt32LE(0x06054b50, 0);
	end.writeUInt16LE(members.length, 8);
	end.writeUInt16LE(members.length, 10);
	end.writeUInt32LE(dir.length, 12);
	end.writeUInt32LE(offset, 16);
	await handle.write(Buffer.concat([dir, end]));
	await handle.close();

	// pickle.dumps(numpy array, protocol=4) shape: _reconstruct(ndarray, (0,), b'b'), then
	// BUILD with (1, shape, dtype('u1'), False, <the array's bytes as BINBYTES8>)
	const picklePath = join(work, "large.pkl");
	const str = (s: string) =>
		Buffer.concat([Buffer.from([0x8c, s.length]), Buffer.from(s)]);
	const head = Buffer.concat([
		Buffer.from([0x80, 0x04]),
		str("numpy.core.multiarray"),
		str("_reconstruct"),
		Buffer.from([0x93]),
		str("numpy"),
		str("ndarray"),
		Buffer.from([0x93, 0x4b, 0x00, 0x85]),
		Buffer.from([0x43, 0x01, 0x62, 0x87, 0x52]),
		Buffer.from([0x28, 0x4b, 0x01]),
	]);
	const tail = Buffer.concat([
		Buffer.from([0x4a, 0, 0, 0, 0, 0x85]),
		str("numpy"),
		str("dtype"),
		Buffer.from([0x93]),
		str("u1"),
		Buffer.from([0x89, 0x88, 0x87, 0x52, 0x89]),
	]);
	const bytesLength = GiB - head.length - tail.length - 9 - 3;
	tail.writeInt32LE(bytesLength, 1);
	handle = await open(picklePath, "w");
	const length = Buffer.alloc(9);
	length[0] = 0x8e;
	length.writeBigUInt64LE(BigInt(bytesLength), 1);
	await handle.write(Buffer.concat([head, tail, length]));
	for (let left = bytesLength; left > 0; left -= block.length)
		await handle.write(block.subarray(0, Math.min(left, block.length)));
	await handle.write(Buffer.from([0x74, 0x62, 0x2e]));
	await handle.close();
	return { "torch zip": zipPath, "NumPy pickle": picklePath };
}

if (!args.includes("--no-throughput")) {
	log("writing the two 1 GiB files");
	const files = await largeFiles();
	for (const [label, path] of Object.entries(files)) {
		for (const [i, tool] of tools.entries()) {
			const row = rows[i] as Row;
			const started = performance.now();
			const outcome = await (tool.time ?? tool.run)(path);
			const seconds = (performance.now() - started) / 1000;
			const scanSeconds = await tool.scan(path);
			row.throughput[label] = {
				seconds,
				scanSeconds,
				mbPerSecond: GiB / MB / scanSeconds,
			};
			log(
				`${tool.name} on the 1 GiB ${label}: ${seconds.toFixed(1)} s as a process (${outcome}), scan ${scanSeconds.toFixed(2)} s`,
			);
		}
		await rm(path);
	}
}

// the throw-away environment lives in `work`; one given with --venv is kept
await rm(work, { recursive: true, force: true });

if (json) {
	process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
} else {
	const labels = Object.keys(rows[0]?.throughput ?? {});
	const header = [
		"tool",
		"version",
		"hostile caught",
		"benign passed",
		"errors",
		...labels.flatMap((l) => [`MB/s ${l} (scan)`, `s ${l} (process)`]),
	];
	const lines = rows.map((r) => [
		r.tool,
		r.version,
		`${r.hostileCaught}/${r.hostile}`,
		`${r.benignPassed}/${r.benign}`,
		String(r.errors),
		...labels.flatMap((l) => [
			(r.throughput[l]?.mbPerSecond ?? 0).toFixed(0),
			(r.throughput[l]?.seconds ?? 0).toFixed(1),
		]),
	]);
	const table = [header, header.map(() => "---"), ...lines]
		.map((cells) => `| ${cells.join(" | ")} |`)
		.join("\n");
	process.stdout.write(`${table}\n\n`);
	for (const r of rows) {
		if (r.missed.length > 0)
			process.stdout.write(`${r.tool} missed: ${r.missed.join(", ")}\n`);
		if (r.falseAlarms.length > 0)
			process.stdout.write(
				`${r.tool} flagged benign: ${r.falseAlarms.join(", ")}\n`,
			);
	}
}
