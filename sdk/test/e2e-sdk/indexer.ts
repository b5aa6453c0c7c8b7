// The local indexer (devnode) running the built subgraph against the test chain's deployment.
import { startDevnode } from '@ai-model-marketplace/devnode'
import { ensureSubgraphBuild } from '../../../subgraph/scripts/ensure-build.ts'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type YAMLMap, parseDocument } from 'yaml'
import type { Deployment } from '../../src/contracts/types.ts'

/** Starts devnode on a copy of `subgraph/build` whose data sources point at `deployment` (what `graph build --network` does). */
export async function startIndexer(provider: unknown, deployment: Deployment, options: { pollIntervalMs?: number } = {}) {
  // Already done by the test set-up (a quick freshness check then); needed when the benchmark calls this.
  const subgraphBuild = ensureSubgraphBuild()
  const dir = await mkdtemp(join(tmpdir(), 'amm-sdk-subgraph-'))
  await cp(subgraphBuild, dir, { recursive: true })
  const manifestPath = join(dir, 'subgraph.yaml')
  const manifest = parseDocument(await readFile(manifestPath, 'utf8'))
  for (const source of (manifest.get('dataSources') as { items: YAMLMap[] }).items) {
    const name = source.get('name') as keyof Deployment['contracts']
    source.setIn(['source', 'address'], deployment.contracts[name].address)
    source.setIn(['source', 'startBlock'], Number(deployment.contracts[name].blockNumber))
  }
  await writeFile(manifestPath, manifest.toString())
  const node = await startDevnode({ subgraphDir: dir, provider: provider as never, port: 0, pollIntervalMs: options.pollIntervalMs ?? 50, name: 'ai-model-marketplace' })
  return {
    node,
    url: node.graphqlUrl,
    async stop() {
      await node.stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
