// Buyer commands: search, show, buy, download, confirm, dispute, review. Each is a thin layer over
// one SDK action: parse, call, print.
import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { resolve } from 'node:path'
import { ContractRevertedError } from '@ai-model-marketplace/sdk'
import { erc20Abi } from 'viem'
import { type Command, flag, parseAmount, parseId, text } from '../command.ts'
import { type Connection, connect } from '../context.ts'
import { CliError, exitCodes, usageError } from '../errors.ts'
import { confirm } from '../prompt.ts'
import { amount, bytes, progressBar, result, table } from '../ui.ts'

const sorts = ['newest', 'price', 'sales', 'rating'] as const
const statuses = ['Created', 'Delivered', 'Completed', 'Refunded', 'Disputed', 'Resolved'] as const

/** Reads made right after a write see it: the indexer is asked for the chain's current head. */
async function fresh(connection: Connection) {
  return { minBlock: await connection.publicClient.getBlockNumber(), waitForIndexer: 15_000 }
}

function unknownModel(modelId: bigint, version?: number) {
  return (error: unknown) => {
    if (error instanceof ContractRevertedError && error.errorName === 'RegistryUnknownModel')
      throw new CliError('NOT_FOUND', `there is no model #${modelId}`, { hint: 'find one with `amm search`', exitCode: exitCodes.NOT_FOUND, cause: error })
    // the latest version of a model that does not exist is version 0
    if (error instanceof ContractRevertedError && error.errorName === 'RegistryUnknownVersion')
      throw new CliError('NOT_FOUND', version === undefined ? `there is no model #${modelId}` : `model #${modelId} has no version ${version}`, {
        hint: version === undefined ? 'find one with `amm search`' : `see its versions with \`amm show ${modelId}\``,
        exitCode: exitCodes.NOT_FOUND,
        cause: error,
      })
    throw error
  }
}

const formatPrice = (price: bigint, token: { symbol: string | null; decimals: number | null }) =>
  price === 0n ? 'free' : amount(price, { symbol: token.symbol ?? 'tokens', decimals: token.decimals ?? 18 })

export const search: Command = {
  name: 'search',
  summary: 'search listed models (full text, tags, task, price, rating)',
  usage: 'amm search [words] [options]',
  description: 'Searches the models listed on the network through its indexer; needs no key.',
  options: {
    tag: { type: 'string', multiple: true },
    task: { type: 'string' },
    license: { type: 'string' },
    'min-price': { type: 'string' },
    'max-price': { type: 'string' },
    'min-rating': { type: 'string' },
    sort: { type: 'string' },
    asc: { type: 'boolean' },
    first: { type: 'string' },
    after: { type: 'string' },
  },
  optionHelp: [
    '--tag <tag>           only models with this tag (repeatable)',
    '--task <task>         a pipeline type, e.g. text-classification',
    '--license <spdx>      e.g. MIT',
    '--min-price <n>, --max-price <n>   in whole tokens',
    '--min-rating <0-5>    average rating at least',
    `--sort <order>        ${sorts.join(', ')} (default: relevance with words, else newest)`,
    '--asc                 ascending',
    '--first <n>           page size (default 20); --after <cursor> for the next page',
  ],
  examples: ['amm search sentiment', 'amm search --task text-classification --max-price 20 --sort price --asc', 'amm search bert --json | jq ".models[].modelId"'],
  async run(flags, positionals, global) {
    const sort = text(flags, 'sort') as (typeof sorts)[number] | undefined
    if (sort !== undefined && !sorts.includes(sort)) throw usageError(`--sort must be one of ${sorts.join(', ')}, got ${sort}`)
    const connection = await connect(global)
    connection.requireIndexer()
    const decimals = 18
    const price = (name: string) => (text(flags, name) === undefined ? undefined : parseAmount(text(flags, name) as string, name, decimals))
    const found = await connection.client.searchModels({
      text: positionals.join(' ') || undefined,
      tags: flags.tag as string[] | undefined,
      task: text(flags, 'task'),
      license: text(flags, 'license'),
      minPrice: price('min-price'),
      maxPrice: price('max-price'),
      minRating: text(flags, 'min-rating') === undefined ? undefined : Number(text(flags, 'min-rating')),
      orderBy: sort,
      orderDirection: flag(flags, 'asc') ? 'asc' : undefined,
      first: text(flags, 'first') === undefined ? undefined : Number(text(flags, 'first')),
      after: text(flags, 'after'),
      ...(await fresh(connection)),
    })
    result(Boolean(global.json), found, () => {
      if (found.models.length === 0) return 'no models found'
      const rows = found.models.map((m) => ({
        id: String(m.modelId),
        name: m.name,
        task: m.task,
        price: formatPrice(m.price, m.paymentToken),
        version: m.latestVersion?.semver ?? '',
        sales: m.salesCount,
        rating: m.ratingCount ? `${m.ratingAverage.toFixed(1)} (${m.ratingCount})` : '',
        tags: m.tags.join(','),
      }))
      return table(rows) + (found.nextCursor ? `\nmore: amm search … --after ${found.nextCursor}` : '')
    })
  },
}

