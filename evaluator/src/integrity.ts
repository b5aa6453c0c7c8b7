import { join } from "node:path";
import type { Findings } from "./report.ts";
import type { Expected, FileReport } from "./types.ts";

/** Compares the plaintext sha256 (and CID) with the listing: the one checked file, or the only model file. */
export async function checkIntegrity(
	candidates: FileReport[],
	folder: string,
	expected: Expected,
	findings: Findings,
): Promise<void> {
	if (expected.sha256 === undefined && expected.cid === undefined) return;
	const target = candidates.length === 1 ? candidates[0] : undefined;
	if (target === undefined) {
		findings.warn(
			"integrity.ambiguous",
			`expected hashes given but ${candidates.length} candidate files: check one file`,
			null,
		);
		return;
	}
	if (expected.sha256 !== undefined) {
		if (target.sha256 !== expected.sha256.toLowerCase()) {
			findings.error(
				"integrity.sha256-mismatch",
				`sha256 is ${target.sha256}, the listing says ${expected.sha256}`,
				target.path,
			);
		} else {
			findings.info(
				"integrity.sha256-match",
				"sha256 matches the listing",
				target.path,
			);
		}
	}
	if (expected.cid !== undefined) {
		// loaded on demand: the IPFS importer is the slowest module to load and only this needs it
		const { cidOfFile } = await import("./cid.ts");
		const cid = await cidOfFile(join(folder, target.path));
		if (cid !== expected.cid)
			findings.error(
				"integrity.cid-mismatch",
				`CID is ${cid}, the listing says ${expected.cid}`,
				target.path,
			);
		else
			findings.info(
				"integrity.cid-match",
				"CID matches the listing",
				target.path,
			);
	}
}
