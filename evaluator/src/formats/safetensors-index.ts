import { readFile, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { ModelFile } from "../io.ts";
import type { Findings } from "../report.ts";
import type { Limits } from "../types.ts";

/** Hugging Face's index of a sharded checkpoint, by its conventional name. */
export const SAFETENSORS_INDEX = /(^|[\\/])[^\\/]*\.safetensors\.index\.json$/;

/**
 * Checks `*.safetensors.index.json`: its `weight_map` names shards inside the folder that exist,
 * and every tensor it maps is in the header of its shard (the shards' own checks do the rest).
 */
export async function checkSafetensorsIndex(
	folder: string,
	name: string,
	findings: Findings,
	limits: Limits,
): Promise<void> {
	const path = join(folder, name);
	if ((await stat(path)).size > limits.maxHeaderBytes) {
		findings.error(
			"safetensors.index-invalid",
			`index over the limit of ${limits.maxHeaderBytes} bytes`,
			name,
		);
		return;
	}
	let map: unknown;
	try {
		map = (JSON.parse(await readFile(path, "utf8")) as { weight_map?: unknown })
			.weight_map;
	} catch (error) {
		findings.error(
			"safetensors.index-invalid",
			`index is not valid JSON: ${(error as Error).message}`,
			name,
		);
		return;
	}
	if (
		typeof map !== "object" ||
		map === null ||
		Array.isArray(map) ||
		!Object.values(map).every((v) => typeof v === "string")
	) {
		findings.error(
			"safetensors.index-invalid",
			"weight_map must map tensor names to shard file names",
			name,
		);
		return;
	}
	const byShard = new Map<string, string[]>();
	for (const [tensor, shard] of Object.entries(map as Record<string, string>))
		byShard.set(shard, [...(byShard.get(shard) ?? []), tensor]);
	for (const [shard, tensors] of byShard) {
		const shardPath = join(folder, dirname(name), shard);
		const inside = relative(folder, shardPath);
		if (isAbsolute(shard) || inside === ".." || inside.startsWith(`..${sep}`)) {
			findings.error(
				"safetensors.index-escape",
				`shard ${shard} is outside the model folder`,
				name,
			);
			continue;
		}
		const names = await headerNames(shardPath, limits);
		if (names === "missing") {
			findings.error(
				"safetensors.index-missing-shard",
				`shard ${shard} (${tensors.length} tensors) is not in the folder`,
				name,
			);
			continue;
		}
		const absent =
			names === "unreadable" ? [] : tensors.filter((t) => !names.has(t));
		if (absent.length > 0) {
			const listed = absent.slice(0, 5).join(", ");
			findings.error(
				"safetensors.index-missing-tensor",
				`${absent.length} tensors mapped to ${shard} are not in it: ${listed}${absent.length > 5 ? ", …" : ""}`,
				name,
			);
		}
	}
}

/** Tensor names in a shard's header; "unreadable" leaves the header's problems to the shard's own check. */
async function headerNames(
	path: string,
	limits: Limits,
): Promise<Set<string> | "missing" | "unreadable"> {
	const file = await ModelFile.open(path).catch(() => undefined);
	if (file === undefined) return "missing";
	try {
		if (file.size < 8) return "unreadable";
		const length = (await file.read(0, 8, "safetensors")).readBigUInt64LE(0);
		if (length > BigInt(Math.min(limits.maxHeaderBytes, file.size - 8)))
			return "unreadable";
		const header: unknown = JSON.parse(
			(await file.read(8, Number(length), "safetensors")).toString("utf8"),
		);
		return typeof header === "object" && header !== null
			? new Set(Object.keys(header))
			: "unreadable";
	} catch {
		return "unreadable";
	} finally {
		await file.close();
	}
}