export const show: Command = {
  name: 'show',
  summary: 'a model: card fields, price, versions, sales',
  usage: 'amm show <modelId>',
  description: 'Shows one model as indexed: its fields, price, seller, versions and totals.',
  options: {},
  optionHelp: [],
  examples: ['amm show 3', 'amm show 3 --json'],
  async run(_flags, positionals, global) {
    const modelId = parseId(positionals[0], 'modelId')
    const connection = await connect(global)
    connection.requireIndexer()
    const model = await connection.client.getModel({ modelId, ...(await fresh(connection)) })
    if (!model) throw new CliError('NOT_FOUND', `there is no model #${modelId}`, { hint: 'find one with `amm search`', exitCode: exitCodes.NOT_FOUND })
    result(Boolean(global.json), model, () =>
      [
        `#${model.modelId} ${model.name}${model.active ? '' : ' (delisted)'}`,
        model.summary && `  ${model.summary}`,
        `  task ${model.task}  license ${model.license}${model.commercialUse ? ' (commercial use)' : ''}  tags ${model.tags.join(', ') || '-'}`,
        `  price ${formatPrice(model.price, model.paymentToken)}  seller ${model.owner}`,
        `  sales ${model.salesCount}  rating ${model.ratingCount ? `${model.ratingAverage.toFixed(1)} (${model.ratingCount})` : '-'}  disputes ${model.disputeCount}`,
        `  card ${model.metadataURI}`,
        '  versions:',
        ...model.versions.map((v) => `    v${v.version} ${v.semver}  ${bytes(Number(v.size))}  ${v.contentCID}`),
      ]
        .filter(Boolean)
        .join('\n'),
    )
  },
}

export const buy: Command = {
  name: 'buy',
  summary: 'buy a license (quote first, then pay into escrow)',
  usage: 'amm buy <modelId> [--max-price <n>] [--yes]',
  description:
    'Shows the quote (price, platform fee, your balance), asks, then pays into escrow with a permit (or an\napproval). The seller delivers the key; `amm download` then works. Free models are licensed at once.',
  options: { 'max-price': { type: 'string' }, yes: { type: 'boolean', short: 'y' } },
  optionHelp: ['--max-price <n>       refuse to pay more, in whole tokens (default: the quoted price)', '-y, --yes             do not ask (scripts)'],
  examples: ['amm buy 3', 'amm buy 3 --max-price 10 --yes --json'],
  async run(flags, positionals, global) {
    const modelId = parseId(positionals[0], 'modelId')
    const connection = await connect(global, { wallet: true })
    const quote = await connection.client.quote({ modelId }).catch(unknownModel(modelId))
    if (!quote.active) throw new CliError('NOT_FOR_SALE', `model #${modelId} is not for sale (delisted)`, { exitCode: exitCodes.REFUSED })
    const token = await connection.tokenInfo(quote.token)
    const buyer = connection.address()
    const balance = await connection.publicClient.readContract({ address: quote.token, abi: erc20Abi, functionName: 'balanceOf', args: [buyer] })
    const maxPriceText = text(flags, 'max-price')
    const maxPrice = maxPriceText === undefined ? quote.price : parseAmount(maxPriceText, 'max-price', token.decimals)
    process.stderr.write(
      quote.price === 0n
        ? `model #${modelId} is free: claiming a license for ${buyer}\n`
        : `model #${modelId} from ${quote.seller}\n  price ${amount(quote.price, token)} (held in escrow until you confirm; platform fee ${amount(quote.fee, token)}, the seller gets ${amount(quote.sellerProceeds, token)})\n  your balance ${amount(balance, token)} (${buyer})\n`,
    )
    if (balance < quote.price)
      throw new CliError('INSUFFICIENT_FUNDS', `${buyer} holds ${amount(balance, token)}, the model costs ${amount(quote.price, token)}`, {
        hint: `fund the account with ${token.symbol} first`,
        exitCode: exitCodes.REFUSED,
      })
    if (quote.price > maxPrice)
      throw new CliError('PRICE_CHANGED', `the price ${amount(quote.price, token)} is above --max-price ${amount(maxPrice, token)}`, { hint: 'raise --max-price or wait for a lower price', exitCode: exitCodes.REFUSED })
    if (!flag(flags, 'yes') && !(await confirm(quote.price === 0n ? 'Claim it?' : `Pay ${amount(quote.price, token)}?`)))
      throw new CliError('DECLINED', 'nothing bought', { exitCode: exitCodes.DECLINED })
    const bought = await connection.client.buyModel({ modelId, maxPrice })
    result(Boolean(global.json), { ...bought, modelId }, () =>
      bought.price === 0n
        ? `order #${bought.orderId}: free model #${modelId} licensed (tx ${bought.hash})`
        : `order #${bought.orderId}: ${amount(bought.price, token)} in escrow (${bought.payment}), delivery due by ${new Date(Number(bought.deliveryDeadline) * 1000).toISOString()} (tx ${bought.hash})`,
    )
  },
}

