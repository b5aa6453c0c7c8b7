import { useQuery } from '@tanstack/react-query'
import { useConnection } from 'wagmi'
import { Download } from '../Download.tsx'
import { useMarketplace } from '../client.ts'
import { useAction } from '../hooks.ts'
import { readText } from '../store.ts'
import { required } from '../required.ts'
import { ActionButton, date, ErrorBox, Loading, Money, Section, Short, Stars, Verdicts } from '../ui.tsx'

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
  })
  const mine = useQuery({
    queryKey: ['my-orders', modelId.toString(), address],
    enabled: Boolean(address),
    queryFn: async () => (await client.getOrders({ modelId, buyer: required(address, 'connected account'), first: 20 })).orders,
  })
  const buy = useAction((maxPrice: bigint) => client.buyModel({ modelId, maxPrice }))

  if (model.isPending) return <Loading label="Loading model…" />
  if (model.error) return <ErrorBox error={model.error} title="Could not load the model" />
  const m = model.data
  if (!m) return <p>Model #{modelId.toString()} does not exist (or is not indexed yet).</p>
  const licensed = mine.data?.find((o) => o.status === 'Completed' || o.status === 'Delivered' || o.status === 'Resolved')
  const pending = mine.data?.find((o) => o.status === 'Created')
  const latest = m.versions.at(-1)

  return (
    <>
      <h1>{m.name}</h1>
      <p>{m.summary}</p>
      <p className="meta">
        <Stars average={m.ratingAverage} count={m.ratingCount} /> · {m.salesCount} sales · {m.task} · {m.license}
        {m.commercialUse ? ' · commercial use allowed' : ' · non-commercial'} {m.active ? '' : ' · delisted'}
      </p>
      <Verdicts verdicts={m.verdicts} />

      <Section title="Price">
        {terms.isPending ? <Loading label="Quoting…" /> : null}
        {terms.error ? <ErrorBox error={terms.error} title="Could not quote the price" /> : null}
        {terms.data ? (
          <>
            <dl className="breakdown">
              <dt>You pay</dt>
              <dd>
                <Money amount={terms.data.price} token={m.paymentToken} />
              </dd>
              <dt>Platform fee ({(terms.data.feeBps / 100).toFixed(2)}%, taken on release)</dt>
              <dd>
                <Money amount={terms.data.fee} token={m.paymentToken} />
              </dd>
              <dt>Seller receives</dt>
              <dd>
                <Money amount={terms.data.sellerProceeds} token={m.paymentToken} />
              </dd>
            </dl>
            {licensed ? (
              <p>You hold a license for this model (order #{licensed.orderId.toString()}).</p>
            ) : pending ? (
              <p>Your order #{pending.orderId.toString()} waits for the seller to deliver the key.</p>
            ) : address && address.toLowerCase() === m.owner.toLowerCase() ? (
              <p>
                You sell this model. <a href={`#/sell/${m.modelId}`}>Publish a new version</a>.
              </p>
            ) : (
              <ActionButton disabled={!address || !terms.data.active} busy={buy.pending} onClick={() => buy.run(terms.data.price)}>
                {buy.pending ? 'Buying…' : address ? `Buy for ${terms.data.price === 0n ? 'free' : 'the price above'}` : 'Connect a wallet to buy'}
              </ActionButton>
            )}
            {buy.state.status === 'done' ? (
              <p role="status">
                Order #{buy.state.result.orderId.toString()} placed ({buy.state.result.payment}). The seller has until {date(buy.state.result.deliveryDeadline)} to
                deliver; then find it in your <a href="#/library">Library</a>.
              </p>
            ) : null}
            {buy.state.status === 'error' ? <ErrorBox error={buy.state.error} title="Purchase failed" /> : null}
          </>
        ) : null}
      </Section>

      {licensed && latest ? (
        <Section title="Download">
          <Download modelId={m.modelId} version={latest.version} name={`${m.name} ${latest.semver}`} />
        </Section>
      ) : null}

      <Section title="Model card">
        {card.isPending && m.metadataURI ? <Loading /> : null}
        {card.error ? <ErrorBox error={card.error} title="Could not load the model card" /> : null}
        {card.data?.description ? (
          <div className="prose">
            {String(card.data.description)
              .split(/\n{2,}/)
              .map((paragraph, i) => (
                // plain text paragraphs: a card is untrusted input, never rendered as HTML
                // biome-ignore lint/suspicious/noArrayIndexKey: the paragraphs of one fixed text never reorder, and two may be equal
                <p key={i}>{paragraph}</p>
              ))}
          </div>
        ) : card.data ? (
          <pre>{JSON.stringify(card.data, null, 2)}</pre>
        ) : null}
      </Section>

      <Section title="Versions">
        <ol className="versions" reversed>
          {[...m.versions].reverse().map((v) => (
            <li key={v.version}>
              <strong>{v.semver}</strong> · {(Number(v.size) / 1048576).toFixed(2)} MiB · {date(v.publishedAt)}
              {v.deprecatedBy !== null ? ` · deprecated by version ${v.deprecatedBy}` : ''}
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
            <Stars average={seller.data.sellerRatingAverage} count={seller.data.sellerRatingCount} /> · {seller.data.salesCount} sales · disputes: won{' '}
            {seller.data.disputesWon}, lost {seller.data.disputesLost}, split {seller.data.disputesSplit}
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
