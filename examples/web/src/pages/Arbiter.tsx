import type { OrderInfo } from '@ai-model-marketplace/sdk'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useId, useState } from 'react'
import { formatUnits } from 'viem'
import { useMarketplace } from '../client.ts'
import { EvidenceText, useEvidence } from '../evidence.tsx'
import { useAction } from '../hooks.ts'
import { KeyCheckNote, keyCheckOf } from '../keyCheck.tsx'
import { useTokens } from '../tokens.ts'
import { required } from '../required.ts'
import { ActionButton, amountText, date, ErrorBox, Loading, Short } from '../ui.tsx'

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
  // each open dispute's ruling deadline (the order's indexed fields do not carry it)
  const deadlines = useQuery({
    queryKey: ['ruling-deadlines'],
    queryFn: async () =>
      new Map(
        (
          await required(client.indexer, 'indexer').query<{ disputes: { order: { orderId: string }; rulingDeadline: string }[] }>(
            '{ disputes(where: { status: Open }, first: 1000) { order { orderId } rulingDeadline } }',
          )
        ).disputes.map((d) => [d.order.orderId, BigInt(d.rulingDeadline)]),
      ),
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
            <DisputeCard order={o} deadline={deadlines.data?.get(o.orderId.toString())} onRuled={(outcome) => setRuled((all) => [outcome, ...all])} />
          </li>
        ))}
      </ul>
    </>
  )
}

type Ruling = 'buyer' | 'seller' | { buyerShareBps: number }

function DisputeCard({ order, deadline, onRuled }: { order: OrderInfo; deadline: bigint | undefined; onRuled: (outcome: Ruled) => void }) {
  const client = useMarketplace()
  const queries = useQueryClient()
  const id = useId()
  const [share, setShare] = useState(50)
  const evidence = useEvidence(order.orderId, true)
  const { tokenOf } = useTokens()
  // a ruling is final: it is asked for, described, and sent only once confirmed
  const [asked, setAsked] = useState<Ruling>()
  const token = tokenOf(order.token)
  const escrow = amountText(order.amount, token)
  const consequences = (ruling: Ruling) =>
    ruling === 'buyer'
      ? `The buyer gets the ${escrow} in escrow back; the seller is paid nothing.`
      : ruling === 'seller'
        ? `The seller is paid the ${escrow} in escrow (less the platform fee); the buyer gets nothing back.`
        : `The buyer gets ${ruling.buyerShareBps / 100}% (${amountText((order.amount * BigInt(ruling.buyerShareBps)) / 10_000n, token)}) back; the seller is paid the rest (less the platform fee).`
  // what evaluators attested about the key this order committed to, for the version bought
  const evaluations = useQuery({
    queryKey: ['evaluations', order.modelId.toString(), order.version],
    enabled: order.version > 0,
    queryFn: () => client.getEvaluations({ modelId: order.modelId, version: order.version }),
  })
  const rule = useAction(async (ruling: Ruling) => {
    setAsked(undefined)
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
      {deadline !== undefined ? (
        <p>Ruling due by {date(deadline)}; without a ruling by then anyone can settle it by the default rule, a 50/50 split.</p>
      ) : null}
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
        <ActionButton busy={rule.pending} onClick={() => setAsked('buyer')}>
          Rule for the buyer (refund)
        </ActionButton>
        <ActionButton busy={rule.pending} onClick={() => setAsked('seller')}>
          Rule for the seller (release)
        </ActionButton>
        <label htmlFor={`${id}-share`}>Buyer's share %</label>
        <input id={`${id}-share`} type="number" min={0} max={100} value={share} onChange={(e) => setShare(Number(e.target.value))} />
        <ActionButton busy={rule.pending} onClick={() => setAsked({ buyerShareBps: Math.round(share * 100) })}>
          Split
        </ActionButton>
      </div>
      {asked !== undefined ? (
        <fieldset className="confirm">
          <legend>Confirm the ruling</legend>
          <p>{consequences(asked)} A ruling is final.</p>
          <div className="actions">
            {/* the ruling was just asked for: focus goes to its confirmation, the next step */}
            <ActionButton busy={rule.pending} onClick={() => rule.run(asked)} autoFocus>
              Confirm ruling
            </ActionButton>
            <button type="button" className="secondary" onClick={() => setAsked(undefined)}>
              Cancel
            </button>
          </div>
        </fieldset>
      ) : null}
      {rule.state.status === 'error' ? <ErrorBox error={rule.state.error} title="Ruling failed" /> : null}
    </article>
  )
}