export const download: Command = {
  name: 'download',
  summary: 'download, verify and decrypt a model you hold a license for',
  usage: 'amm download <modelId> [--to <dir>] [--version <n>]',
  description:
    'Downloads a version (default: the latest) with the key delivered for your order. Every file is checked\n(CID, sha256, authentication tags, the on-chain sha256) before it is moved into the folder: on any\nfailure nothing is kept (a folder this command created is removed). Progress goes to stderr.',
  options: { to: { type: 'string' }, version: { type: 'string' } },
  optionHelp: ['--to <dir>            where to write the files (default ./model-<modelId>)', '--version <n>         a version number (default: the latest)'],
  examples: ['amm download 3', 'amm download 3 --to ./sentiment --version 2 --json'],
  async run(flags, positionals, global) {
    const modelId = parseId(positionals[0], 'modelId')
    const dir = resolve(text(flags, 'to') ?? `model-${modelId}`)
    const version = text(flags, 'version') === undefined ? undefined : Number(parseId(text(flags, 'version'), 'version'))
    const connection = await connect(global, { wallet: true })
    const { downloadModelTo } = await import('@ai-model-marketplace/sdk/node')
    const created = !existsSync(dir)
    const bar = progressBar('download')
    let total = 0
    try {
      const downloaded = await downloadModelTo(connection.client, {
        modelId,
        dir,
        version,
        onProgress: (p) => {
          total = p.totalBytes ?? p.bytes
          bar.update(p.bytes, total)
        },
      }).catch(unknownModel(modelId, version))
      bar.done(total)
      await connection.close()
      result(Boolean(global.json), downloaded, () =>
        [
          `model #${modelId} v${downloaded.version} in ${downloaded.dir} (key: ${downloaded.keySource}${downloaded.orderId === undefined ? '' : `, order #${downloaded.orderId}`}); archive sha256 ${downloaded.sha256} matches the chain`,
          ...downloaded.files.map((f) => `  ${f.path}  ${bytes(f.size)}  sha256 ${f.sha256}`),
        ].join('\n'),
      )
    } catch (error) {
      bar.abort()
      if (created) await rm(dir, { recursive: true, force: true })
      throw error
    }
  },
}

function orderCommand(spec: { name: string; summary: string; description: string; verb: string; action: 'confirmOrder' }): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    usage: `amm ${spec.name} <orderId>`,
    description: spec.description,
    options: {},
    optionHelp: [],
    examples: [`amm ${spec.name} 7`],
    async run(_flags, positionals, global) {
      const orderId = parseId(positionals[0], 'orderId')
      const connection = await connect(global, { wallet: true })
      const done = await connection.client[spec.action]({ orderId })
      result(Boolean(global.json), { orderId, ...done }, () => `order #${orderId} ${spec.verb} (tx ${done.hash})`)
    },
  }
}

export const confirmCommand = orderCommand({
  name: 'confirm',
  summary: 'confirm a delivered order (releases the escrow to the seller)',
  description: 'Confirms that the delivered model is what was listed: the escrow goes to the seller and the order can be reviewed.',
  verb: 'confirmed: the escrow is released to the seller',
  action: 'confirmOrder',
})

