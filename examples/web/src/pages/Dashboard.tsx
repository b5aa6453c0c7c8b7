import type { SellerAgentEvent } from '@ai-model-marketplace/sdk'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import type { Address } from 'viem'
import { useConnection } from 'wagmi'
import { useMarketplace } from '../client.ts'
import { useAction, useAppConfig } from '../hooks.ts'
import { required } from '../required.ts'
import { AnswerForm, EvidenceText, useEvidence } from '../evidence.tsx'
import { type OpenDispute, useSellerActions } from '../sellerActions.ts'
import { useTokens } from '../tokens.ts'
import { ActionButton, amountsText, amountText, count, date, ErrorBox, Loading, Section, Short } from '../ui.tsx'

export default function Dashboard() {
  const client = useMarketplace()
  const { address } = useConnection()
  const queries = useQueryClient()
  const config = useAppConfig()
  // automatic delivery is the seller's standing choice: remembered per account (and chain) in this browser
  const agentKey = address ? `amm-auto-deliver:${config.chain.id}:${address.toLowerCase()}` : undefined
  const [agentChoice, setAgentChoice] = useState<{ key: string | undefined; on: boolean }>()
  const agentOn = agentChoice && agentChoice.key === agentKey ? agentChoice.on : agentKey !== undefined && localStorage.getItem(agentKey) === 'on'
  const setAgentOn = (on: boolean) => {
    if (agentKey) localStorage.setItem(agentKey, on ? 'on' : 'off')
    setAgentChoice({ key: agentKey, on })
  }
  const [agentLog, setAgentLog] = useState<{ id: number; line: string }[]>([])
  // log lines are prepended and capped, so each keeps an id for its React key
  const nextLogId = useRef(0)
  const waiting = useQuery({
    queryKey: ['seller-orders', address],
    enabled: Boolean(address),
    queryFn: async () => (await client.getOrders({ seller: required(address, 'connected account'), status: 'Created', first: 100 })).orders,
    refetchInterval: 4000,
  })
  const actions = useSellerActions(address)
  const { tokenOf, platform } = useTokens()
  const account = useQuery({ queryKey: ['account', address], enabled: Boolean(address), queryFn: () => client.getAccount({ address: required(address, 'connected account') }), refetchInterval: 8000 })
  const deliver = useAction(async (orderId: bigint) => {
    const result = await client.deliverOrder({ orderId })
    await queries.invalidateQueries({ queryKey: ['seller-orders'] })
    await queries.invalidateQueries({ queryKey: ['seller-actions'] })
    return result
  })
  const withdraw = useAction(async (token: `0x${string}`) => {
    const result = { ...(await client.withdraw({ token })), token }
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
      <Section title="Action needed">
        {actions.isPending ? <Loading /> : null}
        {actions.error ? <ErrorBox error={actions.error} title="Could not load what needs you" /> : null}
        {actions.data ? (
          <p>
            {actions.data.disputes.length ? `${count(actions.data.disputes.length, 'open dispute')} on your models: answer before the ruling deadline.` : 'No open dispute on your models.'}{' '}
            {actions.data.waiting ? `${count(actions.data.waiting, 'order')} to deliver (below).` : ''}
          </p>
        ) : null}
        <ul className="cards wide">
          {actions.data?.disputes.map((d) => (
            <li key={d.disputeId} className="card">
              <SellerDispute dispute={d} seller={address} />
            </li>
          ))}
        </ul>
      </Section>
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
              {count(account.data.salesCount, 'sale')} · revenue {amountsText(account.data.revenue, platform)} · {count(account.data.modelCount, 'model')}
            </p>
            {account.data.pendingPayouts.length === 0 ? <p>Nothing to withdraw.</p> : null}
            <ul>
              {account.data.pendingPayouts.map((p) => (
                <li key={p.token}>
                  {amountText(p.amount, tokenOf(p.token))} to withdraw (token <Short address={p.token} />){' '}
                  <ActionButton busy={withdraw.pending} onClick={() => withdraw.run(p.token)}>
                    {withdraw.pending ? 'Withdrawing…' : 'Withdraw'}
                  </ActionButton>
                </li>
              ))}
            </ul>
            {withdraw.state.status === 'done' ? <p role="status">Withdrew {amountText(withdraw.state.result.amount, tokenOf(withdraw.state.result.token))}.</p> : null}
            {withdraw.state.status === 'error' ? <ErrorBox error={withdraw.state.error} title="Withdrawal failed" /> : null}
          </>
        ) : null}
      </Section>
    </>
  )
}

/** An open dispute on the seller's model: the deadline, what each side sent, and the seller's answer. */
function SellerDispute({ dispute, seller }: { dispute: OpenDispute; seller: Address }) {
  const orderId = BigInt(dispute.order.orderId)
  const evidence = useEvidence(orderId, true)
  const buyer = dispute.order.buyer.id.toLowerCase()
  const from = (party: string) => (party.toLowerCase() === seller.toLowerCase() ? 'you' : party.toLowerCase() === buyer ? 'the buyer' : 'another account')
  return (
    <article aria-labelledby={`dispute-${dispute.order.orderId}`}>
      <h3 id={`dispute-${dispute.order.orderId}`}>Dispute on order #{dispute.order.orderId}</h3>
      <p className="meta">
        <a href={`#/model/${dispute.model.modelId}`}>{dispute.model.name}</a> · buyer <Short address={dispute.order.buyer.id} /> · opened {date(BigInt(dispute.openedAt))}
      </p>
      <p>
        The arbiter rules by {date(BigInt(dispute.rulingDeadline))}; without a ruling by then the escrow is split 50/50 (the contract's default rule).
      </p>
      <h4>Evidence</h4>
      {evidence.isPending ? <Loading /> : null}
      {evidence.error ? <ErrorBox error={evidence.error} title="Could not load the evidence" /> : null}
      <ul>
        {evidence.data?.map((e) => (
          <li key={e.evidenceURI}>
            From {from(e.party.id)}: <EvidenceText raw={e.document} />
          </li>
        ))}
      </ul>
      <AnswerForm orderId={orderId} onSent={() => void evidence.refetch()} />
    </article>
  )
}
