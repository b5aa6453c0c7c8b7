// Runs the seller agent: watches new orders for your models and delivers each one's key.
import { runScript } from './lib/cli.ts'
import { line, ok, red } from './lib/ui.ts'

await runScript({
  usage: `Usage: node examples/seller-agent.ts [--once] [--interval <ms>]

Watches the chain's OrderCreated logs for your models and delivers each order: the model key,
wrapped (HPKE) to the buyer's key, goes on-chain. Stateless and restart-safe: it starts from the
deployment block and skips orders already handled. Runs until Ctrl-C.
  --once                deliver every pending order, then exit
  --interval <ms>       polling interval (default 1000)`,
  options: { once: { type: 'boolean', default: false }, interval: { type: 'string', default: '1000' } },
  wallet: 'alice',
  async run(flags, { client, signer }) {
    const account = signer()
    let delivered = 0
    let failed = 0
    const agent = client.startSellerAgent({
      pollingInterval: Number(flags.interval),
      onProgress: (e) => {
        if (e.type === 'delivered') {
          delivered++
          ok(`delivered order #${e.orderId} (model #${e.modelId}) tx ${e.hash}`)
        }
        if (e.type === 'failed') {
          failed++
          console.error(`${red('✗')} order #${e.orderId}: ${e.error.shortMessage}`)
        }
      },
    })
    line(`${account.name}'s seller agent is watching for orders${flags.once ? '' : ' (Ctrl-C stops it)'}`)
    if (!flags.once) await new Promise<void>((resolve) => process.once('SIGINT', resolve))
    await agent.caughtUp()
    await agent.stop()
    line(`${delivered} order(s) delivered${failed ? `, ${failed} failed` : ''}`)
    if (failed) process.exitCode = 1
  },
})
