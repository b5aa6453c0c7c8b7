import type { Finding, Severity, Verdict } from "./types.ts";

/**
 * Version of the checks: raised whenever a rule changes what passes (a new rule, a fixed bypass),
 * so an attestation made under older rules can be told apart and re-checked (`evaluator agent`).
 * 2: every byte explained (data after STOP, legacy torch.save storages, zip layout), every
 * container opened (npy/npz object arrays, joblib, Keras, gzip/zlib), unknown formats searched.
 */
export const CHECKS_VERSION = 2;

/** The suite attested on-chain: the checks' name and version. */
export const SUITE = `ai-model-marketplace/checks@${CHECKS_VERSION}`;

/** The checks version a suite string records, or undefined for another suite. */
export function checksVersionOf(suite: string): number | undefined {
	const match = /^ai-model-marketplace\/checks@(\d+)$/.exec(suite);
	return match ? Number(match[1]) : undefined;
}

export const MAX_SCORE = 1_000_000;

/** Collects the findings of one file; checks report through it instead of returning lists. */
export class Findings {
	readonly list: Finding[] = [];

	add(
		severity: Severity,
		code: string,
		message: string,
		file: string | null,
	): void {
		this.list.push({ severity, code, message, file });
	}

	error(code: string, message: string, file: string | null): void {
		this.add("error", code, message, file);
	}

	warn(code: string, message: string, file: string | null): void {
		this.add("warn", code, message, file);
	}

	info(code: string, message: string, file: string | null): void {
		this.add("info", code, message, file);
	}
}

export function verdictOf(findings: readonly Finding[]): Verdict {
	if (findings.some((f) => f.severity === "error")) return "fail";
	if (findings.some((f) => f.severity === "warn")) return "warn";
	return "pass";
}

/**
 * A failed model scores 0. Otherwise the quality metric sets the score when an evaluation set ran
 * (accuracy in ppm, MSE as 1/(1+mse)); without one, pass is the full score and warn half of it.
 */
export function scoreOf(
	verdict: Verdict,
	quality: { accuracy?: number; topK?: number; mse?: number },
): number {
	if (verdict === "fail") return 0;
	const metric =
		quality.accuracy ??
		quality.topK ??
		(quality.mse === undefined ? undefined : 1 / (1 + quality.mse));
	if (metric !== undefined)
		return Math.round(Math.min(1, Math.max(0, metric)) * MAX_SCORE);
	return verdict === "pass" ? MAX_SCORE : MAX_SCORE / 2;
}
