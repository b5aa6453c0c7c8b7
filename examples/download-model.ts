// Downloads a model you hold a license for: finds the delivered key, verifies and decrypts every file.
import { id, required, runScript, unknownModel } from './lib/cli.ts'
import { downloadModelTo } from './lib/sdk.ts'
import { bytes, line, ok, progressBar } from './lib/ui.ts'

await runScript({
  usage: `Usage: node examples/download-model.ts --model <id> --out <dir> [--version <n>]

Downloads a model version into a folder. The key delivered for your order (from the indexer, or
the chain's logs when the indexer lags) is unwrapped with your wallet-derived key; every file is
checked against its sha256 and the archive against the on-chain sha256 before it is written.
  --model <id>          the model (required)
  --out <dir>           where to write the files (required)
  --version <n>         a version number (default: the latest)`,
  options: { model: { type: 'string' }, out: { type: 'string' }, version: { type: 'string' } },
  wallet: 'carol',
  async run(flags, { client, signer }) {
    const account = signer()
    const modelId = id(flags.model, 'model')
    const bar = progressBar('download')
    const result = await downloadModelTo(client, {
      modelId,
      dir: required(flags.out, 'out'),
      version: flags.version === undefined ? undefined : Number(id(flags.version, 'version')),
      onProgress: (p) => bar.update(p.bytes, p.totalBytes ?? p.bytes),
    }).catch(unknownModel(modelId))
    bar.done(result.files.reduce((n, f) => n + f.size, 0))
    ok(`${account.name} downloaded model #${modelId} v${result.version} into ${result.dir} (key from ${result.keySource}${result.orderId === undefined ? '' : `, order #${result.orderId}`})`)
    ok(`archive sha256 ${result.sha256} matches the chain`)
    for (const file of result.files) line(`${file.path}  ${bytes(file.size)}  sha256 ${file.sha256}`)
  },
})
