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

type ModelDay = { model: { id: string; name: string }; salesCount: number; revenue: string }

/** Top models by seller revenue over the last `days` days (day buckets summed per model). */
export async function topModelsByRevenue(url: string, { days = 30, first = 10, now = Math.floor(Date.now() / 1000) } = {}) {
  const until = Math.floor(now / DAY) * DAY + DAY
  const { modelDayDatas } = await graphql<{ modelDayDatas: ModelDay[] }>(
    url,
    `query ($from: Int!, $until: Int!) { modelDayDatas(where: { date_gte: $from, date_lt: $until }, orderBy: date, first: 1000) { model { id name } salesCount revenue } }`,
    { from: until - days * DAY, until },
  )
  const byModel = new Map<string, { modelId: string; name: string; salesCount: number; revenue: bigint }>()
  for (const day of modelDayDatas) {
    const total = byModel.get(day.model.id) ?? { modelId: day.model.id, name: day.model.name, salesCount: 0, revenue: 0n }
    total.salesCount += day.salesCount
    total.revenue += BigInt(day.revenue)
    byModel.set(day.model.id, total)
  }
  return [...byModel.values()].sort((a, b) => (b.revenue > a.revenue ? 1 : b.revenue < a.revenue ? -1 : b.salesCount - a.salesCount)).slice(0, first)
}

/** Volume, settled volume, fees and refunds per token and day, over the last `days` days. */
export async function dailyVolume(url: string, { days = 30, now = Math.floor(Date.now() / 1000) } = {}) {
  const today = Math.floor(now / DAY) * DAY
  const { tokenDayDatas } = await graphql<{ tokenDayDatas: { date: number; token: { symbol: string | null }; orderCount: number; volume: string; settledVolume: string; fees: string; refunded: string }[] }>(
    url,
    `query ($from: Int!, $to: Int!) { tokenDayDatas(where: { date_gte: $from, date_lte: $to }, orderBy: date, first: 1000) { date token { symbol } orderCount volume settledVolume fees refunded } }`,
    { from: today - (days - 1) * DAY, to: today },
  )
  return tokenDayDatas.map((d) => ({ ...d, volume: BigInt(d.volume), settledVolume: BigInt(d.settledVolume), fees: BigInt(d.fees), refunded: BigInt(d.refunded) }))
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
  const { marketDayDatas } = await graphql<{ marketDayDatas: { orderCount: number; disputesOpened: number; disputesResolved: number }[] }>(
    url,
    `query ($from: Int!, $until: Int!) { marketDayDatas(where: { date_gte: $from, date_lt: $until }, orderBy: date, first: 31) { orderCount disputesOpened disputesResolved } }`,
    { from, until },
  )
  const sum = (key: 'orderCount' | 'disputesOpened' | 'disputesResolved') => marketDayDatas.reduce((n, d) => n + d[key], 0)
  const orders = sum('orderCount')
  const opened = sum('disputesOpened')
  return { month: date.toISOString().slice(0, 7), orders, disputesOpened: opened, disputesResolved: sum('disputesResolved'), rate: orders > 0 ? opened / orders : 0 }
}
