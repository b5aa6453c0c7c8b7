// Seller commands: list, publish, price, withdraw, agent. Thin layers over the SDK's seller actions.
import { existsSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { SellerAgentEvent } from '@ai-model-marketplace/sdk'
import { parse as parseYaml } from 'yaml'
import { type Command, flag, parseAmount, parseId, positional, text } from '../command.ts'
import { connect } from '../context.ts'
import { CliError, describeFailure, exitCodes, usageError } from '../errors.ts'
import { amount, bytes, note, progressBar, result, toJsonLine } from '../ui.ts'

type Card = Record<string, unknown>

/** README.md's YAML front matter (Hugging Face model cards carry one), and the text after it. */
async function readCard(folder: string): Promise<{ card: Card; readme: string } | undefined> {
  const path = join(folder, 'README.md')
  if (!existsSync(path)) return undefined
  const content = await readFile(path, 'utf8')
  const match = content.match(/^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/)
  if (!match) return { card: {}, readme: content }
  let card: unknown
  try {
    card = parseYaml(match[1] ?? '')
  } catch (cause) {
    throw new CliError('BAD_CARD', `the front matter of ${path} is not valid YAML: ${(cause as Error).message.split('\n')[0]}`, { exitCode: exitCodes.USAGE })
  }
  if (card !== null && (typeof card !== 'object' || Array.isArray(card))) throw new CliError('BAD_CARD', `the front matter of ${path} is not a YAML mapping`, { exitCode: exitCodes.USAGE })
  return { card: (card ?? {}) as Card, readme: match[2] ?? '' }
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : undefined)
const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',') : undefined)?.map((t) => t.trim()).filter(Boolean)

async function readFiles(path: string) {
  if (!existsSync(path)) throw new CliError('NOT_FOUND', `${path} does not exist`, { hint: 'pass the model folder (or a single file)', exitCode: exitCodes.USAGE })
  const { archiveInputsFromPath } = await import('@ai-model-marketplace/sdk/node')
  const files = await archiveInputsFromPath(path)
  return { files, total: files.reduce((n, f) => n + f.size, 0) }
}

/** Progress of encrypt + upload (one pass over the files), then the transaction. */
function publishProgress() {
  const bar = progressBar('upload')
  let total = 0
  return {
    onProgress: (p: { stage: 'adding'; bytes: number; totalBytes: number } | { stage: 'registering' }) => {
      if (p.stage === 'adding') {
        total = p.totalBytes
        bar.update(p.bytes, p.totalBytes)
      } else {
        bar.done(total)
        note('registering on-chain…')
      }
    },
    abort: () => bar.abort(),
  }
}

