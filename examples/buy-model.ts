// Buys a model: quotes it, checks your balance, pays into escrow (EIP-2612 permit) and prints the order.
import { erc20Abi } from 'viem'
import { amount, id, runScript, ScriptError, unknownModel } from './lib/cli.ts'
import { aimt, line, ok } from './lib/ui.ts'

await runScript({
  usage: `Usage: node examples/buy-model.ts --model <id> [--max-price <AIMT>]

Buys a license: the price goes into escrow until you confirm the delivery (or the dispute window
passes). Your buyer key, derived from a wallet signature, is recorded so the seller can deliver.
Free models are licensed at once.
  --model <id>          the model (required)
  --max-price <AIMT>    refuse to pay more (guards against a reprice; default: the quoted price)`,
  options: { model: { type: 'string' }, 'max-price': { type: 'string' } },
  wallet: 'carol',
  async run(flags, { client, market, signer }) {
    const account = signer()
    const modelId = id(flags.model, 'model')
    const quote = await client.quote({ modelId }).catch(unknownModel(modelId))
    if (!quote.active) throw new ScriptError(`model #${modelId} is not for sale (delisted)`)
    line(`model #${modelId}: ${quote.price === 0n ? 'free' : `${aimt(quote.price)} (fee ${aimt(quote.fee)} on release, seller gets ${aimt(quote.sellerProceeds)})`}`)
    const balance = await market.publicClient.readContract({ address: quote.token, abi: erc20Abi, functionName: 'balanceOf', args: [account.address] })
    if (balance < quote.price) throw new ScriptError(`${account.name} has ${aimt(balance)}, the model costs ${aimt(quote.price)}`, 'fund the wallet with platform tokens first')
    const maxPrice = flags['max-price'] === undefined ? quote.price : amount(flags['max-price'], 'max-price')
    const bought = await client.buyModel({ modelId, maxPrice })
    if (bought.price === 0n) ok(`${account.name} claimed free model #${modelId}: order #${bought.orderId}, licensed now`)
    else ok(`${account.name} bought model #${modelId}: order #${bought.orderId}, ${aimt(bought.price)} in escrow (${bought.payment}); delivery due by ${new Date(Number(bought.deliveryDeadline) * 1000).toISOString()}`)
    console.log(`orderId=${bought.orderId}`)
  },
})
