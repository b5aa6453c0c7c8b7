import type { OrderInfo } from '@ai-model-marketplace/sdk'
import { useQuery } from '@tanstack/react-query'
import { lazy, Suspense, useState } from 'react'
import { erc20Abi, formatUnits } from 'viem'
import { useConnection } from 'wagmi'
import { Download } from '../Download.tsx'
import { KeyCheckNote, keyCheckOf } from '../keyCheck.tsx'
import { keyed, OrderProgress, type TrackedOrder } from '../OrderProgress.tsx'
import { useMarketplace } from '../client.ts'
import { useAction } from '../hooks.ts'
import { readText } from '../store.ts'
import { required } from '../required.ts'
import { useSellerActions } from '../sellerActions.ts'
import { ActionButton, amountText, count, date, ErrorBox, Loading, Money, Section, Short, Stars, statusText, Verdicts } from '../ui.tsx'

// the Markdown renderer (marked) loads with the first card shown
const Markdown = lazy(() => import('../Markdown.tsx'))

/** An order waiting for the seller, or delivered and not yet confirmed or ruled. */
const open = (status: OrderInfo['status']) => status === 'Created' || status === 'Delivered' || status === 'Disputed'
const holdsLicense = (status: OrderInfo['status']) => status === 'Completed' || status === 'Resolved'

/** The page's refusal to ask for a signature the chain would refuse, shown like the SDK's errors. */
function shortOfPrice(balance: bigint, price: bigint, token: { symbol: string | null; decimals: number | null }) {
  return Object.assign(new Error(`This wallet holds ${amountText(balance, token)}; the price is ${amountText(price, token)}.`), {
    name: 'InsufficientBalance',
    hint: `Get at least ${amountText(price - balance, token)} more into this wallet, then buy again. Nothing was signed or sent.`,
  })
}

/** "10 AIMT", "2.5 tokens", "free". */
const priceText = (price: bigint, token: { symbol: string | null; decimals: number | null }) =>
  price === 0n ? 'free' : `${formatUnits(price, token.decimals ?? 18)} ${token.symbol ?? 'tokens'}`

/** "1 open dispute · 2 disputes ruled (won 1, lost 0, split 1)", or "no disputes". */
function disputeRecord(open: number | undefined, account: { disputesWon: number; disputesLost: number; disputesSplit: number }): string {
  const ruled = account.disputesWon + account.disputesLost + account.disputesSplit
  const parts = [
    open ? count(open, 'open dispute') : '',
    ruled ? `${count(ruled, 'dispute')} ruled (won ${account.disputesWon}, lost ${account.disputesLost}, split ${account.disputesSplit})` : '',
  ].filter(Boolean)
  return parts.length ? parts.join(' · ') : open === undefined ? '' : 'no disputes'
}

type ModelCard = { description?: string; name?: string; [field: string]: unknown }

