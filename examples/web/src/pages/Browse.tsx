import type { SearchModelsParameters } from '@ai-model-marketplace/sdk'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { useEffect, useId, useRef, useState } from 'react'
import { parseUnits } from 'viem'
import { useSearchConfig } from '../hooks.ts'
import { PAGE_SIZE, searchQuery } from '../search.ts'
import { ActionButton, ErrorBox, Loading, Money, Stars, Verdicts } from '../ui.tsx'

type Filters = { tags: string; task: string; license: string; minPrice: string; maxPrice: string; minRating: string; passed: boolean }
type OrderBy = NonNullable<SearchModelsParameters['orderBy']> | ''
const orders: OrderBy[] = ['', 'newest', 'price', 'sales', 'rating']

/** A search as the address holds it (`#/?q=…&tags=…&sort=price`): what Back restores and a link shares. */
type SearchState = { text: string; filters: Filters; orderBy: OrderBy }

/** The address's name for each filter. */
const keys: Record<Exclude<keyof Filters, 'passed'>, string> = {
  tags: 'tags',
  task: 'task',
  license: 'license',
  minPrice: 'min',
  maxPrice: 'max',
  minRating: 'rating',
}

function fromQuery(query: URLSearchParams): SearchState {
  const filters = { passed: query.get('passed') === '1' } as Filters
  for (const [key, name] of Object.entries(keys)) filters[key as keyof typeof keys] = query.get(name) ?? ''
  const sort = query.get('sort') ?? ''
  return { text: query.get('q') ?? '', filters, orderBy: orders.includes(sort as OrderBy) ? (sort as OrderBy) : '' }
}

function toQuery({ text, filters, orderBy }: SearchState): string {
  const query = new URLSearchParams()
  if (text) query.set('q', text)
  for (const [key, name] of Object.entries(keys)) if (filters[key as keyof typeof keys]) query.set(name, filters[key as keyof typeof keys])
  if (filters.passed) query.set('passed', '1')
  if (orderBy) query.set('sort', orderBy)
  return query.toString()
}

/** How each filter and sort reads on its chip. */
const chipLabels: Record<Exclude<keyof Filters, 'passed'>, string> = {
  tags: 'Tags',
  task: 'Task',
  license: 'License',
  minPrice: 'Min price',
  maxPrice: 'Max price',
  minRating: 'Min rating',
}
const sortLabels: Record<OrderBy, string> = { '': 'Relevance', newest: 'Newest', price: 'Price (low first)', sales: 'Sales', rating: 'Rating' }

const filtered = ({ filters, orderBy }: SearchState) => Boolean(orderBy || filters.passed || Object.keys(keys).some((key) => filters[key as keyof typeof keys]))

/** Prices are typed in whole tokens; the platform token has 18 decimals. */
const amount = (text: string) => (text.trim() ? parseUnits(text.trim(), 18) : undefined)

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value)
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms)
    return () => clearTimeout(timer)
  }, [value, ms])
  return debounced
}

