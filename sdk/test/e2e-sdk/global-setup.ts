// Vitest global set-up: builds `subgraph/build` once, before any worker starts, so the end-to-end
// tests work from a fresh clone and parallel test files never run `graph build` at the same time.
import { ensureSubgraphBuild } from '../../../subgraph/scripts/ensure-build.ts'

export default function setup(): void {
  ensureSubgraphBuild()
}
