import type { OrderInfo } from '@ai-model-marketplace/sdk'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useCallback, useEffect, useId, useRef, useState } from 'react'
import { useConnection, usePublicClient } from 'wagmi'
import { Download } from '../Download.tsx'
import { useMarketplace } from '../client.ts'
import { useAction, useAppConfig } from '../hooks.ts'
import { required } from '../required.ts'
import { sendEvidence } from '../evidence.tsx'
import { noteDownloaded } from '../OrderProgress.tsx'
import { useTokens } from '../tokens.ts'
import { ActionButton, amountText, date, ErrorBox, Loading, Short, statusText } from '../ui.tsx'

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)

export default function Library() {
  const client = useMarketplace()
  const { address } = useConnection()
  const orders = useQuery({
    queryKey: ['buyer-orders', address],
    enabled: Boolean(address),
    queryFn: async () => (await client.getOrders({ buyer: required(address, 'connected account'), first: 200 })).orders,
    refetchInterval: 4000,
  })
  const now = useChainTime()
  if (!address) return (<><h1>Library</h1><p className="notice">Connect a wallet to see the models you bought.</p></>)
  return (
    <>
      <h1>Library</h1>
      {orders.isPending ? <Loading /> : null}
      {orders.error ? <ErrorBox error={orders.error} title="Could not load your orders" /> : null}
      {orders.data?.length === 0 ? (
        <p>
          You have no orders yet. <a href="#/">Browse models</a>.
        </p>
      ) : null}
      <ul className="cards">
        {orders.data?.map((o) => (
          <li key={o.orderId.toString()} className="card">
            <OrderCard order={o} now={now} />
          </li>
        ))}
      </ul>
    </>
  )
}

/**
 * The chain's clock (the latest block's timestamp), which the contract checks deadlines against:
 * it can differ from this computer's clock (a test chain moved ahead, a skewed local clock).
 */
function useChainTime(): bigint | undefined {
  const config = useAppConfig()
  const publicClient = usePublicClient({ chainId: config.chain.id })
  return useQuery({
    queryKey: ['chain-time', config.chain.id],
    enabled: Boolean(publicClient),
    queryFn: async () => (await required(publicClient, 'public client').getBlock()).timestamp,
    refetchInterval: 4000,
  }).data
}

function OrderCard({ order, now }: { order: OrderInfo; now: bigint | undefined }) {
  const client = useMarketplace()
  const config = useAppConfig()
  const queries = useQueryClient()
  const { tokenOf } = useTokens()
  // the model's versions, for the version the download button names (shared with the model page's query)
  const model = useQuery({ queryKey: ['model', order.modelId.toString()], queryFn: () => client.getModel({ modelId: order.modelId }) })
  const semver = model.data?.versions.at(-1)?.semver
  const refresh = () => queries.invalidateQueries({ queryKey: ['buyer-orders'] })
  const confirm = useAction(async () => {
    await client.confirmOrder({ orderId: order.orderId })
    return refresh()
  })
  const refund = useAction(async () => {
    await client.refundOrder({ orderId: order.orderId })
    return refresh()
  })
  // set when the download found the delivered key wrong: then the card offers the proof, not Confirm
  const [wrongKey, setWrongKey] = useState(false)
  const onBadDelivery = useCallback(() => setWrongKey(true), [])
  const keyed = order.status === 'Delivered' || order.status === 'Completed' || order.status === 'Resolved' || order.status === 'Disputed'
  const canRefund = order.status === 'Created' && now !== undefined && now > order.deliveryDeadline
  return (
    <article aria-labelledby={`order-${order.orderId}`}>
      <h2 id={`order-${order.orderId}`}>
        <a href={`#/model/${order.modelId}`}>{order.modelName}</a>
      </h2>
      <p className="meta">
        Order #{order.orderId.toString()} · <span data-testid="order-status">{capitalized(statusText(order.status))}</span> · seller <Short address={order.seller} /> · {date(order.createdAt)}
      </p>
      {order.status === 'Created' ? <p>Waiting for the seller to deliver the key (before {date(order.deliveryDeadline)}).</p> : null}
      {canRefund ? (
        <ActionButton busy={refund.pending} onClick={() => refund.run()}>
          {refund.pending ? 'Refunding…' : `Refund order #${order.orderId} (delivery deadline passed)`}
        </ActionButton>
      ) : null}
      {refund.state.status === 'done' ? <p role="status">Refunded: the price is back in your wallet.</p> : null}
      {order.status === 'Refunded' && order.refundReason === 'BadDelivery' ? (
        <p className="success" data-testid="refund-reason">
          Refunded in full ({amountText(order.buyerRefund, tokenOf(order.token))}): you proved the delivered key wrong, and the contract settled it
          without an arbiter.
        </p>
      ) : null}
      {refund.state.status === 'error' ? <ErrorBox error={refund.state.error} title="Refund failed" /> : null}
      {keyed && order.buyerRefund === 0n ? (
        <Download
          modelId={order.modelId}
          name={semver ? `${order.modelName} ${semver}` : order.modelName}
          onVerified={() => noteDownloaded(config.chain.id, order.orderId)}
          onRefunded={refresh}
          onBadDelivery={onBadDelivery}
        />
      ) : null}
      {order.status === 'Delivered' && wrongKey ? <p>Do not confirm this order: prove the wrong key above and the price comes back in full.</p> : null}
      {order.status === 'Delivered' && !wrongKey ? (
        <>
          <p>
            Check the files, then confirm to release payment{order.disputeDeadline ? `, or dispute before ${date(order.disputeDeadline)}` : ''}.
          </p>
          <ActionButton busy={confirm.pending} onClick={() => confirm.run()}>
            Confirm order #{order.orderId.toString()}
          </ActionButton>
          {confirm.state.status === 'error' ? <ErrorBox error={confirm.state.error} title="Confirmation failed" /> : null}
          <EvidenceForm order={order} mode="dispute" onDone={refresh} />
        </>
      ) : null}
      {order.status === 'Disputed' ? (
        <>
          <p>Disputed: the arbiter will rule. You can add evidence.</p>
          <EvidenceForm order={order} mode="evidence" onDone={refresh} />
        </>
      ) : null}
      {order.dispute?.outcome ? <p>Dispute ruled: {order.dispute.outcome}.</p> : null}
      {(order.status === 'Completed' || order.status === 'Resolved') && !order.review && !order.isFree ? <ReviewForm order={order} onDone={refresh} /> : null}
      {order.review ? <p>You rated it {order.review.rating}/5.</p> : null}
    </article>
  )
}