export function Browse({ query }: { query: URLSearchParams }) {
  const client = useSearchConfig()
  const id = useId()
  const [initial] = useState(() => fromQuery(query))
  const [text, setText] = useState(initial.text)
  const [filters, setFilters] = useState<Filters>(initial.filters)
  const [orderBy, setOrderBy] = useState<OrderBy>(initial.orderBy)
  const details = useRef<HTMLDetailsElement>(null)
  // the address follows the search as it changes, replacing its history entry (typing adds no steps to Back);
  // an address changed from outside (Back and Forward between searches, the brand link) sets the search
  const written = useRef(toQuery(initial))
  const incoming = query.toString()
  useEffect(() => {
    if (incoming === written.current) return
    const state = fromQuery(new URLSearchParams(incoming))
    written.current = toQuery(state)
    setText(state.text)
    setFilters(state.filters)
    setOrderBy(state.orderBy)
    if (details.current && filtered(state)) details.current.open = true
  }, [incoming])
  useEffect(() => {
    const next = toQuery({ text, filters, orderBy })
    if (next === written.current) return
    written.current = next
    history.replaceState(history.state, '', `#/${next ? `?${next}` : ''}`)
  }, [text, filters, orderBy])
  // cursors of the pages before the current one, to go back
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined])
  const searchText = useDebounced(text, 200)
  const searchFilters = useDebounced(filters, 300)

  // a new search starts again from the first page
  // biome-ignore lint/correctness/useExhaustiveDependencies: the effect runs because the search changed; it does not read it
  useEffect(() => setCursors([undefined]), [searchText, searchFilters, orderBy])

  let parameters: SearchModelsParameters | undefined
  let invalid: string | undefined
  try {
    const f = searchFilters
    parameters = {
      text: searchText || undefined,
      tags: f.tags.trim() ? f.tags.split(',').map((t) => t.trim()).filter(Boolean) : undefined,
      task: f.task.trim() || undefined,
      license: f.license.trim() || undefined,
      minPrice: amount(f.minPrice),
      maxPrice: amount(f.maxPrice),
      minRating: f.minRating ? Number(f.minRating) : undefined,
      verdict: f.passed ? { verdict: 'Pass' } : undefined,
      orderBy: orderBy || undefined,
      first: PAGE_SIZE,
      after: cursors.at(-1),
    }
  } catch {
    invalid = 'Prices must be numbers, like 2.5'
  }

  const results = useQuery({
    ...searchQuery(client, parameters ?? {}),
    enabled: parameters !== undefined,
    placeholderData: keepPreviousData,
  })
  const set = (key: keyof Filters) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setFilters({ ...filters, [key]: e.target.type === 'checkbox' ? (e.target as HTMLInputElement).checked : e.target.value })

  return (
    <>
      <h1>Browse models</h1>
      <search className="search">
        <label htmlFor={`${id}-q`}>Search</label>
        <input
          id={`${id}-q`}
          type="search"
          value={text}
          placeholder="Name, summary, tags…"
          onChange={(e) => setText(e.target.value)}
          aria-controls={`${id}-results`}
        />
        <details className="filters" ref={details} open={filtered(initial) || undefined}>
          <summary>Filters and sort</summary>
          <div className="grid">
            <label>
              Tags (comma-separated)
              <input value={filters.tags} onChange={set('tags')} />
            </label>
            <label>
              Task
              <input value={filters.task} onChange={set('task')} placeholder="text-classification" />
            </label>
            <label>
              License (SPDX)
              <input value={filters.license} onChange={set('license')} placeholder="MIT" />
            </label>
            <label>
              Min price
              <input inputMode="decimal" value={filters.minPrice} onChange={set('minPrice')} />
            </label>
            <label>
              Max price
              <input inputMode="decimal" value={filters.maxPrice} onChange={set('maxPrice')} />
            </label>
            <label>
              Min rating
              <select value={filters.minRating} onChange={set('minRating')}>
                <option value="">Any</option>
                {[1, 2, 3, 4].map((n) => (
                  <option key={n} value={n}>
                    {n}★ and up
                  </option>
                ))}
              </select>
            </label>
            <label className="check">
              <input type="checkbox" checked={filters.passed} onChange={set('passed')} /> Passed evaluation
            </label>
            <label>
              Sort by
              <select value={orderBy} onChange={(e) => setOrderBy(e.target.value as OrderBy)}>
                <option value="">{text ? 'Relevance' : 'Newest'}</option>
                <option value="newest">Newest</option>
                <option value="price">Price (low first)</option>
                <option value="sales">Sales</option>
                <option value="rating">Rating</option>
              </select>
            </label>
          </div>
        </details>
      </search>
      {filtered({ text, filters, orderBy }) ? (
        <ul className="chips" aria-label="Active filters">
          {(Object.keys(chipLabels) as (keyof typeof chipLabels)[])
            .filter((key) => filters[key])
            .map((key) => (
              <li key={key}>
                <button
                  type="button"
                  className="chip"
                  title="Remove this filter"
                  onClick={() => setFilters({ ...filters, [key]: '' })}
                >
                  {chipLabels[key]}: {key === 'minRating' ? `${filters[key]}★` : filters[key]}
                </button>
              </li>
            ))}
          {filters.passed ? (
            <li>
              <button type="button" className="chip" title="Remove this filter" onClick={() => setFilters({ ...filters, passed: false })}>
                Passed evaluation
              </button>
            </li>
          ) : null}
          {orderBy ? (
            <li>
              <button type="button" className="chip" title="Back to the default order" onClick={() => setOrderBy('')}>
                Sort: {sortLabels[orderBy]}
              </button>
            </li>
          ) : null}
          <li>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setFilters(fromQuery(new URLSearchParams()).filters)
                setOrderBy('')
              }}
            >
              Clear filters
            </button>
          </li>
        </ul>
      ) : null}
      {invalid ? <p role="alert" className="error">{invalid}</p> : null}
      <div id={`${id}-results`} aria-live="polite" aria-busy={results.isFetching}>
        {results.isPending ? <Loading label="Searching…" /> : null}
        {results.error ? <ErrorBox error={results.error} title="Search failed" /> : null}
        {results.data ? (
          results.data.models.length === 0 ? (
            <p>No model matches.</p>
          ) : (
            <ul className="cards" data-testid="results">
              {results.data.models.map((m) => (
                <li key={m.modelId.toString()} className="card">
                  <h2>
                    <a href={`#/model/${m.modelId}`}>{m.name}</a>
                  </h2>
                  <p>{m.summary}</p>
                  <p className="meta">
                    <Money amount={m.price} token={m.paymentToken} /> · <Stars average={m.ratingAverage} count={m.ratingCount} /> ·{' '}
                    {m.salesCount} {m.salesCount === 1 ? 'sale' : 'sales'}
                  </p>
                  <p className="meta">
                    {m.task} · {m.license}
                    {m.tags.length ? ` · ${m.tags.join(', ')}` : ''}
                  </p>
                  <Verdicts verdicts={m.verdicts} />
                </li>
              ))}
            </ul>
          )
        ) : null}
      </div>
      <nav className="pager" aria-label="Result pages">
        {/* at either end the button stays focusable (aria-disabled), so keyboard focus is not dropped */}
        <ActionButton busy={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous page
        </ActionButton>
        <span>Page {cursors.length}</span>
        <ActionButton busy={!results.data?.nextCursor} onClick={() => results.data?.nextCursor && setCursors([...cursors, results.data.nextCursor])}>
          Next page
        </ActionButton>
      </nav>
    </>
  )
}
