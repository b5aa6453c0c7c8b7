// Rules on a dispute as an arbiter: for the buyer, for the seller, or a split.
import { id, required, runScript, ScriptError } from './lib/cli.ts'
import { aimt, ok } from './lib/ui.ts'

await runScript({
  usage: `Usage: node examples/arbiter-rule.ts --order <id> --ruling <buyer|seller|split> [--buyer-share <percent>]

Gives the ERC-792 ruling on the dispute over an order (the wallet needs the arbiter role):
buyer refunds everything, seller releases the escrow to the seller (minus the fee), split refunds
the buyer's share and releases the rest.
  --order <id>             the disputed order (required)
  --ruling <who>           buyer, seller or split (required)
  --buyer-share <percent>  the buyer's share of a split (default 50)`,
  options: { order: { type: 'string' }, ruling: { type: 'string' }, 'buyer-share': { type: 'string', default: '50' } },
  wallet: 'arbiter',
  async run(flags, { client, signer }) {
    const account = signer()
    const orderId = id(flags.order, 'order')
    const choice = required(flags.ruling, 'ruling')
    const share = Number(flags['buyer-share'])
    if (!['buyer', 'seller', 'split'].includes(choice)) throw new ScriptError(`--ruling must be buyer, seller or split, got ${choice}`)
    if (!(share >= 0 && share <= 100)) throw new ScriptError(`--buyer-share must be a percentage, got ${flags['buyer-share']}`)
    const ruling = choice === 'split' ? { buyerShareBps: Math.round(share * 100) } : (choice as 'buyer' | 'seller')
    const ruled = await client.ruleDispute({ orderId, ruling })
    ok(`${account.name} ruled on dispute #${ruled.disputeId} (order #${orderId}): ${choice}${choice === 'split' ? ` ${share}% to the buyer` : ''}`)
    ok(`buyer refunded ${aimt(ruled.buyerRefund)}, seller credited ${aimt(ruled.sellerProceeds)}, platform fee ${aimt(ruled.fee)}`)
  },
})
