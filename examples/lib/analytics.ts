// The analyst queries of subgraph/README.md, over any graph-node GraphQL endpoint, with the
// client-side sums graph-node leaves to its users (it has no GROUP BY).
const DAY = 86_400

/** The indexer could not be reached or refused a query; `url` says which. */
export class GraphQLError extends Error {
  readonly url: string
  constructor(message: string, url: string) {
    super(message)
    this.name = 'GraphQLError'
    this.url = url
  }
}

export async function graphql<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  let response: Response
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(10_000) })
  } catch (cause) {
    throw new GraphQLError(`no indexer answers at ${url} (${(cause as Error).message}): is \`npm run dev\` running, or GRAPHQL_URL set?`, url)
  }
  const body = (await response.json().catch(() => ({}))) as { data?: T; errors?: { message: string }[] }
  if (!response.ok || body.errors?.length || !body.data) throw new GraphQLError(`the indexer at ${url} refused the query: ${body.errors?.map((e) => e.message).join('; ') ?? `HTTP ${response.status}`}`, url)
  return body.data
}

/**
 * Every row a collection query matches, read in pages of `pageSize` ordered by id and continued with
 * `id_gt` (ids compare as text), so nothing is cut off at graph-node's `first` limit. `query` takes
 * `$first: Int!` and `$after: ID!` and filters with `id_gt: $after`, `orderBy: id`.
 */
export async function readAll<T extends { id: string }>(url: string, collection: string, query: string, variables: Record<string, unknown> = {}, pageSize = 1000): Promise<T[]> {
  const rows: T[] = []
  for (let after = ''; ; ) {
    const page = (await graphql<Record<string, T[]>>(url, query, { ...variables, first: pageSize, after }))[collection]
    rows.push(...page)
    if (page.length < pageSize) return rows
    after = page[page.length - 1].id
  }
}

/** A payment token as the subgraph describes it. */
export type Token = { id: string; symbol: string | null; decimals: number | null }

type ModelTokenDay = { id: string; model: { id: string; name: string }; token: Token; paidSalesCount: number; revenue: string }
/** One model's paid sales and seller revenue in one token. */
export type ModelRevenue = { modelId: string; name: string; token: Token; salesCount: number; revenue: bigint }

/**
 * Top models by seller revenue over the last `days` days, per payment token: the per-token day
 * buckets summed per model and token, never adding two tokens' amounts. Sorted by token symbol, then
 * by revenue; the first `first` of each token.
 */
export async function topModelsByRevenue(url: string, { days = 30, first = 10, now = Math.floor(Date.now() / 1000), pageSize = 1000 } = {}) {
  const until = Math.floor(now / DAY) * DAY + DAY
  const rows = await readAll<ModelTokenDay>(
    url,
    'modelTokenDayDatas',
    `query ($from: Int!, $until: Int!, $first: Int!, $after: ID!) { modelTokenDayDatas(where: { date_gte: $from, date_lt: $until, id_gt: $after }, orderBy: id, first: $first) { id model { id name } token { id symbol decimals } paidSalesCount revenue } }`,
    { from: until - days * DAY, until },
    pageSize,
  )
  const byModelToken = new Map<string, ModelRevenue>()
  for (const day of rows) {
    const key = `${day.model.id}-${day.token.id}`
    const total = byModelToken.get(key) ?? { modelId: day.model.id, name: day.model.name, token: day.token, salesCount: 0, revenue: 0n }
    total.salesCount += day.paidSalesCount
    total.revenue += BigInt(day.revenue)
    byModelToken.set(key, total)
  }
  const byToken = new Map<string, ModelRevenue[]>()
  for (const m of byModelToken.values()) byToken.set(m.token.id, [...(byToken.get(m.token.id) ?? []), m])
  const symbol = (t: Token) => t.symbol ?? t.id
  return [...byToken.values()]
    .sort((a, b) => symbol(a[0].token).localeCompare(symbol(b[0].token)))
    .flatMap((models) => models.sort((a, b) => (b.revenue > a.revenue ? 1 : b.revenue < a.revenue ? -1 : b.salesCount - a.salesCount)).slice(0, first))
}

/** Volume, settled volume, fees and refunds per token and day, over the last `days` days. */
export async function dailyVolume(url: string, { days = 30, now = Math.floor(Date.now() / 1000), pageSize = 1000 } = {}) {
  const today = Math.floor(now / DAY) * DAY
  type Row = { id: string; date: number; token: Token; orderCount: number; volume: string; settledVolume: string; fees: string; refunded: string }
  const rows = await readAll<Row>(
    url,
    'tokenDayDatas',
    `query ($from: Int!, $to: Int!, $first: Int!, $after: ID!) { tokenDayDatas(where: { date_gte: $from, date_lte: $to, id_gt: $after }, orderBy: id, first: $first) { id date token { id symbol decimals } orderCount volume settledVolume fees refunded } }`,
    { from: today - (days - 1) * DAY, to: today },
    pageSize,
  )
  return rows
    .map((d) => ({ ...d, volume: BigInt(d.volume), settledVolume: BigInt(d.settledVolume), fees: BigInt(d.fees), refunded: BigInt(d.refunded) }))
    .sort((a, b) => a.date - b.date || (a.token.symbol ?? a.token.id).localeCompare(b.token.symbol ?? b.token.id))
}

/** Sellers with at least `minSales` sales and a rating, best rated first. */
export async function bestSellers(url: string, { minSales = 1, first = 10 } = {}) {
  const { accounts } = await graphql<{ accounts: { id: string; handle: string | null; salesCount: number; sellerRatingAverage: string; sellerRatingCount: number }[] }>(
    url,
    `query ($minSales: Int!, $first: Int!) { accounts(where: { salesCount_gte: $minSales, sellerRatingCount_gt: 0 }, orderBy: sellerRatingAverage, orderDirection: desc, first: $first) { id handle salesCount sellerRatingAverage sellerRatingCount } }`,
    { minSales, first },
  )
  return accounts
}

/** Orders and disputes opened in the calendar month (UTC) holding `now`, and their ratio. */
export async function disputeRate(url: string, { now = Math.floor(Date.now() / 1000) } = {}) {
  const date = new Date(now * 1000)
  const from = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) / 1000
  const until = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) / 1000
  const marketDayDatas = await readAll<{ id: string; orderCount: number; disputesOpened: number; disputesResolved: number }>(
    url,
    'marketDayDatas',
    `query ($from: Int!, $until: Int!, $first: Int!, $after: ID!) { marketDayDatas(where: { date_gte: $from, date_lt: $until, id_gt: $after }, orderBy: id, first: $first) { id orderCount disputesOpened disputesResolved } }`,
    { from, until },
  )
  const sum = (key: 'orderCount' | 'disputesOpened' | 'disputesResolved') => marketDayDatas.reduce((n, d) => n + d[key], 0)
  const orders = sum('orderCount')
  const opened = sum('disputesOpened')
  return { month: date.toISOString().slice(0, 7), orders, disputesOpened: opened, disputesResolved: sum('disputesResolved'), rate: orders > 0 ? opened / orders : 0 }
}
