import { createReadStream } from "node:fs";
import { importer } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";
import type { CID } from "multiformats/cid";

/** Blocks are hashed to build the CID and thrown away: only the root is wanted. */
const discard = { put: async (cid: CID) => cid };

/**
 * CIDv1 of a file exactly as Kubo's `ipfs add --cid-version=1` computes it: raw leaves, 256 KiB
 * chunks, balanced DAG of at most 174 links (the marketplace's one CID profile).
 */
export async function cidOfFile(path: string): Promise<string> {
	let root: string | undefined;
	for await (const entry of importer(
		[{ content: createReadStream(path, { highWaterMark: 262144 }) }],
		discard as never,
		{
			cidVersion: 1,
			rawLeaves: true,
			chunker: fixedSize({ chunkSize: 262144 }),
			layout: balanced({ maxChildrenPerNode: 174 }),
			wrapWithDirectory: false,
		},
	)) {
		root = entry.cid.toString();
	}
	if (root === undefined) throw new Error("importer produced no root");
	return root;
}
