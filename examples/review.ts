// Confirms a delivered order (releasing the escrow) and reviews it: only real buyers can review.
import { id, runScript, ScriptError } from './lib/cli.ts'
import { ok } from './lib/ui.ts'
import { marketplaceAbi } from './lib/sdk.ts'

const statuses = ['None', 'Created', 'Delivered', 'Completed', 'Refunded', 'Disputed', 'Resolved'] as const

await runScript({
  usage: `Usage: node examples/review.ts --order <id> --rating <1-5> [--comment <text>]

Reviews the model of one of your orders. A delivered order is confirmed first, which releases the
escrow to the seller; the protocol accepts one review per licensed order, from its buyer.
  --order <id>          your order (required)
  --rating <1-5>        stars (required)
  --comment <text>      the review's text (added to the store)`,
  options: { order: { type: 'string' }, rating: { type: 'string' }, comment: { type: 'string' } },
  wallet: 'carol',
  async run(flags, { client, market, signer }) {
    const account = signer()
    const orderId = id(flags.order, 'order')
    const rating = Number(id(flags.rating, 'rating'))
    if (rating < 1 || rating > 5) throw new ScriptError(`--rating must be 1 to 5, got ${rating}`)
    const order = (await market.publicClient.readContract({ address: market.deployment.contracts.Marketplace.address, abi: marketplaceAbi, functionName: 'getOrder', args: [orderId] })) as { status: number }
    if (statuses[order.status] === 'Delivered') {
      await client.confirmOrder({ orderId })
      ok(`${account.name} confirmed order #${orderId}: the escrow is released to the seller`)
    }
    const reviewed = await client.reviewOrder({ orderId, rating, comment: flags.comment })
    ok(`${account.name} rated order #${orderId} ${'★'.repeat(rating)}${'☆'.repeat(5 - rating)}${reviewed.commentURI ? ` (comment ${reviewed.commentURI})` : ''}`)
  },
})
