import { readFile, stat } from "node:fs/promises";
import { PIPELINE_TYPES } from "@huggingface/tasks";
import { parseDocument } from "yaml";
import type { Findings } from "./report.ts";
import type { Expected } from "./types.ts";

const MAX_CARD_BYTES = 1024 * 1024;
/** Few aliases are legitimate in a card; a low cap refuses billion-laughs expansion early. */
const MAX_ALIASES = 50;

/** Sections a card must have: a heading (any level) matching each pattern. */
export const REQUIRED_SECTIONS: readonly { name: string; heading: RegExp }[] = [
	{ name: "Intended uses", heading: /\buses?\b|intended use/i },
	{ name: "Limitations", heading: /limitation|risk|bias/i },
	{ name: "Training data", heading: /training/i },
	{ name: "Evaluation", heading: /evaluation|results/i },
];

const KNOWN_TASKS: ReadonlySet<string> = new Set(PIPELINE_TYPES);

/**
 * Checks a model card: YAML front matter parsed safely (core schema, no custom tags, unique
 * keys, aliases capped), `license` equal to the listing's SPDX id, `pipeline_tag` a known
 * pipeline type (and the listing's task), and the required sections present.
 */
export async function checkCard(
	path: string,
	name: string,
	findings: Findings,
	expected: Expected,
): Promise<void> {
	const { size } = await stat(path);
	if (size > MAX_CARD_BYTES) {
		findings.error(
			"card.too-large",
			`model card of ${size} bytes, over the limit of ${MAX_CARD_BYTES}`,
			name,
		);
		return;
	}
	const content = (await readFile(path, "utf8")).replace(/^\uFEFF/, "");
	const match = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(content);
	const body = match ? content.slice(match[0].length) : content;
	const meta = match
		? parseFrontMatter(match[1] as string, name, findings)
		: undefined;
	if (!match)
		findings.warn(
			"card.no-front-matter",
			"model card has no YAML front matter (license, pipeline_tag)",
			name,
		);

	if (meta) {
		const license = meta.license;
		if (typeof license !== "string") {
			findings.error("card.no-license", "front matter has no license", name);
		} else if (
			expected.license !== undefined &&
			license.toLowerCase() !== expected.license.toLowerCase()
		) {
			findings.error(
				"card.license-mismatch",
				`card license "${license}" differs from the listing's "${expected.license}"`,
				name,
			);
		}
		const task = meta.pipeline_tag;
		if (typeof task !== "string") {
			findings.warn("card.no-task", "front matter has no pipeline_tag", name);
		} else if (!KNOWN_TASKS.has(task)) {
			findings.error(
				"card.unknown-task",
				`pipeline_tag "${task}" is not a known pipeline type`,
				name,
			);
		} else if (expected.task !== undefined && task !== expected.task) {
			findings.error(
				"card.task-mismatch",
				`card task "${task}" differs from the listing's "${expected.task}"`,
				name,
			);
		}
	}
	if (expected.task !== undefined && !KNOWN_TASKS.has(expected.task)) {
		findings.error(
			"card.unknown-task",
			`listing task "${expected.task}" is not a known pipeline type`,
			name,
		);
	}

	const headings = [...body.matchAll(/^#{1,6}[ \t]+(.+)$/gm)].map(
		(m) => m[1] as string,
	);
	for (const section of REQUIRED_SECTIONS) {
		if (!headings.some((h) => section.heading.test(h))) {
			findings.warn(
				"card.missing-section",
				`model card has no "${section.name}" section`,
				name,
			);
		}
	}
}

function parseFrontMatter(
	yaml: string,
	name: string,
	findings: Findings,
): Record<string, unknown> | undefined {
	let doc: ReturnType<typeof parseDocument>;
	try {
		doc = parseDocument(yaml, {
			schema: "core",
			customTags: [],
			uniqueKeys: true,
			prettyErrors: false,
		});
	} catch (error) {
		// the parser recurses: absurd nesting ends in a RangeError, which is a broken card
		findings.error(
			"card.yaml-invalid",
			`front matter cannot be parsed: ${(error as Error).message}`,
			name,
		);
		return undefined;
	}
	const tagWarning = doc.warnings.find((w) => w.code === "TAG_RESOLVE_FAILED");
	if (tagWarning) {
		findings.error(
			"card.yaml-custom-tag",
			`front matter uses a tag the core schema does not know: ${tagWarning.message}`,
			name,
		);
		return undefined;
	}
	if (doc.errors.length > 0) {
		findings.error(
			"card.yaml-invalid",
			`front matter is not valid YAML: ${doc.errors[0]?.message}`,
			name,
		);
		return undefined;
	}
	let value: unknown;
	try {
		value = doc.toJS({ maxAliasCount: MAX_ALIASES });
	} catch (error) {
		const message = (error as Error).message;
		findings.error(
			/alias/i.test(message) ? "card.yaml-alias-bomb" : "card.yaml-invalid",
			`front matter refused: ${message}`,
			name,
		);
		return undefined;
	}
	if (typeof value !== "object" || value === null || Array.isArray(value)) {
		findings.error("card.yaml-invalid", "front matter is not a mapping", name);
		return undefined;
	}
	return value as Record<string, unknown>;
}
