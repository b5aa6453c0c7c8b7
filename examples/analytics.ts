// The analyst queries of subgraph/README.md against the live subgraph: market totals, top models,
// daily volume, best sellers, dispute rate. Every amount is shown in its own token, never summed across tokens,
// and every collection is read in full (paged with `id_gt`).
import { bestSellers, dailyVolume, disputeRate, topModelsByRevenue } from './lib/analytics.ts'
import { runScript } from './lib/cli.ts'
import { heading, line, table, tokenAmount } from './lib/ui.ts'

await runScript({
  usage: `Usage: node examples/analytics.ts [--days <n>] [--min-sales <n>]

Runs the analyst queries of subgraph/README.md against the subgraph; needs no wallet.
  --days <n>            window of the top models and daily volume (default 30)
  --min-sales <n>       least sales of a ranked seller (default 1)`,
  options: { days: { type: 'string', default: '30' }, 'min-sales': { type: 'string', default: '1' } },
  async run(flags, { client, graphqlUrl, market }) {
    const days = Number(flags.days)
    const head = await market.publicClient.getBlock()
    const now = Number(head.timestamp)
    // figures as of the chain's head
    const stats = await client.marketStats({ days, minBlock: head.number, waitForIndexer: 15_000 })
    heading(`Market (${graphqlUrl})`)
    line(`${stats.modelCount} models (${stats.activeModelCount} for sale, ${stats.versionCount} versions) · ${stats.accountCount} accounts`)
    line(`${stats.orderCount} orders: ${stats.licensedOrderCount} licensed, ${stats.openOrderCount} open, ${stats.refundedOrderCount} refunded · ${stats.disputeCount} disputes (${stats.openDisputeCount} open) · ${stats.reviewCount} reviews · ${stats.evaluationCount} evaluations · fee ${stats.feeBps / 100}%`)
    for (const t of stats.tokens) line(`${t.symbol ?? t.token}: volume ${tokenAmount(t.volume, t)} · settled ${tokenAmount(t.settledVolume, t)} · fees ${tokenAmount(t.fees, t)} · in escrow ${tokenAmount(t.escrowed, t)}`)

    heading(`Top models by revenue per token, last ${days} days`)
    const top = await topModelsByRevenue(graphqlUrl, { days, now })
    if (top.length) table(top.map((m) => ({ model: `#${m.modelId} ${m.name}`, sales: m.salesCount, revenue: tokenAmount(m.revenue, m.token) })))
    else line('no sales yet')

    heading(`Daily volume, last ${days} days`)
    const volume = await dailyVolume(graphqlUrl, { days, now })
    if (volume.length) table(volume.map((d) => ({ day: new Date(d.date * 1000).toISOString().slice(0, 10), orders: d.orderCount, volume: tokenAmount(d.volume, d.token), settled: tokenAmount(d.settledVolume, d.token), fees: tokenAmount(d.fees, d.token), refunded: tokenAmount(d.refunded, d.token) })))
    else line('no orders yet')

    heading(`Best rated sellers with at least ${flags['min-sales']} sale(s)`)
    const sellers = await bestSellers(graphqlUrl, { minSales: Number(flags['min-sales']) })
    if (sellers.length) table(sellers.map((s) => ({ seller: s.handle ? `@${s.handle}` : s.id, sales: s.salesCount, rating: `${Number(s.sellerRatingAverage).toFixed(2)} (${s.sellerRatingCount})` })))
    else line('no rated seller yet')

    const rate = await disputeRate(graphqlUrl, { now })
    heading(`Dispute rate, ${rate.month}`)
    line(`${rate.disputesOpened} disputes opened for ${rate.orders} orders: ${(rate.rate * 100).toFixed(1)}% (${rate.disputesResolved} resolved)`)
  },
})
