import { useQuery } from '@tanstack/react-query'
import { useEffect, useId, useState } from 'react'
import { useConnection } from 'wagmi'
import { useMarketplace } from '../client.ts'
import { useAction } from '../hooks.ts'
import { readText } from '../store.ts'
import { required } from '../required.ts'
import { ActionButton, ErrorBox, Loading, Short, Stars } from '../ui.tsx'

const HANDLE = /^[a-z0-9_]{3,32}$/
type ProfileDoc = { name?: string; bio?: string; url?: string }

export default function Profile() {
  const client = useMarketplace()
  const { address } = useConnection()
  const id = useId()
  const account = useQuery({ queryKey: ['account', address], enabled: Boolean(address), queryFn: () => client.getAccount({ address: required(address, 'connected account') }) })
  const doc = useQuery({
    queryKey: ['profile-doc', account.data?.profileURI],
    enabled: Boolean(account.data?.profileURI),
    queryFn: async () => JSON.parse(await readText(client, required(account.data?.profileURI, 'profile URI'))) as ProfileDoc,
  })
  const [handle, setHandle] = useState('')
  const [fields, setFields] = useState<ProfileDoc>({ name: '', bio: '', url: '' })
  useEffect(() => {
    if (account.data?.handle) setHandle(account.data.handle)
  }, [account.data?.handle])
  useEffect(() => {
    if (doc.data) setFields({ name: doc.data.name ?? '', bio: doc.data.bio ?? '', url: doc.data.url ?? '' })
  }, [doc.data])

  // uniqueness is checked against the indexer as the user types, before any transaction
  const taken = useQuery({
    queryKey: ['handle', handle],
    enabled: HANDLE.test(handle) && handle !== account.data?.handle,
    queryFn: async () => {
      const { accounts } = await required(client.indexer, 'indexer').query<{ accounts: { id: string }[] }>('query Handle($h: String!) { accounts(where: { handle: $h }, first: 1) { id } }', { h: handle })
      return accounts[0]?.id
    },
  })
  const save = useAction(() => client.setProfile({ handle, profile: { ...fields } }))
  const handleError = !handle ? undefined : !HANDLE.test(handle) ? '3 to 32 of a-z, 0-9 and _.' : taken.data ? 'This handle is taken.' : undefined

  if (!address) return (<><h1>Profile</h1><p className="notice">Connect a wallet to edit your profile.</p></>)
  return (
    <>
      <h1>Profile</h1>
      {account.isPending ? <Loading /> : null}
      {account.error ? <ErrorBox error={account.error} title="Could not load your account" /> : null}
      <article className="card profile-card" aria-label="Profile card">
        <h2>{account.data?.handle ? `@${account.data.handle}` : 'No handle yet'}</h2>
        <p>
          <Short address={address} />
          {doc.data?.name ? ` · ${doc.data.name}` : ''}
        </p>
        {doc.data?.bio ? <p>{doc.data.bio}</p> : null}
        {account.data ? (
          <p className="meta">
            <Stars average={account.data.sellerRatingAverage} count={account.data.sellerRatingCount} /> · {account.data.modelCount} models · {account.data.salesCount} sales ·{' '}
            {account.data.purchaseCount} purchases
          </p>
        ) : null}
      </article>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          if (!handleError && !taken.isFetching) save.run()
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-handle`}>Handle</label>
          <input
            id={`${id}-handle`}
            value={handle}
            onChange={(e) => setHandle(e.target.value.toLowerCase())}
            aria-invalid={handleError ? true : undefined}
            aria-describedby={`${id}-handle-note`}
          />
          <span id={`${id}-handle-note`} className={handleError ? 'field-error' : 'note'} role="status">
            {handleError ?? (taken.isFetching ? 'Checking…' : handle && HANDLE.test(handle) ? 'Available.' : '')}
          </span>
        </div>
        <div className="field">
          <label htmlFor={`${id}-name`}>Display name</label>
          <input id={`${id}-name`} value={fields.name} onChange={(e) => setFields({ ...fields, name: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-bio`}>Bio</label>
          <textarea id={`${id}-bio`} rows={3} value={fields.bio} onChange={(e) => setFields({ ...fields, bio: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-url`}>Website</label>
          <input id={`${id}-url`} type="url" value={fields.url} onChange={(e) => setFields({ ...fields, url: e.target.value })} />
        </div>
        <ActionButton type="submit" disabled={Boolean(handleError)} busy={save.pending}>
          {save.pending ? 'Saving…' : 'Save profile'}
        </ActionButton>
      </form>
      {save.state.status === 'done' ? <p role="status">Profile saved.</p> : null}
      {save.state.status === 'error' ? <ErrorBox error={save.state.error} title="Could not save the profile" /> : null}
    </>
  )
}
