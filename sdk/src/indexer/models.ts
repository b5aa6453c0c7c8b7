import type { Address, Hex } from 'viem'

/** A verdict as the subgraph stores it. */
export type Verdict = 'None' | 'Pass' | 'Warn' | 'Fail'

/** A model as search and `getModel` return it. Amounts are in the payment token's smallest unit. */
export type ModelSummary = {
  modelId: bigint
  name: string
  summary: string
  tags: string[]
  task: string
  license: string
  commercialUse: boolean
  /** The model card (ipfs://…). */
  metadataURI: string
  owner: Address
  price: bigint
  paymentToken: { address: Address; symbol: string | null; decimals: number | null }
  active: boolean
  createdAt: bigint
  versionCount: number
  latestVersion: { version: number; semver: string } | null
  salesCount: number
  ratingAverage: number
  ratingCount: number
  /** The latest unrevoked verdict per evaluation suite. */
  verdicts: { suite: string; verdict: Verdict; score: number; version: number }[]
}

export const modelFields = /* GraphQL */ `
  modelId name summary tags task license commercialUse metadataURI price active createdAt versionCount
  salesCount ratingAverage ratingCount
  owner { id }
  paymentToken { id symbol decimals }
  latestVersion { version semver }
  verdicts { suite verdict score version }
`

export type ModelRow = {
  modelId: string
  name: string
  summary: string
  tags: string[]
  task: string
  license: string
  commercialUse: boolean
  metadataURI: string
  price: string
  active: boolean
  createdAt: string
  versionCount: number
  salesCount: number
  ratingAverage: string
  ratingCount: number
  owner: { id: Address }
  paymentToken: { id: Address; symbol: string | null; decimals: number | null }
  latestVersion: { version: number; semver: string } | null
  verdicts: { suite: string; verdict: Verdict; score: number; version: number }[]
}

export function toModel(row: ModelRow): ModelSummary {
  return {
    modelId: BigInt(row.modelId),
    name: row.name,
    summary: row.summary,
    tags: row.tags,
    task: row.task,
    license: row.license,
    commercialUse: row.commercialUse,
    metadataURI: row.metadataURI,
    owner: row.owner.id,
    price: BigInt(row.price),
    paymentToken: { address: row.paymentToken.id, symbol: row.paymentToken.symbol, decimals: row.paymentToken.decimals },
    active: row.active,
    createdAt: BigInt(row.createdAt),
    versionCount: row.versionCount,
    latestVersion: row.latestVersion,
    salesCount: row.salesCount,
    ratingAverage: Number(row.ratingAverage),
    ratingCount: row.ratingCount,
    verdicts: row.verdicts,
  }
}

/** A published version of a model. */
export type ModelVersionInfo = {
  version: number
  semver: string
  /** CID of the (encrypted) archive, as a string. */
  contentCID: string
  /** sha256 of the plaintext archive. */
  sha256: Hex
  /** Plaintext size in bytes. */
  size: bigint
  changelogURI: string
  publishedAt: bigint
  deprecatedBy: number | null
}

export const versionFields = /* GraphQL */ `version semver contentCIDString sha256 size changelogURI publishedAt deprecatedBy { version }`

export type VersionRow = {
  version: number
  semver: string
  contentCIDString: string
  sha256: Hex
  size: string
  changelogURI: string
  publishedAt: string
  deprecatedBy: { version: number } | null
}

export function toVersion(row: VersionRow): ModelVersionInfo {
  return {
    version: row.version,
    semver: row.semver,
    contentCID: row.contentCIDString,
    sha256: row.sha256,
    size: BigInt(row.size),
    changelogURI: row.changelogURI,
    publishedAt: BigInt(row.publishedAt),
    deprecatedBy: row.deprecatedBy?.version ?? null,
  }
}

/** An amount of one payment token, with the token's symbol and decimals as the indexer read them (null when the token has none). */
export type TokenAmount = { token: `0x${string}`; symbol: string | null; decimals: number | null; amount: bigint }

/** The GraphQL selection of a token as `toTokenAmount` reads it. */
export const tokenFields = 'token { id symbol decimals }'

export type TokenAmountRow = { token: { id: `0x${string}`; symbol: string | null; decimals: number | null } }

/** One per-token row's `field` as a TokenAmount. */
export function toTokenAmount<T extends TokenAmountRow>(row: T, amount: string): TokenAmount {
  return { token: row.token.id, symbol: row.token.symbol, decimals: row.token.decimals, amount: BigInt(amount) }
}
