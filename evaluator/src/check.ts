import { stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { checkSource } from "./dispatch.ts";
import { EvaluatorIoError, MalformedFileError } from "./errors.ts";
import { findReadme, isSystemError, listFiles } from "./files.ts";
import {
	checkSafetensorsIndex,
	SAFETENSORS_INDEX,
} from "./formats/safetensors-index.ts";
import { checkIntegrity } from "./integrity.ts";
import { ModelFile, sha256File } from "./io.ts";
import { MANIFEST_PATH } from "./quality/manifest.ts";
import { Findings, SUITE, scoreOf, verdictOf } from "./report.ts";
import type {
	CheckOptions,
	FileReport,
	Format,
	Limits,
	Metrics,
	Report,
} from "./types.ts";

export const DEFAULT_LIMITS: Limits = {
	maxHeaderBytes: 100 * 1024 * 1024,
	maxPickleBytes: 1024 * 1024 * 1024,
	maxOnnxBytes: 1024 * 1024 * 1024,
	maxFiles: 10_000,
	maxZipEntries: 100_000,
	maxCompressionRatio: 100,
	maxZipUncompressedBytes: 256 * 1024 * 1024 * 1024,
	maxGgufCount: 10_000_000,
	evalTimeoutMs: 60_000,
	evalMemoryBytes: 2 * 1024 * 1024 * 1024,
};

const MODEL_FORMATS: ReadonlySet<string> = new Set([
	"safetensors",
	"onnx",
	"gguf",
	"pytorch-zip",
	"pytorch-legacy",
	"pickle",
	"joblib",
	"numpy",
	"keras",
]);

/**
 * Runs every check on a model file or folder and returns the report. Model code is never run
 * and no pickle is ever loaded: formats are parsed by hand, inference runs in a child process.
 * Hostile or broken files become findings; only an unreadable `path` throws (EvaluatorIoError).
 */
export async function checkModel(
	path: string,
	options: CheckOptions = {},
): Promise<Report> {
	const started = performance.now();
	const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
	const expected = options.expected ?? {};
	const findings = new Findings();
	const root = resolve(path);
	const info = await stat(root).catch((cause: unknown) => {
		throw new EvaluatorIoError(
			`cannot read ${path}: ${(cause as Error).message}`,
			{ cause },
		);
	});
	const isFolder = info.isDirectory();
	if (!isFolder && !info.isFile())
		throw new EvaluatorIoError(`${path} is neither a file nor a folder`);
	const folder = isFolder ? root : dirname(root);
	const names = isFolder
		? await listFiles(root, limits.maxFiles, findings)
		: [basename(root)];
	const card =
		options.card !== undefined
			? resolve(options.card)
			: isFolder
				? findReadme(root, names)
				: undefined;

	const files: FileReport[] = [];
	const metrics: Metrics = { files: 0, bytes: 0, durationMs: 0 };
	const onnxExternal = new Set<string>();
	const hash =
		!options.skipHash ||
		expected.sha256 !== undefined ||
		expected.cid !== undefined;
	for (const name of names) {
		const full = join(folder, name);
		const inEval = isFolder && name.startsWith(`eval${sep}`);
		let format: FileReport["format"] =
			full === card ? "card" : inEval ? "eval-set" : "other";
		const file = await ModelFile.open(full).catch((cause: unknown) => {
			throw new EvaluatorIoError(
				`cannot open ${full}: ${(cause as Error).message}`,
				{ cause },
			);
		});
		try {
			if (format === "other")
				format = await checkSource(file, name, {
					folder,
					findings,
					limits,
					metrics,
					onnxExternal,
				});
		} catch (error) {
			if (error instanceof MalformedFileError)
				findings.error(error.code, error.message, name);
			else if (isSystemError(error))
				throw new EvaluatorIoError(`cannot read ${full}: ${error.message}`, {
					cause: error,
				});
			// fail closed: a check that breaks on a file must not let it pass
			else
				findings.error(
					"check.internal-error",
					`the ${format} check stopped: ${String(error)}`,
					name,
				);
		} finally {
			await file.close();
		}
		files.push({
			path: name,
			format,
			bytes: file.size,
			...(hash ? { sha256: await sha256File(full) } : {}),
		});
		metrics.files++;
		metrics.bytes += file.size;
	}
	// raw tensor bytes an ONNX model reads as external data are explained by that model
	for (const file of files) {
		if (file.format !== "unknown" || !onnxExternal.has(join(folder, file.path)))
			continue;
		file.format = "onnx-data";
		const unknown = findings.list.findIndex(
			(f) => f.code === "format.unknown" && f.file === file.path,
		);
		if (unknown >= 0) findings.list.splice(unknown, 1);
	}
	for (const name of names.filter((n) => SAFETENSORS_INDEX.test(n))) {
		await checkSafetensorsIndex(folder, name, findings, limits);
	}
	const models = files.filter((f) => MODEL_FORMATS.has(f.format));
	if (models.length === 0)
		findings.warn("format.no-model", "no file in a known model format", null);

	await checkIntegrity(isFolder ? models : files, folder, expected, findings);
	if (card !== undefined) {
		// loaded when needed: the card's YAML and task list are most of the start-up time
		const { checkCard } = await import("./card.ts");
		await checkCard(
			card,
			relative(folder, card) || basename(card),
			findings,
			expected,
		).catch((cause: unknown) => {
			throw new EvaluatorIoError(
				`cannot read the model card ${card}: ${(cause as Error).message}`,
				{ cause },
			);
		});
	} else if (
		isFolder ||
		expected.license !== undefined ||
		expected.task !== undefined
	) {
		findings.warn(
			"card.missing",
			isFolder
				? "the folder has no README.md model card"
				: "no model card (--card) to compare the listing's license and task with",
			null,
		);
	}
	if (isFolder && !options.skipQuality && names.includes(MANIFEST_PATH)) {
		const { checkQuality } = await import("./quality/check.ts");
		await checkQuality(folder, files, findings, limits, metrics);
	}

	const verdict = verdictOf(findings.list);
	const formats = new Set(models.map((m) => m.format as Format));
	metrics.durationMs = Math.round(performance.now() - started);
	return {
		suite: SUITE,
		format:
			formats.size === 0
				? "unknown"
				: formats.size === 1
					? ([...formats][0] as Format)
					: "mixed",
		verdict,
		score: scoreOf(verdict, metrics),
		findings: findings.list,
		metrics,
		files,
	};
}
