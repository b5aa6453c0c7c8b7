import type { OrderInfo } from '@ai-model-marketplace/sdk'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useId, useState } from 'react'
import { formatUnits } from 'viem'
import { useMarketplace } from '../client.ts'
import { EvidenceText, useEvidence } from '../evidence.tsx'
import { useAction } from '../hooks.ts'
import { KeyCheckNote, keyCheckOf } from '../keyCheck.tsx'
import { useTokens } from '../tokens.ts'
import { ActionButton, amountText, ErrorBox, Loading, Short } from '../ui.tsx'

type Ruled = { orderId: bigint; buyerRefund: bigint }

export default function Arbiter() {
  const client = useMarketplace()
  // a ruled dispute leaves the list as soon as the indexer has the ruling: its outcome stays here
  const [ruled, setRuled] = useState<Ruled[]>([])
  const disputed = useQuery({
    queryKey: ['disputes'],
    queryFn: async () => (await client.getOrders({ status: 'Disputed', first: 100 })).orders,
    refetchInterval: 5000,
  })
  return (
    <>
      <h1>Arbiter</h1>
      <p>Open disputes with their evidence. Only accounts holding the arbiter role can rule; others get the contract's refusal.</p>
      <p>
        A wrong key never reaches you: a buyer handed a key that does not match the seller's on-chain commitment proves it to the contract, which
        refunds in full (also while a dispute is open, which it then closes). Disputes here are about the model itself.
      </p>
      {ruled.map((r) => (
        <p key={r.orderId.toString()} role="status" className="success">
          Order #{r.orderId.toString()} ruled: the buyer gets {formatUnits(r.buyerRefund, 18)} back.
        </p>
      ))}
      {disputed.isPending ? <Loading /> : null}
      {disputed.error ? <ErrorBox error={disputed.error} title="Could not load disputes" /> : null}
      {disputed.data?.length === 0 ? <p>No open dispute.</p> : null}
      <ul className="cards">
        {disputed.data?.map((o) => (
          <li key={o.orderId.toString()} className="card">
            <DisputeCard order={o} onRuled={(outcome) => setRuled((all) => [outcome, ...all])} />
          </li>
        ))}
      </ul>
    </>
  )
}

function DisputeCard({ order, onRuled }: { order: OrderInfo; onRuled: (outcome: Ruled) => void }) {
  const client = useMarketplace()
  const queries = useQueryClient()
  const id = useId()
  const [share, setShare] = useState(50)
  const evidence = useEvidence(order.orderId, true)
  const { tokenOf } = useTokens()
  // what evaluators attested about the key this order committed to, for the version bought
  const evaluations = useQuery({
    queryKey: ['evaluations', order.modelId.toString(), order.version],
    enabled: order.version > 0,
    queryFn: () => client.getEvaluations({ modelId: order.modelId, version: order.version }),
  })
  const rule = useAction(async (ruling: 'buyer' | 'seller' | { buyerShareBps: number }) => {
    const result = await client.ruleDispute({ orderId: order.orderId, ruling })
    onRuled({ orderId: order.orderId, buyerRefund: result.buyerRefund })
    await queries.invalidateQueries({ queryKey: ['disputes'] })
    return result
  })
  return (
    <article aria-labelledby={`dispute-${order.orderId}`}>
      <h2 id={`dispute-${order.orderId}`}>
        Order #{order.orderId.toString()}: <a href={`#/model/${order.modelId}`}>{order.modelName}</a>
      </h2>
      <p className="meta">
        {amountText(order.amount, tokenOf(order.token))} in escrow · buyer <Short address={order.buyer} /> · seller <Short address={order.seller} />
      </p>
      <p data-testid="dispute-version">
        Version {order.version || 'not recorded'}
        {order.version ? (
          <>
            {' · '}
            <KeyCheckNote check={keyCheckOf(evaluations.data, order.version, order.keyCommitment)} />
          </>
        ) : null}
      </p>
      <h3>Evidence</h3>
      {evidence.isPending ? <Loading /> : null}
      {evidence.error ? <ErrorBox error={evidence.error} title="Could not load evidence" /> : null}
      <ul>
        {evidence.data?.map((e) => (
          <li key={e.evidenceURI}>
            From <Short address={e.party.id} />: <EvidenceText raw={e.document} />
          </li>
        ))}
      </ul>
      <div className="actions">
        <ActionButton busy={rule.pending} onClick={() => rule.run('buyer')}>
          Rule for the buyer (refund)
        </ActionButton>
        <ActionButton busy={rule.pending} onClick={() => rule.run('seller')}>
          Rule for the seller (release)
        </ActionButton>
        <label htmlFor={`${id}-share`}>Buyer's share %</label>
        <input id={`${id}-share`} type="number" min={0} max={100} value={share} onChange={(e) => setShare(Number(e.target.value))} />
        <ActionButton busy={rule.pending} onClick={() => rule.run({ buyerShareBps: Math.round(share * 100) })}>
          Split
        </ActionButton>
      </div>
      {rule.state.status === 'error' ? <ErrorBox error={rule.state.error} title="Ruling failed" /> : null}
    </article>
  )
}
