import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { MalformedFileError } from "../errors.ts";
import type { Metric } from "./manifest.ts";

export type InferRequest = {
	model: string;
	inputs: string;
	labels: string;
	metric: Metric;
	k: number;
	shape: number[];
	input?: string;
	output?: string;
};

export type EvalResult = {
	metric: Metric;
	value: number;
	samples: number;
	latencyP50Ms: number;
	latencyP95Ms: number;
};

// beside this file: infer-child.ts in the sources, infer-child.js in the published build (dist/)
const CHILD = join(
	import.meta.dirname,
	import.meta.filename.endsWith(".ts") ? "infer-child.ts" : "infer-child.js",
);
const MEMORY_POLL_MS = 20;

/**
 * Runs inference in a child process. The child is killed when it outlives `timeoutMs` or its
 * resident memory (read from /proc) passes `memoryBytes`; the V8 heap is capped as well.
 */
export async function runEvaluation(
	request: InferRequest,
	limits: { timeoutMs: number; memoryBytes: number },
): Promise<EvalResult> {
	const heapMb = Math.max(64, Math.floor(limits.memoryBytes / (1024 * 1024)));
	const child = spawn(
		process.execPath,
		[`--max-old-space-size=${heapMb}`, CHILD],
		{ stdio: ["pipe", "pipe", "pipe"] },
	);
	let stdout = "";
	let stderr = "";
	let killedFor: MalformedFileError | undefined;
	const kill = (error: MalformedFileError): void => {
		killedFor ??= error;
		child.kill("SIGKILL");
	};
	const timer = setTimeout(
		() =>
			kill(
				new MalformedFileError(
					"eval.timeout",
					`inference took longer than ${limits.timeoutMs} ms`,
				),
			),
		limits.timeoutMs,
	);
	const poll = setInterval(async () => {
		const rss = await residentBytes(child.pid);
		if (rss !== undefined && rss > limits.memoryBytes) {
			kill(
				new MalformedFileError(
					"eval.memory-limit",
					`inference used ${rss} bytes of memory, over the limit of ${limits.memoryBytes}`,
				),
			);
		}
	}, MEMORY_POLL_MS);
	child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
		stdout += chunk;
	});
	child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
		stderr = (stderr + chunk).slice(-4000);
	});
	child.stdin.on("error", () => {}); // the child may die before reading its job
	child.stdin.end(JSON.stringify(request));
	const code = await new Promise<number | null>((done) =>
		child.on("close", done),
	);
	clearTimeout(timer);
	clearInterval(poll);
	if (killedFor) throw killedFor;
	if (code !== 0) {
		const reason =
			stderr
				.trim()
				.split("\n")
				.find((l) => /error/i.test(l)) ??
			stderr.trim().split("\n").at(-1) ??
			"";
		throw new MalformedFileError(
			"eval.failed",
			`inference exited with code ${code}: ${reason}`,
		);
	}
	return JSON.parse(stdout) as EvalResult;
}

async function residentBytes(
	pid: number | undefined,
): Promise<number | undefined> {
	if (pid === undefined) return undefined;
	const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
	const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
	return kb === undefined ? undefined : Number(kb) * 1024;
}
