import type { OrderInfo } from '@ai-model-marketplace/sdk'
import { useQueryClient } from '@tanstack/react-query'
import { useSyncExternalStore } from 'react'
import { Download } from './Download.tsx'
import { useMarketplace } from './client.ts'
import { useAction, useAppConfig } from './hooks.ts'
import { ActionButton, date, ErrorBox } from './ui.tsx'

/** An order as the buyer's page knows it: from the indexer, or just placed and not indexed yet. */
export type TrackedOrder = Pick<OrderInfo, 'orderId' | 'modelId' | 'status' | 'deliveryDeadline' | 'disputeDeadline' | 'isFree'>

const downloadKey = (chainId: number, orderId: bigint) => `amm-downloaded:${chainId}:${orderId}`
const downloadListeners = new Set<() => void>()

/** Notes in this browser that the version of an order was downloaded and verified (the chain cannot know). */
export function noteDownloaded(chainId: number, orderId: bigint) {
  localStorage.setItem(downloadKey(chainId, orderId), '1')
  for (const listener of downloadListeners) listener()
}

function useDownloaded(chainId: number, orderId: bigint): boolean {
  return useSyncExternalStore(
    (listener) => {
      downloadListeners.add(listener)
      window.addEventListener('storage', listener)
      return () => {
        downloadListeners.delete(listener)
        window.removeEventListener('storage', listener)
      }
    },
    () => localStorage.getItem(downloadKey(chainId, orderId)) === '1',
  )
}

/** The key is with the buyer in these states. */
export const keyed = (status: OrderInfo['status']) => status === 'Delivered' || status === 'Completed' || status === 'Disputed' || status === 'Resolved'

type Step = { label: string; state: 'done' | 'current' | 'todo'; detail?: React.ReactNode }

/**
 * Where a bought model stands, as four steps: paid → key delivered → downloaded → confirmed, with the
 * deadline of the step under way and its action (download, confirm) in place, so the buyer follows the
 * order from Buy to Confirm without leaving the model page.
 */
export function OrderProgress({ order, name, semver, onChange }: { order: TrackedOrder; name: string; semver?: string; onChange: () => void }) {
  const client = useMarketplace()
  const config = useAppConfig()
  const queries = useQueryClient()
  const downloaded = useDownloaded(config.chain.id, order.orderId)
  const confirm = useAction(async () => {
    await client.confirmOrder({ orderId: order.orderId })
    // the order's list, and the model's and seller's counts (sales, revenue) change with it
    await Promise.all([['buyer-orders'], ['model', order.modelId.toString()], ['account']].map((queryKey) => queries.invalidateQueries({ queryKey })))
    onChange()
  })
  const { status } = order
  const hasKey = keyed(status)
  const finished = status === 'Completed' || status === 'Resolved'
  const gotFiles = downloaded || finished
  const steps: Step[] = [
    { label: 'Paid', state: 'done', detail: 'The price is held in escrow until you confirm.' },
    {
      label: 'Key delivered',
      state: hasKey ? 'done' : 'current',
      detail:
        status === 'Created' ? (
          <>The seller delivers the key by {date(order.deliveryDeadline)}; if not, you can take a refund in your Library.</>
        ) : status === 'Refunded' ? (
          'Not delivered: the price was refunded.'
        ) : undefined,
    },
    {
      label: 'Downloaded',
      state: gotFiles ? 'done' : hasKey ? 'current' : 'todo',
      detail: hasKey ? (
        <Download
          modelId={order.modelId}
          name={semver ? `${name} ${semver}` : name}
          onVerified={() => {
            noteDownloaded(config.chain.id, order.orderId)
          }}
        />
      ) : undefined,
    },
    {
      label: status === 'Disputed' || status === 'Resolved' ? 'Confirmed or ruled' : 'Confirmed',
      state: finished ? 'done' : status === 'Delivered' && gotFiles ? 'current' : 'todo',
      detail:
        status === 'Delivered' ? (
          <>
            {order.disputeDeadline ? <>Check the files, then confirm to release the payment, or dispute in your Library before {date(order.disputeDeadline)}. </> : null}
            <ActionButton busy={confirm.pending} onClick={() => confirm.run()}>
              {confirm.pending ? 'Confirming…' : `Confirm order #${order.orderId}`}
            </ActionButton>
            {confirm.state.status === 'error' ? <ErrorBox error={confirm.state.error} title="Confirmation failed" /> : null}
          </>
        ) : status === 'Disputed' ? (
          'In dispute: the arbiter rules; follow it in your Library.'
        ) : status === 'Resolved' ? (
          'The dispute was ruled.'
        ) : status === 'Completed' ? (
          'You confirmed: the seller is paid.'
        ) : undefined,
    },
  ]
  if (status === 'Refunded') steps.splice(2)
  return (
    <div className="order-progress">
      <ol className="stepper" aria-label={`Order #${order.orderId} progress`}>
        {steps.map((step) => (
          <li key={step.label} className={`step step-${step.state}`} aria-current={step.state === 'current' ? 'step' : undefined}>
            <strong>{step.label}</strong> <span className="step-state">{step.state === 'done' ? 'done' : step.state === 'current' ? 'now' : 'next'}</span>
            {step.detail ? <div className="step-detail">{step.detail}</div> : null}
          </li>
        ))}
      </ol>
      <p className="note">
        Follow all your orders in your <a href="#/library">Library</a>.
      </p>
    </div>
  )
}