export const listCommand: Command = {
  name: 'list',
  summary: 'list a model folder for sale (encrypt, upload, register)',
  usage: 'amm list <folder> [--name <n>] [--task <t>] [--license <spdx>] [--price <n>] [options]',
  description: [
    'Packs the folder (or one file) into an archive, encrypts it with a key derived from your wallet (free models',
    'stay public), adds it to the store, then registers the listing. Fields come from the YAML front matter of the',
    "folder's README.md (name or model_name, pipeline_tag or task, license, tags, summary or description, price,",
    'commercial_use); flags override it. The front matter becomes the model card.',
  ].join('\n'),
  options: {
    name: { type: 'string' },
    task: { type: 'string' },
    license: { type: 'string' },
    price: { type: 'string' },
    summary: { type: 'string' },
    tag: { type: 'string', multiple: true },
    commercial: { type: 'boolean' },
    semver: { type: 'string' },
  },
  optionHelp: [
    '--name <text>         listing name',
    '--task <task>         pipeline type, e.g. text-classification',
    '--license <spdx>      e.g. MIT, Apache-2.0',
    '--price <n>           in whole platform tokens; 0 lists a free (public) model',
    '--summary <text>      one line',
    '--tag <tag>           repeatable',
    '--commercial          buyers may use it commercially',
    '--semver <x.y.z>      first version (default 1.0.0)',
  ],
  examples: ['amm list ./sentiment            # everything from ./sentiment/README.md front matter', 'amm list ./model.gguf --name "Tiny LM" --task text-generation --license MIT --price 10 --json'],
  async run(flags, positionals, global) {
    const path = resolve(positional(positionals, 0, 'folder'))
    const fromReadme = existsSync(path) && statSync(path).isDirectory() ? await readCard(path) : undefined
    const card = fromReadme?.card ?? {}
    const name = text(flags, 'name') ?? str(card.name) ?? str(card.model_name)
    const task = text(flags, 'task') ?? str(card.pipeline_tag) ?? str(card.task)
    const license = text(flags, 'license') ?? str(card.license)
    const priceText = text(flags, 'price') ?? str(card.price)
    const missing = [!name && 'name', !task && 'task (pipeline_tag)', !license && 'license', priceText === undefined && 'price'].filter(Boolean)
    if (missing.length) throw usageError(`missing ${missing.join(', ')}`, `pass the flags, or put them in the YAML front matter of ${join(path, 'README.md')}`)
    const connection = await connect(global, { wallet: true })
    const token = await connection.tokenInfo(connection.deployment.contracts.PlatformToken.address)
    const price = parseAmount(priceText as string, 'price', token.decimals)
    const { files, total } = await readFiles(path)
    note(`listing ${files.length} file(s), ${bytes(total)} from ${path} as "${name}" at ${price === 0n ? 'no cost (public)' : amount(price, token)}`)
    const progress = publishProgress()
    const listed = await connection.client
      .listModel({
        files,
        name: name as string,
        task: task as string,
        license: license as string,
        summary: text(flags, 'summary') ?? str(card.summary) ?? str(card.description),
        tags: (flags.tag as string[] | undefined) ?? list(card.tags),
        commercialUse: flag(flags, 'commercial') || card.commercial_use === true,
        semver: text(flags, 'semver'),
        card: fromReadme ? { ...card, readme: fromReadme.readme } : undefined,
        price,
        onProgress: progress.onProgress,
      })
      .catch((error) => {
        progress.abort()
        throw error
      })
    await connection.close()
    result(Boolean(global.json), listed, () => `model #${listed.modelId} listed: v1, content ${listed.contentCID}, sha256 ${listed.sha256}, card ${listed.metadataURI} (tx ${listed.hash})`)
  },
}

export const publish: Command = {
  name: 'publish',
  summary: 'publish a new version of your model',
  usage: 'amm publish <modelId> <folder> --semver <x.y.z> [--changelog <text>]',
  description: 'Publishes the next version. It is encrypted with a key derived from the model key buyers already hold,\nso every existing buyer downloads it without buying again.',
  options: { semver: { type: 'string' }, changelog: { type: 'string' } },
  optionHelp: ['--semver <x.y.z>      its version (required)', '--changelog <text>    release notes (Markdown)'],
  examples: ['amm publish 3 ./sentiment-v2 --semver 1.1.0 --changelog "Retrained on 2x the data."'],
  async run(flags, positionals, global) {
    const modelId = parseId(positionals[0], 'modelId')
    const path = resolve(positional(positionals, 1, 'folder'))
    const semver = text(flags, 'semver')
    if (!semver) throw usageError('--semver is required')
    const connection = await connect(global, { wallet: true })
    const { files, total } = await readFiles(path)
    note(`publishing ${files.length} file(s), ${bytes(total)} from ${path} as model #${modelId} ${semver}`)
    const progress = publishProgress()
    const published = await connection.client.publishVersion({ modelId, files, semver, changelog: text(flags, 'changelog'), onProgress: progress.onProgress }).catch((error) => {
      progress.abort()
      throw error
    })
    await connection.close()
    result(Boolean(global.json), { modelId, ...published }, () => `model #${modelId} v${published.version} (${semver}) published: content ${published.contentCID} (tx ${published.hash})`)
  },
}

