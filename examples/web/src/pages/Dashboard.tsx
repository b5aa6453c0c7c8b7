import type { SellerAgentEvent } from '@ai-model-marketplace/sdk'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import { formatUnits } from 'viem'
import { useConnection } from 'wagmi'
import { useMarketplace } from '../client.ts'
import { useAction } from '../hooks.ts'
import { required } from '../required.ts'
import { ActionButton, date, ErrorBox, Loading, Section, Short } from '../ui.tsx'

export default function Dashboard() {
  const client = useMarketplace()
  const { address } = useConnection()
  const queries = useQueryClient()
  const [agentOn, setAgentOn] = useState(false)
  const [agentLog, setAgentLog] = useState<{ id: number; line: string }[]>([])
  // log lines are prepended and capped, so each keeps an id for its React key
  const nextLogId = useRef(0)
  const waiting = useQuery({
    queryKey: ['seller-orders', address],
    enabled: Boolean(address),
    queryFn: async () => (await client.getOrders({ seller: required(address, 'connected account'), status: 'Created', first: 100 })).orders,
    refetchInterval: 4000,
  })
  const account = useQuery({ queryKey: ['account', address], enabled: Boolean(address), queryFn: () => client.getAccount({ address: required(address, 'connected account') }), refetchInterval: 8000 })
  const deliver = useAction(async (orderId: bigint) => {
    const result = await client.deliverOrder({ orderId })
    await queries.invalidateQueries({ queryKey: ['seller-orders'] })
    return result
  })
  const withdraw = useAction(async (token: `0x${string}`) => {
    const result = await client.withdraw({ token })
    // the payout leaves the list once the indexer has seen the withdrawal
    await queries.invalidateQueries({ queryKey: ['account'] })
    return result
  })

  // the agent delivers every new order while this tab stays open; it stops with the page
  useEffect(() => {
    if (!agentOn || !client.walletClient) return
    const log = (line: string) => setAgentLog((lines) => [{ id: nextLogId.current++, line }, ...lines].slice(0, 20))
    const agent = client.startSellerAgent({
      onProgress: (event: SellerAgentEvent) => {
        if (event.type === 'delivered') log(`Delivered order #${event.orderId} (model #${event.modelId})`)
        if (event.type === 'failed') log(`Order #${event.orderId}: ${event.error.shortMessage}${event.error.hint ? ` — ${event.error.hint}` : ''}`)
      },
    })
    log('Agent started: new orders are delivered while this tab is open.')
    return () => void agent.stop()
  }, [agentOn, client])

  if (!address) return (<><h1>Seller dashboard</h1><p className="notice">Connect a wallet to see your sales.</p></>)
  return (
    <>
      <h1>Seller dashboard</h1>
      <Section title="Orders waiting for delivery">
        <label className="check">
          <input type="checkbox" checked={agentOn} onChange={(e) => setAgentOn(e.target.checked)} /> Deliver automatically while this tab is open (seller agent)
        </label>
        {agentLog.length ? (
          <ul className="log" aria-label="Seller agent log" aria-live="polite">
            {agentLog.map(({ id, line }) => (
              <li key={id}>{line}</li>
            ))}
          </ul>
        ) : null}
        {waiting.isPending ? <Loading /> : null}
        {waiting.error ? <ErrorBox error={waiting.error} title="Could not load orders" /> : null}
        {waiting.data?.length === 0 ? <p>No order is waiting.</p> : null}
        <ul className="orders">
          {waiting.data?.map((o) => (
            <li key={o.orderId.toString()}>
              Order #{o.orderId.toString()} · <a href={`#/model/${o.modelId}`}>{o.modelName}</a> · buyer <Short address={o.buyer} /> · deliver before{' '}
              {date(o.deliveryDeadline)}{' '}
              <ActionButton busy={deliver.pending} onClick={() => deliver.run(o.orderId)}>
                Deliver order #{o.orderId.toString()}
              </ActionButton>
            </li>
          ))}
        </ul>
        {deliver.state.status === 'done' ? <p role="status">Delivered: the buyer can now download.</p> : null}
        {deliver.state.status === 'error' ? <ErrorBox error={deliver.state.error} title="Delivery failed" /> : null}
      </Section>
      <Section title="Revenue and payouts">
        {account.isPending ? <Loading /> : null}
        {account.error ? <ErrorBox error={account.error} title="Could not load your account" /> : null}
        {account.data === null ? <p>No sales yet.</p> : null}
        {account.data ? (
          <>
            <p>
              {account.data.salesCount} sales · revenue {formatUnits(account.data.revenue, 18)} · {account.data.modelCount} models
            </p>
            {account.data.pendingPayouts.length === 0 ? <p>Nothing to withdraw.</p> : null}
            <ul>
              {account.data.pendingPayouts.map((p) => (
                <li key={p.token}>
                  {formatUnits(p.amount, 18)} of token <Short address={p.token} />{' '}
                  <ActionButton busy={withdraw.pending} onClick={() => withdraw.run(p.token)}>
                    {withdraw.pending ? 'Withdrawing…' : 'Withdraw'}
                  </ActionButton>
                </li>
              ))}
            </ul>
            {withdraw.state.status === 'done' ? <p role="status">Withdrew {formatUnits(withdraw.state.result.amount, 18)}.</p> : null}
            {withdraw.state.status === 'error' ? <ErrorBox error={withdraw.state.error} title="Withdrawal failed" /> : null}
          </>
        ) : null}
      </Section>
    </>
  )
}
