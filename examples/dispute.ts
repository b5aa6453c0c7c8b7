// Disputes a delivered order with evidence (ERC-1497), or adds evidence to an open dispute.
import { id, required, runScript } from './lib/cli.ts'
import { ok } from './lib/ui.ts'

await runScript({
  usage: `Usage: node examples/dispute.ts --order <id> --reason <title> [--description <text>] [--evidence-only]

Opens a dispute over a delivered order within the dispute window (the buyer pays the arbitration
cost in ETH); the escrow stays locked until the arbiter rules. The evidence is an ERC-1497 JSON
document added to the store. With --evidence-only, adds evidence to an open dispute instead
(buyer or seller).
  --order <id>          the order (required)
  --reason <title>      the evidence's name (required)
  --description <text>  what is wrong, in detail
  --evidence-only       submit evidence to an open dispute`,
  options: { order: { type: 'string' }, reason: { type: 'string' }, description: { type: 'string' }, 'evidence-only': { type: 'boolean', default: false } },
  wallet: 'carol',
  async run(flags, { client, signer }) {
    const account = signer()
    const orderId = id(flags.order, 'order')
    const reason = required(flags.reason, 'reason')
    const evidence = { name: reason, description: flags.description ?? reason }
    if (flags['evidence-only']) {
      const submitted = await client.submitEvidence({ orderId, evidence })
      ok(`${account.name} added evidence to the dispute over order #${orderId} (tx ${submitted.hash})`)
      return
    }
    const opened = await client.disputeOrder({ orderId, evidence })
    ok(`${account.name} disputed order #${orderId}: dispute #${opened.disputeId}, evidence ${opened.evidenceURI}`)
    ok(`the arbiter may rule until ${new Date(Number(opened.rulingDeadline) * 1000).toISOString()} (then the default ruling, a 50/50 split, applies)`)
    console.log(`disputeId=${opened.disputeId}`)
  },
})
