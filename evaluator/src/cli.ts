#!/usr/bin/env node
import { parseArgs } from "node:util";
import { checkModel } from "./check.ts";
import { EvaluatorError } from "./errors.ts";
import type { Report } from "./types.ts";

const USAGE = `Usage: evaluator check <file-or-folder> [options]
       evaluator agent --help

Checks a model file or folder without running model code: format integrity (safetensors, ONNX,
GGUF, PyTorch zip, pickle imports), the model card, the plaintext hash, and the evaluation set.

Options:
  --card <README.md>   model card to check (default: README.md of the folder)
  --license <spdx>     the listing's license; the card must match it
  --task <task>        the listing's pipeline type; the card must match it
  --sha256 <hex>       the version's plaintext sha256
  --cid <cid>          the version's CIDv1 (Kubo's ipfs add --cid-version=1)
  --no-eval            do not run the evaluation set
  --no-hash            do not hash the files (files[].sha256 left out; the checks alone)
  --json               print exactly the report as JSON
  -h, --help           show this help

Exit code: 0 pass or warn, 1 fail, 2 usage or I/O error.`;

/** Exit codes of the CLI. */
const EXIT = { ok: 0, fail: 1, usage: 2 } as const;

async function main(argv: string[]): Promise<number> {
	// loaded on demand: the agent needs the SDK, the checks do not
	if (argv[0] === "agent")
		return (await import("./agent/command.ts")).agentCommand(argv.slice(1));
	let parsed: ReturnType<typeof parse>;
	try {
		parsed = parse(argv);
	} catch (error) {
		process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
		return EXIT.usage;
	}
	const { values, positionals } = parsed;
	if (values.help) {
		process.stdout.write(`${USAGE}\n`);
		return EXIT.ok;
	}
	const [command, target, ...extra] = positionals;
	if (command !== "check" || target === undefined || extra.length > 0) {
		process.stderr.write(
			`${command === undefined || command === "check" ? "" : `unknown command: ${command}\n\n`}${USAGE}\n`,
		);
		return EXIT.usage;
	}
	if (values.sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(values.sha256)) {
		process.stderr.write("--sha256 must be 64 hex digits\n");
		return EXIT.usage;
	}
	let report: Report;
	try {
		report = await checkModel(target, {
			card: values.card,
			expected: {
				license: values.license,
				task: values.task,
				sha256: values.sha256,
				cid: values.cid,
			},
			skipQuality: values["no-eval"],
			skipHash: values["no-hash"],
		});
	} catch (error) {
		if (!(error instanceof EvaluatorError)) throw error;
		process.stderr.write(`evaluator: ${error.message}\n`);
		return EXIT.usage;
	}
	process.stdout.write(
		values.json ? `${JSON.stringify(report, null, 2)}\n` : human(report),
	);
	return report.verdict === "fail" ? EXIT.fail : EXIT.ok;
}

function parse(argv: string[]) {
	return parseArgs({
		args: argv,
		allowPositionals: true,
		options: {
			card: { type: "string" },
			license: { type: "string" },
			task: { type: "string" },
			sha256: { type: "string" },
			cid: { type: "string" },
			"no-eval": { type: "boolean", default: false },
			"no-hash": { type: "boolean", default: false },
			json: { type: "boolean", default: false },
			help: { type: "boolean", short: "h", default: false },
		},
	});
}

const MARK = { error: "✗", warn: "!", info: "·" } as const;

function human(report: Report): string {
	const lines = [
		`${report.verdict.toUpperCase()}  ${report.format}  score ${report.score}/1000000  (${report.suite})`,
	];
	for (const f of report.findings)
		lines.push(
			`  ${MARK[f.severity]} ${f.severity.padEnd(5)} ${f.code}  ${f.file ?? "-"}: ${f.message}`,
		);
	const m = report.metrics;
	const quality = [
		m.accuracy !== undefined ? `accuracy ${m.accuracy.toFixed(4)}` : "",
		m.topK !== undefined ? `top-${m.k} ${m.topK.toFixed(4)}` : "",
		m.mse !== undefined ? `mse ${m.mse.toPrecision(4)}` : "",
		m.latencyP50Ms !== undefined
			? `latency p50 ${m.latencyP50Ms.toFixed(3)} ms p95 ${(m.latencyP95Ms ?? 0).toFixed(3)} ms over ${m.samples} samples`
			: "",
	].filter(Boolean);
	if (quality.length > 0) lines.push(`  quality: ${quality.join(", ")}`);
	lines.push(`  ${m.files} file(s), ${m.bytes} bytes, ${m.durationMs} ms`);
	return `${lines.join("\n")}\n`;
}

process.exitCode = await main(process.argv.slice(2));