function EvidenceForm({ order, mode, onDone }: { order: OrderInfo; mode: 'dispute' | 'evidence'; onDone: () => void }) {
  const client = useMarketplace()
  const id = useId()
  const [open, setOpen] = useState(false)
  const [description, setDescription] = useState('')
  const [file, setFile] = useState<File>()
  // the button that opened the form is gone: focus goes on to the form's first field
  const field = useRef<HTMLTextAreaElement>(null)
  useEffect(() => {
    if (open) field.current?.focus()
  }, [open])
  const send = useAction(async () => {
    const result = await sendEvidence(client, { order, mode, description, file })
    onDone()
    return result
  })
  if (!open)
    return (
      // confirming is the usual way forward (the primary button); a dispute is the exception
      <button type="button" className={mode === 'dispute' ? 'secondary' : undefined} onClick={() => setOpen(true)}>
        {mode === 'dispute' ? `Dispute order #${order.orderId}` : 'Add evidence'}
      </button>
    )
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault()
        if (description.trim()) send.run()
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-d`}>{mode === 'dispute' ? 'What is wrong?' : 'Evidence'}</label>
        <textarea ref={field} id={`${id}-d`} required rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-f`}>Supporting file (optional)</label>
        <input id={`${id}-f`} type="file" onChange={(e) => setFile(e.target.files?.[0])} />
      </div>
      <ActionButton type="submit" disabled={!description.trim()} busy={send.pending}>
        {send.pending ? 'Sending…' : mode === 'dispute' ? 'Open dispute' : 'Submit evidence'}
      </ActionButton>
      {send.state.status === 'error' ? <ErrorBox error={send.state.error} title="Could not send" /> : null}
    </form>
  )
}

function ReviewForm({ order, onDone }: { order: OrderInfo; onDone: () => void }) {
  const client = useMarketplace()
  const id = useId()
  const [rating, setRating] = useState(5)
  const [comment, setComment] = useState('')
  const review = useAction(async () => {
    await client.reviewOrder({ orderId: order.orderId, rating, comment: comment || undefined })
    return onDone()
  })
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault()
        review.run()
      }}
    >
      <fieldset>
        <legend>Review this model</legend>
        <div className="field">
          <label htmlFor={`${id}-r`}>Stars</label>
          <select id={`${id}-r`} value={rating} onChange={(e) => setRating(Number(e.target.value))}>
            {[5, 4, 3, 2, 1].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-c`}>Comment</label>
          <textarea id={`${id}-c`} rows={2} value={comment} onChange={(e) => setComment(e.target.value)} />
        </div>
        <ActionButton type="submit" busy={review.pending}>
          {review.pending ? 'Sending…' : 'Send review'}
        </ActionButton>
        {review.state.status === 'error' ? <ErrorBox error={review.state.error} title="Review failed" /> : null}
      </fieldset>
    </form>
  )
}
