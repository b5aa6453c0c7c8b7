import { useConnection } from 'wagmi'
import { useSellerActions } from './sellerActions.ts'

/**
 * The count beside "Seller dashboard" in the navigation: open disputes on the connected account's
 * models and orders it has to deliver. The link names it as its description (`aria-describedby`, by
 * `id`); on phones the Menu button shows it too, as part of its name.
 */
export function ActionCount({ id }: { id?: string }) {
  const { address } = useConnection()
  const actions = useSellerActions(address)
  const n = actions.data?.count ?? 0
  if (!n) return id ? <span id={id} /> : null
  return (
    <span id={id} className="count">
      {n}
      <span className="visually-hidden"> {n === 1 ? 'action' : 'actions'} needed</span>
    </span>
  )
}
