import type { MarketplaceClientConfig } from '../../client/types.ts'
import { InvalidInputError } from '../../errors/storage.ts'
import { addJson } from './store.ts'
import { assertString } from './validate.ts'

/** The searchable description of a model, as a seller writes it. Limits are the registry's. */
export type ModelFieldsInput = {
  /** 1..100 bytes. */
  name: string
  /** ≤ 500 bytes. */
  summary?: string
  /** ≤ 16 tags of 1..32 bytes. */
  tags?: string[]
  /** A pipeline type such as `text-classification`, ≤ 64 bytes. */
  task: string
  /** An SPDX identifier such as `Apache-2.0`. */
  license: string
  /** Whether buyers may use the model commercially (default false). */
  commercialUse?: boolean
  /** The model card: any JSON object (added to the store), or the `ipfs://` URI of one. */
  card?: Record<string, unknown> | string
}

/** The registry's `ModelFields` tuple. */
export type ModelFields = {
  name: string
  summary: string
  tags: string[]
  task: string
  license: string
  commercialUse: boolean
  metadataURI: string
}

/** Checks every field against the registry's limits; throws InvalidInputError naming the first bad one. */
export function validateFields(fields: ModelFieldsInput): void {
  if (typeof fields !== 'object' || fields === null) throw new InvalidInputError('fields', 'expected an object')
  assertString('name', fields.name, 1, 100)
  if (fields.summary !== undefined) assertString('summary', fields.summary, 0, 500)
  if (fields.tags !== undefined) {
    if (!Array.isArray(fields.tags)) throw new InvalidInputError('tags', 'expected an array of strings')
    if (fields.tags.length > 16) throw new InvalidInputError('tags', `at most 16 tags, got ${fields.tags.length}`)
    for (const [i, tag] of fields.tags.entries()) assertString(`tags[${i}]`, tag, 1, 32)
  }
  assertString('task', fields.task, 1, 64)
  assertString('license', fields.license, 1, 64)
  if (fields.commercialUse !== undefined && typeof fields.commercialUse !== 'boolean')
    throw new InvalidInputError('commercialUse', 'expected a boolean')
  if (typeof fields.card === 'string') assertString('card', fields.card, 1, 256)
  else if (fields.card !== undefined && (typeof fields.card !== 'object' || fields.card === null || Array.isArray(fields.card)))
    throw new InvalidInputError('card', 'expected a JSON object or an ipfs:// URI')
}

/** Adds the model card (when given as an object) and returns the registry tuple. Call validateFields first. */
export async function toModelFields(client: MarketplaceClientConfig, fields: ModelFieldsInput): Promise<ModelFields> {
  const card = fields.card
  const metadataURI =
    typeof card === 'string'
      ? card
      : addJson(client, { name: fields.name, summary: fields.summary ?? '', tags: fields.tags ?? [], task: fields.task, license: fields.license, ...card })
  return {
    name: fields.name,
    summary: fields.summary ?? '',
    tags: fields.tags ?? [],
    task: fields.task,
    license: fields.license,
    commercialUse: fields.commercialUse ?? false,
    metadataURI: await metadataURI,
  }
}
