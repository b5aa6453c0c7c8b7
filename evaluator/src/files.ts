import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { EvaluatorIoError } from "./errors.ts";
import type { Findings } from "./report.ts";

/** A failed system call (ENOENT, EIO, ...), as opposed to a problem in the file's content. */
export function isSystemError(error: unknown): error is NodeJS.ErrnoException {
	return (
		error instanceof Error &&
		typeof (error as NodeJS.ErrnoException).syscall === "string"
	);
}

/** Lists regular files below `root` (relative paths, sorted); symlinks are reported and skipped. */
export async function listFiles(
	root: string,
	maxFiles: number,
	findings: Findings,
): Promise<string[]> {
	const entries = await readdir(root, { recursive: true, withFileTypes: true });
	const out: string[] = [];
	for (const entry of entries) {
		const name = relative(root, join(entry.parentPath, entry.name));
		if (entry.isSymbolicLink())
			findings.warn(
				"path.symlink",
				`symbolic link ${name} was not followed`,
				name,
			);
		else if (entry.isFile()) out.push(name);
	}
	if (out.length > maxFiles)
		throw new EvaluatorIoError(
			`${out.length} files, over the limit of ${maxFiles}`,
		);
	return out.sort();
}

export function findReadme(root: string, names: string[]): string | undefined {
	const readme = names.find((n) => n.toLowerCase() === "readme.md");
	return readme === undefined ? undefined : join(root, readme);
}
