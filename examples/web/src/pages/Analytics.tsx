import { useQuery } from '@tanstack/react-query'
import { useId, useState } from 'react'
import { formatUnits } from 'viem'
import { useMarketplace } from '../client.ts'
import { required } from '../required.ts'
import { useTokens } from '../tokens.ts'
import { amountsText, count, ErrorBox, Loading, Section, Short } from '../ui.tsx'

/** One day's counts and, per token symbol, the volume in whole tokens (tokens are never added together). */
type Day = { date: number; orderCount: number; salesCount: number; newModelCount: number; volume: Record<string, number> }
type Indexer = NonNullable<ReturnType<typeof useMarketplace>['indexer']>
/** Revenue rows, one per token (amounts of two tokens are never added). */
type Revenue = { tokenStats: { token: { symbol: string | null; decimals: number | null }; revenue: string }[] }
type TopModel = Revenue & { modelId: string; name: string; salesCount: number }
type TopSeller = Revenue & { id: `0x${string}`; handle: string | null; salesCount: number }

const revenueText = (row: Revenue, zero: { symbol: string | null; decimals: number | null }) =>
  amountsText(row.tokenStats.map((t) => ({ ...t.token, amount: BigInt(t.revenue) })), zero)

const DAY = 86_400

/** Daily activity over `days` up to today, from the subgraph's day entities (empty days filled with zeros). */
async function loadDays(client: ReturnType<typeof useMarketplace>, days: number): Promise<Day[]> {
  // the chain's today, which dates the activity: a test chain moved ahead (or a skewed local clock) would otherwise hide its latest days
  const { timestamp } = await client.publicClient.getBlock()
  const today = Math.floor(Number(timestamp) / DAY) * DAY
  const since = today - (days - 1) * DAY
  const indexer = required(client.indexer, 'indexer')
  const marketDays = await readAll<{ id: string; date: number; orderCount: number; salesCount: number; newModelCount: number }>(
    indexer,
    'marketDayDatas',
    `query Days($since: Int!, $first: Int!, $after: ID!) {
      marketDayDatas(where: { date_gte: $since, id_gt: $after }, orderBy: id, first: $first) { id date orderCount salesCount newModelCount } }`,
    { since },
  )
  const tokenDays = await readAll<{ id: string; date: number; volume: string; token: { id: string; symbol: string | null; decimals: number | null } }>(
    indexer,
    'tokenDayDatas',
    `query TokenDays($since: Int!, $first: Int!, $after: ID!) {
      tokenDayDatas(where: { date_gte: $since, id_gt: $after }, orderBy: id, first: $first) { id date volume token { id symbol decimals } } }`,
    { since },
  )
  const byDate = new Map(marketDays.map((d) => [d.date, d]))
  const volume = new Map<number, Record<string, number>>()
  for (const t of tokenDays) {
    const day = volume.get(t.date) ?? {}
    day[t.token.symbol ?? t.token.id] = Number(formatUnits(BigInt(t.volume), t.token.decimals ?? 0))
    volume.set(t.date, day)
  }
  return Array.from({ length: days }, (_, i) => {
    const date = since + i * DAY
    const d = byDate.get(date)
    return { date, orderCount: d?.orderCount ?? 0, salesCount: d?.salesCount ?? 0, newModelCount: d?.newModelCount ?? 0, volume: volume.get(date) ?? {} }
  })
}

/** Every row of a collection, in pages of 1000 continued with `id_gt` (graph-node caps `first`). */
async function readAll<T extends { id: string }>(indexer: Indexer, collection: string, query: string, variables: Record<string, unknown>): Promise<T[]> {
  const rows: T[] = []
  for (let after = ''; ; ) {
    const page = (await indexer.query<Record<string, T[]>>(query, { ...variables, first: 1000, after }))[collection]
    rows.push(...page)
    if (page.length < 1000) return rows
    after = page[page.length - 1].id
  }
}

/** The token symbols with volume in the range, sorted. */
const symbolsOf = (days: Day[]) => [...new Set(days.flatMap((d) => Object.keys(d.volume)))].sort()

function toCsv(days: Day[]): string {
  const symbols = symbolsOf(days)
  const rows = days.map((d) => [new Date(d.date * 1000).toISOString().slice(0, 10), ...symbols.map((t) => d.volume[t] ?? 0), d.orderCount, d.salesCount, d.newModelCount].join(','))
  return [['date', ...symbols.map((t) => `volume_${t}`), 'orders', 'sales', 'new_models'].join(','), ...rows].join('\n')
}

