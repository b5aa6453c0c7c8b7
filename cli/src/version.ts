import { createRequire } from 'node:module'

/** The CLI's version, from its package.json (one level above src/ and dist/ alike). */
export const version: string = createRequire(import.meta.url)('../package.json').version
