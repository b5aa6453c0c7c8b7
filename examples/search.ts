// Searches the market through the subgraph: full text, tags, task, price, rating, checks; sorted and paged.
import { SUITE } from '@ai-model-marketplace/evaluator'
import { amount, runScript, ScriptError } from './lib/cli.ts'
import { aimt, line, table } from './lib/ui.ts'

const sorts = ['newest', 'price', 'sales', 'rating'] as const

await runScript({
  usage: `Usage: node examples/search.ts [--text <words>] [filters] [--sort newest|price|sales|rating]

Searches listed models through the subgraph (graph-node or devnode); needs no wallet.
  --text <words>        full text over name, summary, tags and task (last word as a prefix)
  --tags <a,b>          models carrying all these tags
  --task <task>         pipeline type, e.g. image-classification
  --license <spdx>      license id
  --min-price <AIMT>, --max-price <AIMT>
  --min-rating <1-5>    average rating at least
  --passed              only models that passed the evaluator's checks (${SUITE})
  --sort <order>        newest (default), price, sales or rating
  --asc                 ascending order
  --first <n>           page size (default 20)`,
  options: {
    text: { type: 'string' },
    tags: { type: 'string' },
    task: { type: 'string' },
    license: { type: 'string' },
    'min-price': { type: 'string' },
    'max-price': { type: 'string' },
    'min-rating': { type: 'string' },
    passed: { type: 'boolean', default: false },
    sort: { type: 'string' },
    asc: { type: 'boolean', default: false },
    first: { type: 'string', default: '20' },
  },
  async run(flags, { client, graphqlUrl, market }) {
    const sort = flags.sort as (typeof sorts)[number] | undefined
    if (sort !== undefined && !sorts.includes(sort)) throw new ScriptError(`--sort must be one of ${sorts.join(', ')}, got ${sort}`)
    const { models, nextCursor } = await client.searchModels({
      text: flags.text,
      tags: flags.tags?.split(',').map((t) => t.trim()).filter(Boolean),
      task: flags.task,
      license: flags.license,
      minPrice: flags['min-price'] === undefined ? undefined : amount(flags['min-price'], 'min-price'),
      maxPrice: flags['max-price'] === undefined ? undefined : amount(flags['max-price'], 'max-price'),
      minRating: flags['min-rating'] === undefined ? undefined : Number(flags['min-rating']),
      verdict: flags.passed ? { suite: SUITE, verdict: 'Pass' } : undefined,
      orderBy: sort,
      orderDirection: flags.asc ? 'asc' : undefined,
      first: Number(flags.first),
      // results as of the chain's head: a listing made a moment ago is found
      minBlock: await market.publicClient.getBlockNumber(),
      waitForIndexer: 15_000,
    })
    line(`${models.length} model(s) from ${graphqlUrl}${nextCursor ? ' (more: raise --first)' : ''}`)
    if (models.length === 0) return
    table(
      models.map((m) => ({
        id: `#${m.modelId}`,
        name: m.name,
        task: m.task,
        tags: m.tags.join(','),
        price: m.price === 0n ? 'free' : aimt(m.price),
        version: m.latestVersion?.semver ?? '',
        sales: m.salesCount,
        rating: m.ratingCount ? `${m.ratingAverage.toFixed(1)} (${m.ratingCount})` : '',
        checks: m.verdicts.find((v) => v.suite === SUITE)?.verdict ?? '',
        seller: m.owner,
      })),
    )
  },
})
