import { ensureSubgraphBuild } from "../scripts/ensure-build.ts";

export default function setup(): void {
  ensureSubgraphBuild();
}
