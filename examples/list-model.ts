// Lists a model folder (or file) for sale: packs, encrypts and uploads it, then registers it on-chain.
import { amount, required, runScript, ScriptError } from './lib/cli.ts'
import { archiveInputsFromPath } from './lib/sdk.ts'
import { aimt, bytes, ok, progressBar } from './lib/ui.ts'

await runScript({
  usage: `Usage: node examples/list-model.ts --dir <folder|file> --name <name> --task <task> --license <spdx> --price <AIMT> [options]

Lists a model: its files are packed into one archive, encrypted with a key derived from your
wallet (free models stay public), added to the store, and the listing is registered on-chain.
  --dir <path>          the model's folder or single file (required)
  --name <text>         listing name (required)
  --task <task>         Hugging Face pipeline type, e.g. text-classification (required)
  --license <spdx>      SPDX id, e.g. MIT, Apache-2.0 (required)
  --price <AIMT>        price in platform tokens; 0 lists a free model (required)
  --summary <text>      one-line description
  --tags <a,b,c>        comma-separated tags
  --commercial          buyers may use it commercially
  --semver <x.y.z>      first version (default 1.0.0)`,
  options: {
    dir: { type: 'string' },
    name: { type: 'string' },
    task: { type: 'string' },
    license: { type: 'string' },
    price: { type: 'string' },
    summary: { type: 'string' },
    tags: { type: 'string' },
    commercial: { type: 'boolean', default: false },
    semver: { type: 'string' },
  },
  wallet: 'alice',
  async run(flags, { client, signer }) {
    const account = signer()
    const dir = required(flags.dir, 'dir')
    const price = amount(flags.price, 'price')
    const files = await archiveInputsFromPath(dir).catch((cause) => {
      throw new ScriptError(`cannot read ${dir}: ${(cause as Error).message}`)
    })
    const total = files.reduce((n, f) => n + f.size, 0)
    const bar = progressBar('upload')
    const listed = await client.listModel({
      files,
      name: required(flags.name, 'name'),
      task: required(flags.task, 'task'),
      license: required(flags.license, 'license'),
      summary: flags.summary,
      tags: flags.tags?.split(',').map((t) => t.trim()).filter(Boolean),
      commercialUse: flags.commercial,
      semver: flags.semver,
      price,
      onProgress: (p) => p.stage === 'adding' && bar.update(p.bytes, p.totalBytes),
    })
    bar.done(total)
    ok(`${account.name} listed model #${listed.modelId} "${flags.name}" v1 (${listed.files.length} files, ${bytes(total)}) at ${price === 0n ? 'no cost (public files)' : aimt(price)}`)
    ok(`content CID ${listed.contentCID}  sha256 ${listed.sha256}`)
    ok(`model card ${listed.metadataURI}  tx ${listed.hash}`)
    console.log(`modelId=${listed.modelId}`)
  },
})