export const price: Command = {
  name: 'price',
  summary: "change your model's price",
  usage: 'amm price <modelId> <price>',
  description: 'Sets the price in whole platform tokens; 0 makes the model free (licensed at once, new versions public).',
  options: {},
  optionHelp: [],
  examples: ['amm price 3 12.5'],
  async run(_flags, positionals, global) {
    const modelId = parseId(positionals[0], 'modelId')
    const priceText = positional(positionals, 1, 'price')
    const connection = await connect(global, { wallet: true })
    const token = await connection.tokenInfo(connection.deployment.contracts.PlatformToken.address)
    const newPrice = parseAmount(priceText, 'price', token.decimals)
    const set = await connection.client.setPrice({ modelId, price: newPrice })
    result(Boolean(global.json), { modelId, price: newPrice, ...set }, () => `model #${modelId} now costs ${newPrice === 0n ? 'nothing (free)' : amount(newPrice, token)} (tx ${set.hash})`)
  },
}

export const withdrawCommand: Command = {
  name: 'withdraw',
  summary: 'withdraw your credited proceeds',
  usage: 'amm withdraw [--token <0x…>]',
  description: 'Pulls what the marketplace credited to you (sales released from escrow, split rulings) into your wallet.',
  options: { token: { type: 'string' } },
  optionHelp: ['--token <0x…>         an ERC-20 other than the platform token'],
  examples: ['amm withdraw', 'amm withdraw --json'],
  async run(flags, _positionals, global) {
    const connection = await connect(global, { wallet: true })
    const tokenAddress = (text(flags, 'token') as `0x${string}` | undefined) ?? connection.deployment.contracts.PlatformToken.address
    const token = await connection.tokenInfo(tokenAddress)
    const done = await connection.client.withdraw({ token: tokenAddress })
    result(Boolean(global.json), done, () => `withdrew ${amount(done.amount, token)} (tx ${done.hash})`)
  },
}

/** One JSON line per event on stdout: what a log collector (journald, docker logs) reads. */
function log(level: 'info' | 'error', event: string, fields: Record<string, unknown> = {}) {
  process.stdout.write(`${toJsonLine({ time: new Date().toISOString(), level, event, ...fields })}\n`)
}

function logAgentEvent(event: SellerAgentEvent) {
  if (event.type === 'failed') {
    const failure = describeFailure(event.error)
    log('error', 'failed', { orderId: event.orderId, code: failure.code, message: failure.message, hint: failure.hint })
  } else log('info', event.type, { ...event, type: undefined })
}

export const agent: Command = {
  name: 'agent',
  summary: 'run the seller agent: deliver every new order (long-running)',
  usage: 'amm agent [--once] [--interval <ms>]',
  description: [
    'Watches the chain for orders of the models your key owns and delivers each one (the model key wrapped to',
    'the buyer, on-chain). Restart-safe: it rescans from the deployment and skips orders already handled, so a',
    'systemd unit or a container can restart it at will. Logs one JSON object per line on stdout; SIGINT or',
    'SIGTERM stops it cleanly (exit 0) after the delivery in progress.',
  ].join('\n'),
  options: { once: { type: 'boolean' }, interval: { type: 'string' } },
  optionHelp: ['--once                deliver what is pending, then exit (1 if any delivery failed)', '--interval <ms>       polling interval (default 1000)'],
  examples: ['amm agent', 'AMM_PASSWORD_FILE=/run/secrets/amm amm agent --interval 5000', 'amm agent --once'],
  async run(flags, _positionals, global) {
    const interval = Number(text(flags, 'interval') ?? 1000)
    if (!Number.isInteger(interval) || interval < 100) throw usageError('--interval must be a whole number of milliseconds, at least 100')
    const connection = await connect(global, { wallet: true })
    let failed = 0
    let delivered = 0
    const agentHandle = connection.client.startSellerAgent({
      pollingInterval: interval,
      onProgress: (event) => {
        if (event.type === 'failed') failed++
        if (event.type === 'delivered') delivered++
        logAgentEvent(event)
      },
    })
    log('info', 'started', { seller: connection.address(), network: connection.name, chainId: connection.chainId, marketplace: connection.deployment.contracts.Marketplace.address })
    if (flag(flags, 'once')) {
      await agentHandle.caughtUp()
    } else {
      const signal = await new Promise<string>((resolveSignal) => {
        for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(name, () => resolveSignal(name))
      })
      log('info', 'stopping', { signal })
    }
    await agentHandle.stop()
    log('info', 'stopped', { delivered, failed })
    if (flag(flags, 'once') && failed > 0) process.exitCode = exitCodes.FAILURE
  },
}
