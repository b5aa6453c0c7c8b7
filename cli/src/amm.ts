// amm: the command line of the AI Model Marketplace.
import { parseArgs } from 'node:util'
import { type Command, globalHelp, globalOptions, helpText } from './command.ts'
import { agent, listCommand, price, publish, withdrawCommand } from './commands/seller.ts'
import { buy, confirmCommand, dispute, download, orders, review, search, show } from './commands/buyer.ts'
import { dev } from './commands/dev.ts'
import { config, key } from './commands/keys.ts'
import { describeFailure, exitCodes } from './errors.ts'
import { red, toJson } from './ui.ts'
import { version } from './version.ts'

const groups: [string, Command[]][] = [
  ['Buy', [search, show, buy, download, confirmCommand, dispute, review, orders]],
  ['Sell', [listCommand, publish, price, agent, withdrawCommand]],
  ['Set up', [key, config, dev]],
]
const commands = new Map(groups.flatMap(([, list]) => list.map((c) => [c.name, c] as const)))

function mainHelp() {
  return [
    `amm ${version}: buy and sell AI models on the AI Model Marketplace`,
    '',
    'Usage: amm <command> [arguments] [options]        amm <command> --help for its options and examples',
    ...groups.flatMap(([title, list]) => ['', `${title}:`, ...list.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`)]),
    '',
    'Global options:',
    ...globalHelp.map((l) => `  ${l}`),
    '',
    'Exit codes: 0 ok, 1 failure, 2 usage, 3 setup (key, password, network), 4 not found, 5 refused by the',
    'protocol (revert, not licensed, funds), 6 unavailable (chain, indexer, store, port), 7 integrity, 8 declined.',
    '',
    'Examples:',
    '  amm dev                                   # a local marketplace (another terminal)',
    '  export AMM_CONFIG=.amm-dev/config.json',
    '  amm key new && amm search sentiment && amm buy 1 && amm download 1 --to ./sentiment',
  ].join('\n')
}

async function main(argv: string[]) {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${mainHelp()}\n`)
    return
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${version}\n`)
    return
  }
  const command = commands.get(name)
  if (!command) {
    process.stderr.write(`${red('error')}: unknown command ${name}\nhint: amm --help lists the commands\n`)
    process.exitCode = exitCodes.USAGE
    return
  }
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({ args: rest, options: { ...command.options, ...globalOptions }, allowPositionals: true, strict: true })
  } catch (error) {
    process.stderr.write(`${red('error')}: ${(error as Error).message}\nhint: amm ${name} --help\n`)
    process.exitCode = exitCodes.USAGE
    return
  }
  const flags = parsed.values as Record<string, string | boolean | string[] | undefined>
  if (flags.help) {
    process.stdout.write(`${helpText(command)}\n`)
    return
  }
  const global = { config: flags.config as string | undefined, network: flags.network as string | undefined, keystore: flags.keystore as string | undefined, json: flags.json === true }
  try {
    await command.run(flags, parsed.positionals, global)
  } catch (error) {
    const failure = describeFailure(error)
    if (global.json) process.stdout.write(`${toJson({ error: { code: failure.code, message: failure.message, hint: failure.hint, details: failure.details } })}\n`)
    process.stderr.write(`${red('error')}: ${failure.message}${failure.details && failure.code !== 'UNEXPECTED' ? ` (${failure.details})` : ''}\n`)
    if (failure.hint) process.stderr.write(`hint: ${failure.hint}\n`)
    if (failure.code === 'UNEXPECTED' && failure.details) process.stderr.write(`${failure.details}\n`)
    process.exitCode = failure.exitCode
  }
}

await main(process.argv.slice(2))
// the command is over (dev and agent return once stopped): keep-alive sockets must not hold the process
process.exit()
