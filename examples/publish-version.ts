// Publishes a new version of a model you own: buyers' existing licenses open it without a new purchase.
import { id, required, runScript } from './lib/cli.ts'
import { archiveInputsFromPath } from './lib/sdk.ts'
import { bytes, ok, progressBar } from './lib/ui.ts'

await runScript({
  usage: `Usage: node examples/publish-version.ts --model <id> --dir <folder|file> --semver <x.y.z> [--changelog <text>]

Publishes the next version of a model you own. It is encrypted with a key derived from the model
key every buyer already holds, so existing buyers download it without buying again.
  --model <id>          the model (required)
  --dir <path>          the new version's folder or file (required)
  --semver <x.y.z>      its semantic version (required)
  --changelog <text>    release notes (Markdown)`,
  options: { model: { type: 'string' }, dir: { type: 'string' }, semver: { type: 'string' }, changelog: { type: 'string' } },
  wallet: 'alice',
  async run(flags, { client, signer }) {
    const account = signer()
    const modelId = id(flags.model, 'model')
    const files = await archiveInputsFromPath(required(flags.dir, 'dir'))
    const total = files.reduce((n, f) => n + f.size, 0)
    const bar = progressBar('upload')
    const published = await client.publishVersion({
      modelId,
      files,
      semver: required(flags.semver, 'semver'),
      changelog: flags.changelog,
      onProgress: (p) => p.stage === 'adding' && bar.update(p.bytes, p.totalBytes),
    })
    bar.done(total)
    ok(`${account.name} published model #${modelId} v${published.version} (${flags.semver}, ${bytes(total)})`)
    ok(`content CID ${published.contentCID}  sha256 ${published.sha256}`)
    console.log(`version=${published.version}`)
  },
})