export const dispute: Command = {
  name: 'dispute',
  summary: 'dispute a delivered order with evidence, or add evidence',
  usage: 'amm dispute <orderId> --reason <title> [--description <text>] [--evidence-only]',
  description:
    'Opens a dispute over a delivered order within the dispute window (you pay the arbitration cost in the\nchain currency); the escrow stays locked until the arbiter rules. The evidence (ERC-1497) is added to the\nstore. With --evidence-only, adds evidence to an open dispute instead (buyer or seller).',
  options: { reason: { type: 'string' }, description: { type: 'string' }, 'evidence-only': { type: 'boolean' } },
  optionHelp: ['--reason <title>      what is wrong, in a few words (required)', '--description <text>  the details', '--evidence-only       add evidence to the open dispute'],
  examples: ['amm dispute 7 --reason "Wrong architecture" --description "The weights are a ResNet-18, the card says ResNet-50."', 'amm dispute 7 --reason "Hashes match the listing" --evidence-only'],
  async run(flags, positionals, global) {
    const orderId = parseId(positionals[0], 'orderId')
    const reason = text(flags, 'reason')
    if (!reason) throw usageError('--reason is required')
    const evidence = { name: reason, description: text(flags, 'description') ?? reason }
    const connection = await connect(global, { wallet: true })
    if (flag(flags, 'evidence-only')) {
      const submitted = await connection.client.submitEvidence({ orderId, evidence })
      result(Boolean(global.json), { orderId, ...submitted }, () => `evidence added to the dispute over order #${orderId}: ${submitted.evidenceURI} (tx ${submitted.hash})`)
      return
    }
    const opened = await connection.client.disputeOrder({ orderId, evidence })
    result(
      Boolean(global.json),
      { orderId, ...opened },
      () => `dispute #${opened.disputeId} over order #${orderId} (evidence ${opened.evidenceURI}); the arbiter rules by ${new Date(Number(opened.rulingDeadline) * 1000).toISOString()}`,
    )
  },
}

export const review: Command = {
  name: 'review',
  summary: 'rate a model you bought (one review per order)',
  usage: 'amm review <orderId> --rating <1-5> [--comment <text>]',
  description: 'Reviews the model of one of your completed or free orders; the comment is added to the store.',
  options: { rating: { type: 'string' }, comment: { type: 'string' } },
  optionHelp: ['--rating <1-5>        stars (required)', '--comment <text>      the review'],
  examples: ['amm review 7 --rating 5 --comment "Works as described."'],
  async run(flags, positionals, global) {
    const orderId = parseId(positionals[0], 'orderId')
    const rating = Number(text(flags, 'rating'))
    if (!Number.isInteger(rating) || rating < 1 || rating > 5) throw usageError(`--rating must be 1 to 5, got ${text(flags, 'rating')}`)
    const connection = await connect(global, { wallet: true })
    const reviewed = await connection.client.reviewOrder({ orderId, rating, comment: text(flags, 'comment') })
    result(Boolean(global.json), { orderId, rating, ...reviewed }, () => `order #${orderId} rated ${rating}/5 (tx ${reviewed.hash})`)
  },
}

export const orders: Command = {
  name: 'orders',
  summary: 'your orders, as buyer or as seller',
  usage: 'amm orders [--seller] [--status <s>] [--model <id>]',
  description: 'Lists the orders of your key (its address is read without the password), newest first.',
  options: { seller: { type: 'boolean' }, status: { type: 'string', multiple: true }, model: { type: 'string' }, address: { type: 'string' }, first: { type: 'string' } },
  optionHelp: [
    '--seller              orders for your models (default: orders you placed)',
    `--status <s>          ${statuses.join(', ')} (repeatable)`,
    '--model <id>          of one model',
    '--address <0x…>       another account instead of yours',
    '--first <n>           how many (default 50)',
  ],
  examples: ['amm orders', 'amm orders --seller --status Created', 'amm orders --json | jq ".orders[] | .orderId"'],
  async run(flags, _positionals, global) {
    const status = flags.status as (typeof statuses)[number][] | undefined
    for (const s of status ?? []) if (!statuses.includes(s)) throw usageError(`--status must be one of ${statuses.join(', ')}, got ${s}`)
    const connection = await connect(global)
    connection.requireIndexer()
    const who = (text(flags, 'address') as `0x${string}` | undefined) ?? connection.address()
    const found = await connection.client.getOrders({
      ...(flag(flags, 'seller') ? { seller: who } : { buyer: who }),
      status,
      modelId: text(flags, 'model') === undefined ? undefined : parseId(text(flags, 'model'), 'model'),
      first: text(flags, 'first') === undefined ? undefined : Number(text(flags, 'first')),
      ...(await fresh(connection)),
    })
    result(Boolean(global.json), found, () =>
      found.orders.length === 0
        ? `no orders ${flag(flags, 'seller') ? 'for the models of' : 'placed by'} ${who}`
        : table(
            found.orders.map((o) => ({
              order: String(o.orderId),
              model: `#${o.modelId} ${o.modelName}`,
              status: o.status,
              amount: o.isFree ? 'free' : amount(o.amount, { symbol: '', decimals: 18 }).trim(),
              [flag(flags, 'seller') ? 'buyer' : 'seller']: flag(flags, 'seller') ? o.buyer : o.seller,
              created: new Date(Number(o.createdAt) * 1000).toISOString(),
            })),
          ),
    )
  },
}