function BarChart({ title, days, value }: { title: string; days: Day[]; value: (d: Day) => number }) {
  const max = Math.max(1, ...days.map(value))
  const total = days.reduce((n, d) => n + value(d), 0)
  const width = 600
  const bar = width / days.length
  return (
    <figure className="chart">
      <figcaption>
        {title}: {Number.isInteger(total) ? total : total.toFixed(2)} in total
      </figcaption>
      <svg viewBox={`0 0 ${width} 120`} role="img" aria-label={`${title} per day, highest ${max}`} preserveAspectRatio="none">
        {days.map((d, i) => {
          const h = (value(d) / max) * 110
          return (
            <rect key={d.date} x={i * bar + 1} y={115 - h} width={Math.max(1, bar - 2)} height={h}>
              <title>
                {new Date(d.date * 1000).toISOString().slice(0, 10)}: {value(d)}
              </title>
            </rect>
          )
        })}
      </svg>
    </figure>
  )
}

export default function Analytics() {
  const client = useMarketplace()
  const id = useId()
  const [range, setRange] = useState(30)
  const { platform } = useTokens()
  const days = useQuery({ queryKey: ['days', range], queryFn: () => loadDays(client, range) })
  const stats = useQuery({ queryKey: ['stats'], queryFn: () => client.marketStats({ days: 1 }) })
  const top = useQuery({
    queryKey: ['top'],
    queryFn: () =>
      required(client.indexer, 'indexer').query<{ models: TopModel[]; accounts: TopSeller[] }>(
        `{ models(orderBy: salesCount, orderDirection: desc, first: 10, where: { salesCount_gt: 0 }) { modelId name salesCount tokenStats(orderBy: id) { token { symbol decimals } revenue } }
           accounts(orderBy: salesCount, orderDirection: desc, first: 10, where: { salesCount_gt: 0 }) { id handle salesCount tokenStats(orderBy: id, where: { revenue_gt: "0" }) { token { symbol decimals } revenue } } }`,
      ),
  })
  const download = () => {
    if (!days.data) return
    const url = URL.createObjectURL(new Blob([toCsv(days.data)], { type: 'text/csv' }))
    const a = Object.assign(document.createElement('a'), { href: url, download: `marketplace-${range}d.csv` })
    a.click()
    URL.revokeObjectURL(url)
  }

  return (
    <>
      <h1>Analytics</h1>
      {stats.data ? (
        <p className="meta" data-testid="totals">
          {count(stats.data.modelCount, 'model')} · {count(stats.data.orderCount, 'order')} · {stats.data.licensedOrderCount} licensed ·{' '}
          {count(stats.data.disputeCount, 'dispute')} · {count(stats.data.reviewCount, 'review')} · fee {(stats.data.feeBps / 100).toFixed(2)}%
        </p>
      ) : null}
      {stats.error ? <ErrorBox error={stats.error} title="Could not load totals" /> : null}
      <div className="actions">
        <label htmlFor={`${id}-range`}>Range</label>
        <select id={`${id}-range`} value={range} onChange={(e) => setRange(Number(e.target.value))}>
          <option value={7}>Last 7 days</option>
          <option value={30}>Last 30 days</option>
          <option value={90}>Last 90 days</option>
          <option value={365}>Last year</option>
        </select>
        <button type="button" onClick={download} disabled={!days.data}>
          Export CSV
        </button>
      </div>
      {days.isPending ? <Loading /> : null}
      {days.error ? <ErrorBox error={days.error} title="Could not load daily activity" /> : null}
      {days.data ? (
        <div className="charts">
          {symbolsOf(days.data).map((t) => (
            <BarChart key={t} title={`Volume (${t})`} days={days.data} value={(d) => d.volume[t] ?? 0} />
          ))}
          <BarChart title="Orders" days={days.data} value={(d) => d.orderCount} />
          <BarChart title="New models" days={days.data} value={(d) => d.newModelCount} />
        </div>
      ) : null}
      <Section title="Top models">
        {top.error ? <ErrorBox error={top.error} title="Could not load top lists" /> : null}
        {top.isPending ? <Loading /> : null}
        <ol>
          {top.data?.models.map((m) => (
            <li key={m.modelId}>
              <a href={`#/model/${m.modelId}`}>{m.name}</a> · {count(m.salesCount, 'sale')} · {revenueText(m, platform)} revenue
            </li>
          ))}
        </ol>
      </Section>
      <Section title="Top sellers">
        <ol>
          {top.data?.accounts.map((a) => (
            <li key={a.id}>
              {a.handle ? `@${a.handle}` : <Short address={a.id} />} · {count(a.salesCount, 'sale')} · {revenueText(a, platform)} revenue
            </li>
          ))}
        </ol>
      </Section>
    </>
  )
}
