import type { Findings } from "../report.ts";
import { PICKLE_ALLOWED_IMPORTS } from "./allowlist.ts";

/**
 * One `pickle.unsafe-import` error per import outside the allow-list (and `extra`), naming the
 * import and the offset of the opcode that made it (`base` is where the pickle starts in the file).
 */
export function reportImports(
	scan: { imports: readonly string[]; offsets: readonly number[] },
	name: string,
	findings: Findings,
	flagged: Set<string>,
	base = 0,
	extra?: ReadonlySet<string>,
): void {
	scan.imports.forEach((imported, i) => {
		if (
			PICKLE_ALLOWED_IMPORTS.has(imported) ||
			extra?.has(imported) ||
			flagged.has(imported)
		)
			return;
		flagged.add(imported);
		const what =
			imported === "?.?"
				? "an import whose name is not a string the scanner can resolve"
				: imported;
		findings.error(
			"pickle.unsafe-import",
			`pickle imports ${what} at offset ${base + (scan.offsets[i] ?? 0)}, which is not on the allow-list`,
			name,
		);
	});
}
