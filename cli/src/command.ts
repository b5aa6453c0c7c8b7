// What a command is: its usage, options, examples, and a run function over parsed flags.
import type { ParseArgsConfig } from 'node:util'
import { parseUnits } from 'viem'
import type { GlobalFlags } from './context.ts'
import { usageError } from './errors.ts'

export type Options = NonNullable<ParseArgsConfig['options']>
export type Flags = Record<string, string | boolean | string[] | undefined>

export type Command = {
  name: string
  /** One line for `amm --help`. */
  summary: string
  /** `amm buy <modelId> [options]` */
  usage: string
  /** What it does, a few lines. */
  description: string
  options: Options
  /** `--flag <value>  what it means` lines. */
  optionHelp: string[]
  examples: string[]
  run(flags: Flags, positionals: string[], global: GlobalFlags): Promise<void>
}

export const globalOptions = {
  config: { type: 'string' },
  network: { type: 'string' },
  keystore: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options

export const globalHelp = [
  '--network <name>      a network of the config file (env AMM_NETWORK; default: its defaultNetwork)',
  '--config <file>       the config file (env AMM_CONFIG; default ~/.config/amm/config.json)',
  '--keystore <file>     the encrypted key (env AMM_KEYSTORE; default keystore.json beside the config);',
  '                      AMM_PRIVATE_KEY overrides it, AMM_PASSWORD_FILE / AMM_PASSWORD give its password',
  '--json                machine-readable output on stdout',
  '-h, --help            this help',
]

export function helpText(command: Command) {
  const indent = (lines: string[]) => lines.map((l) => `  ${l}`).join('\n')
  return [
    `Usage: ${command.usage}`,
    '',
    command.description,
    ...(command.optionHelp.length ? ['', 'Options:', indent(command.optionHelp)] : []),
    '',
    'Global options:',
    indent(globalHelp),
    '',
    'Examples:',
    indent(command.examples),
  ].join('\n')
}

/** `3` → 3n; anything else is a usage error naming the argument. */
export function parseId(value: string | undefined, name: string): bigint {
  if (value === undefined) throw usageError(`<${name}> is required`)
  if (!/^\d+$/.test(value)) throw usageError(`<${name}> must be a whole number, got ${value}`)
  return BigInt(value)
}

/** `2.5` → 2.5 tokens in the token's smallest unit. */
export function parseAmount(value: string, name: string, decimals: number): bigint {
  if (!/^\d+(\.\d+)?$/.test(value)) throw usageError(`--${name} must be an amount such as 10 or 2.5, got ${value}`)
  const fraction = value.split('.')[1] ?? ''
  if (fraction.length > decimals) throw usageError(`--${name} has more than ${decimals} decimals`)
  return parseUnits(value, decimals)
}

export const text = (flags: Flags, name: string) => flags[name] as string | undefined
export const flag = (flags: Flags, name: string) => flags[name] === true

export function positional(positionals: string[], index: number, name: string) {
  const value = positionals[index]
  if (value === undefined) throw usageError(`<${name}> is required`)
  return value
}
