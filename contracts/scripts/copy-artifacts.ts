// Copies what the published package deploys from the repository's `hardhat build` output into the
// package's own artifacts/ folder: the AccessManager, the ERC-1967 proxy and the six implementations,
// with the build info `./upgrade` validates storage layouts against. Run by `npm run build -w contracts`.
import { cpSync, mkdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { artifactPaths, artifactsDir, readArtifact } from '../deploy/artifacts.ts'

const target = join(import.meta.dirname, '..', 'artifacts')
rmSync(target, { recursive: true, force: true })
const buildInfos = new Set<string>()
for (const [name, path] of Object.entries(artifactPaths)) {
  const artifact = readArtifact(name)
  mkdirSync(dirname(join(target, path)), { recursive: true })
  cpSync(join(artifactsDir, path), join(target, path))
  if (artifact.buildInfoId) buildInfos.add(artifact.buildInfoId)
}
mkdirSync(join(target, 'build-info'), { recursive: true })
for (const id of buildInfos) {
  for (const file of [`${id}.json`, `${id}.output.json`]) cpSync(join(artifactsDir, 'build-info', file), join(target, 'build-info', file))
}
console.log(`artifacts: ${Object.keys(artifactPaths).length} contracts, ${buildInfos.size} build info`)