export default function ModelPage({ modelId }: { modelId: bigint }) {
  const client = useMarketplace()
  const { address } = useConnection()
  const model = useQuery({ queryKey: ['model', modelId.toString()], queryFn: () => client.getModel({ modelId }) })
  const terms = useQuery({ queryKey: ['quote', modelId.toString()], queryFn: () => client.quote({ modelId }) })
  const card = useQuery({
    queryKey: ['card', model.data?.metadataURI],
    enabled: Boolean(model.data?.metadataURI),
    queryFn: async () => JSON.parse(await readText(client, required(model.data?.metadataURI, 'model card URI'))) as ModelCard,
  })
  const evaluations = useQuery({ queryKey: ['evaluations', modelId.toString()], queryFn: () => client.getEvaluations({ modelId }) })
  const reviews = useQuery({
    queryKey: ['reviews', modelId.toString()],
    queryFn: async () => (await client.getOrders({ modelId, status: 'Completed', first: 100 })).orders.flatMap((o) => (o.review ? [{ ...o, review: o.review }] : [])),
  })
  const seller = useQuery({
    queryKey: ['account', model.data?.owner],
    enabled: Boolean(model.data?.owner),
    queryFn: () => client.getAccount({ address: required(model.data?.owner, 'model owner') }),
    // followed with the open disputes beside it, so a ruling moves from one count to the other
    refetchInterval: 8000,
  })
  const sellerDisputes = useSellerActions(model.data?.owner)
  const mine = useQuery({
    queryKey: ['my-orders', modelId.toString(), address],
    enabled: Boolean(address),
    queryFn: async () => (await client.getOrders({ modelId, buyer: required(address, 'connected account'), first: 20 })).orders,
    // an order under way is followed live: the key's delivery shows without a reload
    refetchInterval: (query) => (query.state.data?.some((o) => open(o.status)) ? 4000 : false),
  })
  const balance = useQuery({
    queryKey: ['balance', model.data?.paymentToken.address, address],
    enabled: Boolean(address && model.data),
    queryFn: () =>
      client.publicClient.readContract({
        address: required(model.data?.paymentToken.address, 'payment token'),
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [required(address, 'connected account')],
      }),
  })
  const buy = useAction(async (maxPrice: bigint) => {
    // refused here, before any signature, when the wallet cannot pay: nothing to sign, nothing to send
    const held = await balance.refetch()
    if (maxPrice > 0n && held.data !== undefined && held.data < maxPrice) throw shortOfPrice(held.data, maxPrice, required(model.data, 'model').paymentToken)
    const result = await client.buyModel({ modelId, maxPrice })
    void mine.refetch()
    void balance.refetch()
    return result
  })
  const [confirmAgain, setConfirmAgain] = useState(false)

  if (model.isPending) return <Loading label="Loading model…" />
  if (model.error) return <ErrorBox error={model.error} title="Could not load the model" />
  const m = model.data
  if (!m) return <p>Model #{modelId.toString()} does not exist (or is not indexed yet).</p>
  const latest = m.versions.at(-1)
  const isOwner = Boolean(address && address.toLowerCase() === m.owner.toLowerCase())
  // the order to follow: the newest one placed, from the purchase just made until the indexer has it
  const placed = buy.state.status === 'done' ? buy.state.result : undefined
  const indexedOrders = mine.data ?? []
  const tracked: TrackedOrder | undefined =
    placed && !indexedOrders.some((o) => o.orderId === placed.orderId)
      ? {
          orderId: placed.orderId,
          modelId,
          status: placed.payment === 'free' ? 'Completed' : 'Created',
          deliveryDeadline: placed.deliveryDeadline,
          disputeDeadline: null,
          isFree: placed.payment === 'free',
        }
      : indexedOrders.find((o) => o.status !== 'Refunded')
  // a license held or an order under way: buying again needs an explicit confirmation
  const held = tracked && (open(tracked.status) || holdsLicense(tracked.status)) ? tracked : undefined
  const short = !isOwner && terms.data !== undefined && balance.data !== undefined && balance.data < terms.data.price

  return (
    <>
      <h1>{m.name}</h1>
      <p>{m.summary}</p>
      <p className="meta">
        <Stars average={m.ratingAverage} count={m.ratingCount} /> · {count(m.salesCount, 'sale')} · {m.task} · {m.license}
        {m.commercialUse ? ' · commercial use allowed' : ' · non-commercial'} {m.active ? '' : ' · delisted'}
      </p>
      <Verdicts verdicts={m.verdicts} />

      <Section title="Price">
        {terms.isPending ? <Loading label="Quoting…" /> : null}
        {terms.error ? <ErrorBox error={terms.error} title="Could not quote the price" /> : null}
        {terms.data ? (
          <>
            <dl className="breakdown">
              <dt>{isOwner ? 'Buyers pay' : 'You pay'}</dt>
              <dd>
                <Money amount={terms.data.price} token={m.paymentToken} />
              </dd>
              {isOwner ? (
                // what the seller gets is the seller's business: buyers see the price alone
                <>
                  <dt>Platform fee ({(terms.data.feeBps / 100).toFixed(2)}%, taken on release)</dt>
                  <dd>
                    <Money amount={terms.data.fee} token={m.paymentToken} />
                  </dd>
                  <dt>You receive</dt>
                  <dd>
                    <Money amount={terms.data.sellerProceeds} token={m.paymentToken} />
                  </dd>
                </>
              ) : address && terms.data.price > 0n && balance.data !== undefined ? (
                <>
                  <dt>Your balance</dt>
                  <dd data-testid="balance">{amountText(balance.data, m.paymentToken)}</dd>
                </>
              ) : null}
            </dl>
            {!isOwner && terms.data.price > 0n ? (
              <p className="note">
                Protected: the price waits in escrow until you confirm. Without the key by the delivery deadline you can take it back, and after delivery you can
                dispute instead of confirming.
              </p>
            ) : null}
            {short ? (
              <p className="note">
                This wallet is {amountText(terms.data.price - (balance.data ?? 0n), m.paymentToken)} short of the price.
              </p>
            ) : null}
            {isOwner ? (
              <p>
                You sell this model. <a href={`#/sell/${m.modelId}`}>Publish a new version</a>.
              </p>
            ) : held && !confirmAgain ? (
              <button type="button" className="secondary" onClick={() => setConfirmAgain(true)}>
                Buy another license…
              </button>
            ) : held ? (
              <fieldset className="confirm">
                <legend>Buy this model again?</legend>
                <p>
                  You already have order #{held.orderId.toString()} for this model ({statusText(held.status)}). Buying again takes the price again, for a second
                  license.
                </p>
                <div className="actions">
                  <ActionButton
                    busy={buy.pending}
                    onClick={() => {
                      setConfirmAgain(false)
                      void buy.run(terms.data.price)
                    }}
                  >
                    {`Buy again for ${priceText(terms.data.price, m.paymentToken)}`}
                  </ActionButton>
                  <button type="button" className="secondary" onClick={() => setConfirmAgain(false)}>
                    Cancel
                  </button>
                </div>
              </fieldset>
            ) : (
              // on phones the price and Buy stay at the bottom of the screen while the card is read
              <div className="buy-bar">
                <span className="buy-bar-name">{m.name}</span>
                <ActionButton disabled={!address || !terms.data.active} busy={buy.pending} onClick={() => buy.run(terms.data.price)}>
                  {buy.pending ? 'Buying…' : address ? `Buy for ${priceText(terms.data.price, m.paymentToken)}` : 'Connect a wallet to buy'}
                </ActionButton>
              </div>
            )}
            {buy.state.status === 'done' ? (
              <p role="status">
                Order #{buy.state.result.orderId.toString()} placed ({buy.state.result.payment}).
              </p>
            ) : null}
            {buy.state.status === 'error' ? <ErrorBox error={buy.state.error} title="Purchase failed" /> : null}
          </>
        ) : null}
      </Section>

      {tracked && !tracked.isFree ? (
        <Section title="Your order">
          <OrderProgress order={tracked} name={m.name} semver={latest?.semver} onChange={() => void mine.refetch()} />
        </Section>
      ) : tracked && latest && keyed(tracked.status) ? (
        <Section title="Download">
          <Download modelId={m.modelId} version={latest.version} name={`${m.name} ${latest.semver}`} />
        </Section>
      ) : null}

      <Section title="Model card">
        {card.isPending && m.metadataURI ? <Loading /> : null}
        {card.error ? <ErrorBox error={card.error} title="Could not load the model card" /> : null}
        {!m.metadataURI ? (
          <p>The seller published no model card.</p>
        ) : card.data?.description ? (
          <Suspense fallback={<Loading label="Loading the model card…" />}>
            <Markdown text={String(card.data.description)} />
          </Suspense>
        ) : card.data ? (
          <p>The model card has no description.</p>
        ) : null}
      </Section>

      <Section title="Versions">
        <ol className="versions" reversed>
          {[...m.versions].reverse().map((v) => (
            <li key={v.version}>
              <strong>{v.semver}</strong> · {(Number(v.size) / 1048576).toFixed(2)} MiB · {date(v.publishedAt)}
              {v.deprecatedBy !== null ? ` · deprecated by version ${v.deprecatedBy}` : ''}
              {m.keyCommitment ? (
                <>
                  {' · '}
                  <KeyCheckNote check={keyCheckOf(evaluations.data, v.version, m.keyCommitment)} />
                </>
              ) : null}
              <Changelog uri={v.changelogURI} />
            </li>
          ))}
        </ol>
      </Section>

      <Section title="Evaluations">
        {evaluations.isPending ? <Loading /> : null}
        {evaluations.error ? <ErrorBox error={evaluations.error} title="Could not load evaluations" /> : null}
        {evaluations.data?.length === 0 ? <p>No evaluation yet.</p> : null}
        <ul>
          {evaluations.data?.map((e) => (
            <li key={e.attestationId.toString()}>
              {e.suite} on version {e.version}: <strong>{e.verdict}</strong> (score {e.score}) by <Short address={e.evaluator} />
            </li>
          ))}
        </ul>
      </Section>

      <Section title="Reviews">
        {reviews.isPending ? <Loading /> : null}
        {reviews.error ? <ErrorBox error={reviews.error} title="Could not load reviews" /> : null}
        {reviews.data?.length === 0 ? <p>No review yet: only buyers of completed orders can review.</p> : null}
        <ul>
          {reviews.data?.map((o) => (
            <li key={o.orderId.toString()}>
              <Stars average={o.review.rating} count={1} /> by <Short address={o.buyer} />
              <ReviewComment uri={o.review.commentURI} />
            </li>
          ))}
        </ul>
      </Section>

      <Section title="Seller">
        {seller.data ? (
          <p>
            {seller.data.handle ? `@${seller.data.handle}` : <Short address={m.owner} />} ·{' '}
            <Stars average={seller.data.sellerRatingAverage} count={seller.data.sellerRatingCount} /> · {count(seller.data.salesCount, 'sale')} ·{' '}
            {disputeRecord(sellerDisputes.data?.disputes.length, seller.data)}
          </p>
        ) : seller.error ? (
          <ErrorBox error={seller.error} title="Could not load the seller" />
        ) : (
          <Loading />
        )}
      </Section>
    </>
  )
}

function Changelog({ uri }: { uri: string }) {
  const client = useMarketplace()
  const text = useQuery({ queryKey: ['text', uri], enabled: Boolean(uri), queryFn: () => readText(client, uri) })
  if (!uri) return null
  if (text.error) return <ErrorBox error={text.error} title="Changelog unavailable" />
  return text.data ? <p className="changelog">{changelogText(text.data)}</p> : null
}

/** A changelog is stored as text or as `{ "changelog": … }`. */
function changelogText(raw: string): string {
  try {
    const parsed = JSON.parse(raw) as { changelog?: string }
    if (typeof parsed.changelog === 'string') return parsed.changelog
  } catch {}
  return raw
}

function ReviewComment({ uri }: { uri: string }) {
  const client = useMarketplace()
  const text = useQuery({ queryKey: ['text', uri], enabled: Boolean(uri), queryFn: () => readText(client, uri) })
  if (!uri || !text.data) return null
  let comment = text.data
  try {
    comment = (JSON.parse(text.data) as { comment?: string }).comment ?? comment
  } catch {}
  return <blockquote>{comment}</blockquote>
}
