import type { MarketplaceClientConfig } from '../../client/types.ts'
import { InvalidInputError } from '../../errors/storage.ts'
import { addJson } from '../internal/store.ts'
import { assertString } from '../internal/validate.ts'
import { write } from '../internal/write.ts'
import type { TransactionResult, WriteErrorType } from '../types.ts'

export type SetProfileParameters = {
  /** Unique handle, 3-32 of a-z, 0-9 and `_`; empty string releases the current one. */
  handle: string
  /** Profile JSON (name, bio, links, avatar URI …), added to the store; or the URI of one. */
  profile: Record<string, unknown> | string
}
export type SetProfileReturnType = TransactionResult & { profileURI: string }
export type SetProfileErrorType = WriteErrorType

/**
 * Sets the caller's handle and profile.
 *
 * @example
 * import { setProfile } from '@ai-model-marketplace/sdk'
 * await setProfile(client, { handle: 'acme_ai', profile: { name: 'Acme AI', url: 'https://acme.example' } })
 */
export async function setProfile(client: MarketplaceClientConfig, { handle, profile }: SetProfileParameters): Promise<SetProfileReturnType> {
  if (typeof handle !== 'string' || (handle !== '' && !/^[a-z0-9_]{3,32}$/.test(handle)))
    throw new InvalidInputError('handle', 'must be 3-32 characters of a-z, 0-9 and _ (or empty to release it)')
  if (typeof profile === 'string') assertString('profile', profile, 1, 256)
  else if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) throw new InvalidInputError('profile', 'expected a JSON object or its URI')
  const profileURI = typeof profile === 'string' ? profile : await addJson(client, profile)
  const { hash, receipt } = await write(client, { contract: 'Reputation', functionName: 'setProfile', args: [handle, profileURI], action: 'setProfile' })
  return { hash, blockNumber: receipt.blockNumber, profileURI }
}
