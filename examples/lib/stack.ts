// The repository's local marketplace: the CLI's `startLocalStack` (`@ai-model-marketplace/cli/stack`,
// what `amm dev` runs) over this checkout's subgraph build, rebuilt first when missing or stale. The
// demo, the dev stack, the tests and the web app's browser tests (examples/web/test/stack.ts) start it here.
import { join } from 'node:path'
import { type LocalStackOptions, startLocalStack as startStack } from '../../cli/src/stack.ts'
import buildSubgraphIfStale from '../../subgraph/test/global-setup.ts'

export async function startLocalStack(options: LocalStackOptions = {}) {
  // compiles the contracts and rebuilds the subgraph when missing or older than their sources
  buildSubgraphIfStale()
  options.log?.('contracts and subgraph built (rebuilt when missing or older than their sources)')
  return startStack({ subgraphDir: join(import.meta.dirname, '..', '..', 'subgraph', 'build'), ...options })
}
