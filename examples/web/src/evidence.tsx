import type { MarketplaceClient, OrderInfo } from '@ai-model-marketplace/sdk'
import { useQuery } from '@tanstack/react-query'
import { useId, useState } from 'react'
import { useMarketplace } from './client.ts'
import { useAction } from './hooks.ts'
import { required } from './required.ts'
import { readText } from './store.ts'
import { ActionButton, ErrorBox } from './ui.tsx'

export type EvidenceItem = { party: { id: `0x${string}` }; evidenceURI: string; document: string }

/** A disputed order's evidence, oldest first, each document read from the store (followed while the dispute is open). */
export function useEvidence(orderId: bigint, follow = false) {
  const client = useMarketplace()
  return useQuery({
    queryKey: ['evidence', orderId.toString()],
    queryFn: async (): Promise<EvidenceItem[]> => {
      const { evidences } = await required(client.indexer, 'indexer').query<{ evidences: Omit<EvidenceItem, 'document'>[] }>(
        'query Evidence($order: String!) { evidences(where: { order: $order }, orderBy: blockNumber) { party { id } evidenceURI } }',
        { order: orderId.toString() },
      )
      return Promise.all(evidences.map(async (e) => ({ ...e, document: await readText(client, e.evidenceURI).catch((error: Error) => `(unreadable: ${error.message})`) })))
    },
    refetchInterval: follow ? 5000 : false,
  })
}

/** ERC-1497 evidence is JSON `{ name, description, fileURI }`; shown as text, never as HTML. */
export function EvidenceText({ raw }: { raw: string }) {
  try {
    const doc = JSON.parse(raw) as { name?: string; description?: string; fileURI?: string }
    return (
      <span>
        <strong>{doc.name}</strong> — {doc.description}
        {doc.fileURI ? <> (attached file: <code>{doc.fileURI}</code>)</> : null}
      </span>
    )
  } catch {
    return <span>{raw}</span>
  }
}

/** Sends an ERC-1497 evidence document, its optional file stored first. */
export async function sendEvidence(
  client: MarketplaceClient,
  { order, mode, description, file }: { order: Pick<OrderInfo, 'orderId'>; mode: 'dispute' | 'evidence'; description: string; file?: File },
) {
  const store = client.store
  const fileURI = file && 'add' in store ? `ipfs://${(await store.add(file.stream())).cid}` : undefined
  const evidence = { name: mode === 'dispute' ? `Dispute of order #${order.orderId}` : `Evidence for order #${order.orderId}`, description, ...(fileURI ? { fileURI } : {}) }
  return mode === 'dispute' ? client.disputeOrder({ orderId: order.orderId, evidence }) : client.submitEvidence({ orderId: order.orderId, evidence })
}

/** The seller's answer to a dispute: text and an optional file, opened from a button. */
export function AnswerForm({ orderId, onSent }: { orderId: bigint; onSent: () => void }) {
  const client = useMarketplace()
  const id = useId()
  const [open, setOpen] = useState(false)
  const [description, setDescription] = useState('')
  const [file, setFile] = useState<File>()
  const send = useAction(async () => {
    const result = await sendEvidence(client, { order: { orderId }, mode: 'evidence', description, file })
    setOpen(false)
    setDescription('')
    onSent()
    return result
  })
  if (!open)
    return (
      <>
        <button type="button" onClick={() => setOpen(true)}>
          Answer with evidence
        </button>
        {send.state.status === 'done' ? <p role="status">Evidence sent: the arbiter sees it with the buyer's.</p> : null}
      </>
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
        <label htmlFor={`${id}-d`}>Your answer</label>
        {/* biome-ignore lint/a11y/noAutofocus: the button that opened the form is gone; typing starts here */}
        <textarea id={`${id}-d`} autoFocus required rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-f`}>Supporting file (optional)</label>
        <input id={`${id}-f`} type="file" onChange={(e) => setFile(e.target.files?.[0])} />
      </div>
      <div className="actions">
        <ActionButton type="submit" disabled={!description.trim()} busy={send.pending}>
          {send.pending ? 'Sending…' : 'Submit evidence'}
        </ActionButton>
        <button type="button" className="secondary" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
      {send.state.status === 'error' ? <ErrorBox error={send.state.error} title="Could not send the evidence" /> : null}
    </form>
  )
}
