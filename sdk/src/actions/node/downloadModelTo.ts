import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { Hex } from 'viem'
import type { MarketplaceClientConfig } from '../../client/types.ts'
import { type DownloadModelParameters, type DownloadModelReturnType, downloadModel } from '../buyer/downloadModel.ts'

export type DownloadModelToParameters = DownloadModelParameters & {
  /** The folder to write the model's files into (created if missing). */
  dir: string
}
export type DownloadModelToReturnType = Omit<DownloadModelReturnType, 'entries'> & {
  dir: string
  files: { path: string; size: number; sha256: Hex }[]
}

/**
 * `downloadModel` into a folder. Files are written under a temporary name and moved into place
 * only once every check (per-file sha256, authentication tags, the on-chain sha256 when checked) has passed,
 * so a failed download leaves no file that looks complete.
 *
 * @example
 * import { downloadModelTo } from '@ai-model-marketplace/sdk/node'
 * const { files } = await downloadModelTo(client, { modelId: 1n, dir: './models/sentiment' })
 */
export async function downloadModelTo(client: MarketplaceClientConfig, parameters: DownloadModelToParameters): Promise<DownloadModelToReturnType> {
  const { dir, ...rest } = parameters
  const { entries, ...result } = await downloadModel(client, rest)
  const staging = join(dir, `.download-${randomBytes(6).toString('hex')}`)
  const files: DownloadModelToReturnType['files'] = []
  try {
    for await (const entry of entries) {
      const target = join(staging, entry.path)
      await mkdir(dirname(target), { recursive: true })
      await pipeline(entry.content, createWriteStream(target))
      // set by the archive reader once the file was read to its end and matched its digest: no second hash here
      files.push({ path: entry.path, size: entry.size, sha256: entry.sha256 as Hex })
    }
    for (const file of files) {
      await mkdir(dirname(join(dir, file.path)), { recursive: true })
      await rename(join(staging, file.path), join(dir, file.path))
    }
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
  return { ...result, dir, files }
}
