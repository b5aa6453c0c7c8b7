import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decryptArchive, encryptArchive, packArchive, readArchive } from '../src/crypto/archive.ts'
import { archiveInputsFromPath, unpackArchive } from '../src/crypto/node/archive.ts'
import { sha256 } from '../src/crypto/primitives.ts'
import { decryptRange, storeRangeReader } from '../src/crypto/stream.ts'
import { toHex } from '../src/crypto/bytes.ts'
import { IntegrityError, InvalidInputError } from '../src/errors/index.ts'
import { addPath } from '../src/storage/node/addPath.ts'
import { embeddedStore } from '../src/storage/node/embedded.ts'
import { collect, flip, integrityHint, randomBytes, tempDir, utf8 } from './helpers.ts'

const key = randomBytes(32)
const files = [
  { path: 'config.json', bytes: utf8('{"layers":12}') },
  { path: 'weights/model.safetensors', bytes: randomBytes(300_000) },
  { path: 'empty.txt', bytes: new Uint8Array(0) },
]
const inputs = () => files.map((f) => ({ path: f.path, size: f.bytes.length, content: f.bytes }))

describe('model archive', () => {
  it('round-trips files through the encrypted archive, with per-file and whole-archive digests', async () => {
    const { stream, summary } = encryptArchive(inputs(), key)
    const ciphertext = await collect(stream)
    const s = await summary
    expect(s.files.map((f) => f.sha256)).toEqual(files.map((f) => toHex(sha256(f.bytes))))
    const plaintext = await collect(packArchive(inputs()).stream)
    expect(s.size).toBe(plaintext.length)
    const out: { path: string; bytes: Uint8Array }[] = []
    const checked: (string | undefined)[] = []
    for await (const entry of decryptArchive(ciphertext, key, { expectedSha256: s.sha256 })) {
      expect(entry.sha256).toBeUndefined() // known only once the content has been read and checked
      out.push({ path: entry.path, bytes: await collect(entry.content) })
      checked.push(entry.sha256)
    }
    expect(checked).toEqual(s.files.map((f) => f.sha256))
    expect(out.map((o) => o.path)).toEqual(files.map((f) => f.path))
    for (const [i, o] of out.entries()) expect(Buffer.compare(o.bytes, files[i]?.bytes as Uint8Array)).toBe(0)
  })

  it('hides names and sizes: nothing of the manifest appears in the ciphertext, and the header is padded', async () => {
    const ciphertext = Buffer.from(await collect(encryptArchive(inputs(), key).stream))
    expect(ciphertext.includes(Buffer.from('model.safetensors'))).toBe(false)
    const plaintext = await collect(packArchive(inputs()).stream)
    // header padded to 4 KiB: the payload starts at 4096 whatever the names
    expect(plaintext.length).toBe(4096 + files.reduce((n, f) => n + f.bytes.length + 32, 0))
  })

  it('detects a file whose bytes do not match its digest, and a wrong whole-archive sha256', async () => {
    const plaintext = flip(await collect(packArchive(inputs()).stream), 4096 + 13 + 100) // inside weights/model.safetensors
    const error = await (async () => {
      for await (const entry of readArchive(plaintext)) await collect(entry.content)
    })().catch((e) => e)
    expect(error).toBeInstanceOf(IntegrityError)
    expect(error).toMatchObject({ check: 'sha256', hint: integrityHint, expected: expect.stringMatching(/^0x/), actual: expect.stringMatching(/^0x/) })
    expect(error.message).toMatch(/weights\/model.safetensors/)
    const clean = await collect(packArchive(inputs()).stream)
    const wrong = (async () => {
      for await (const entry of readArchive(clean, { expectedSha256: toHex(randomBytes(32)) })) await collect(entry.content)
    })()
    await expect(wrong).rejects.toMatchObject({ check: 'sha256', hint: integrityHint, actual: toHex(sha256(clean)) })
  })

  it('skips entries the reader does not consume, and refuses bad inputs', async () => {
    const names: string[] = []
    for await (const entry of readArchive(packArchive(inputs()).stream)) names.push(entry.path)
    expect(names).toEqual(files.map((f) => f.path))
    expect(() => packArchive([{ path: '../evil', size: 0, content: new Uint8Array() }])).toThrow(InvalidInputError)
    expect(() => packArchive([])).toThrow(InvalidInputError)
    await expect(collect(packArchive([{ path: 'a', size: 5, content: utf8('abc') }]).stream)).rejects.toBeInstanceOf(InvalidInputError)
  })

  it('packs a folder from disk, stores it, and unpacks it to another folder (Node)', async () => {
    const { dir, cleanup } = await tempDir()
    try {
      const src = join(dir, 'model')
      await mkdir(join(src, 'weights'), { recursive: true })
      for (const f of files) await writeFile(join(src, ...f.path.split('/')), f.bytes)
      await writeFile(join(src, '.DS_Store'), 'hidden')
      const store = embeddedStore({ dir: join(dir, 'ipfs') })
      const progress: number[] = []
      const { stream, summary } = encryptArchive(await archiveInputsFromPath(src), key, { onProgress: (p) => progress.push(p.bytes) })
      const { cid } = await store.add(stream)
      expect(progress.at(-1)).toBe(files.reduce((n, f) => n + f.bytes.length, 0))
      const out = join(dir, 'out')
      // a byte range of the encrypted archive straight from the store: the manifest header
      const head = await collect(decryptRange(await storeRangeReader(store, cid), key, { offset: 0, length: 8 }))
      expect(new TextDecoder().decode(head)).toBe('AMMARCH1')
      const written = await unpackArchive(store.cat(cid), key, out, { expectedSha256: (await summary).sha256 })
      expect(written.map((w) => w.path).sort()).toEqual(files.map((f) => f.path).sort())
      for (const f of files) expect(Buffer.compare(await readFile(join(out, ...f.path.split('/'))), f.bytes)).toBe(0)
      // a wrong key leaves no file behind
      const out2 = join(dir, 'out2')
      await expect(unpackArchive(store.cat(cid), randomBytes(32), out2)).rejects.toBeInstanceOf(IntegrityError)
      expect(await readdir(out2).catch(() => [])).toEqual([])
      // addPath of the plain folder: the same CID as `ipfs add -r --cid-version=1` (dot-files skipped like Kubo)
      const planets = join(dir, 'planets')
      await mkdir(planets)
      await writeFile(join(planets, 'mars.txt'), 'Hello Mars!\n')
      await writeFile(join(planets, 'venus.txt'), 'Hello Venus!\n')
      await writeFile(join(planets, '.hidden'), 'x')
      expect((await addPath(store, planets)).cid.toString()).toBe('bafybeih7e5dmkyk25up5vxug4q3hrg2fxbzf23dfrac2fns5h7z4aa7ioi')
      expect((await addPath(store, join(planets, 'mars.txt'))).cid.toString()).toBe('bafkreibmlvvgdyihetgocpof6xk64kjjzdeq2e4c7hqs3krdheosk4tgj4')
      await store.close()
    } finally {
      await cleanup()
    }
  })
})
