import * as dagPb from '@ipld/dag-pb'
import { importer } from 'ipfs-unixfs-importer'
import { describe, expect, it } from 'vitest'
import { importDirectory, importFile, discardBlocks, kuboImporterOptions } from '../src/storage/unixfs.ts'
import { deterministicBytes, memoryBlocks, utf8 } from './helpers.ts'

const cidOf = async (bytes: Uint8Array) => (await importFile(bytes, discardBlocks)).cid.toString()

describe('CIDs equal Kubo `ipfs add --cid-version=1`', () => {
  it('small files (raw leaf)', async () => {
    // ipfs/kubo test/cli/cid_profiles_test.go, unixfs-v1-2025 SmallFileCID ("hello world", raw leaf)
    expect(await cidOf(utf8('hello world'))).toBe('bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e')
    // ipfs/kubo test/sharness/t0040-add-and-cat.sh, `ipfs add --raw-leaves` of "Hello Mars!\n"
    expect(await cidOf(utf8('Hello Mars!\n'))).toBe('bafkreibmlvvgdyihetgocpof6xk64kjjzdeq2e4c7hqs3krdheosk4tgj4')
    // ipfs/kubo test/sharness/t0114-gateway-subdomains/README.md, `echo hello | ipfs add --cid-version 1`
    expect(await cidOf(utf8('hello\n'))).toBe('bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am')
    // ipfs/kubo test/sharness/t0040-add-and-cat.sh, empty file with --raw-leaves
    expect(await cidOf(new Uint8Array(0))).toBe('bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku')
  })

  it('multi-block files: 256 KiB chunks, balanced layout of 174 links', async () => {
    // ipfs/kubo test/cli/cid_profiles_test.go (unixfs-v0-2015: the same chunker and layout as ours,
    // with CIDv0 dag-pb leaves), data from Kubo's deterministic generator with seed "v0-seed".
    // These pin the DAG shape: one full level (174 leaves) and the rebalance at 175.
    const v0 = { ...kuboImporterOptions(), cidVersion: 0 as const, rawLeaves: false }
    const root = async (size: number) => {
      let last = ''
      for await (const e of importer([{ content: deterministicBytes(size, 'v0-seed') }], discardBlocks, v0))
        last = e.cid.toString()
      return last
    }
    expect(await root(174 * 262_144)).toBe('QmUbBALi174SnogsUzLpYbD4xPiBSFANF4iztWCsHbMKh2')
    expect(await root(175 * 262_144)).toBe('QmepeWtdmS1hHXx1oZXsPUv6bMrfRRKfZcoPPU4eEfjnbf')
  }, 60_000)

  it('multi-block files with raw leaves: each leaf is the raw CID of its 256 KiB chunk', async () => {
    const bytes = new Uint8Array(300 * 1024).map((_, i) => i % 251)
    const { blocks, put } = memoryBlocks()
    const { cid } = await importFile(bytes, { put })
    expect(cid.code).toBe(dagPb.code)
    const links = dagPb.decode(blocks.get(cid.toString()) as Uint8Array).Links.map((l) => l.Hash.toString())
    expect(links).toEqual([await cidOf(bytes.subarray(0, 262_144)), await cidOf(bytes.subarray(262_144))])
  })

  it('directories: `ipfs add -r --cid-version=1`', async () => {
    // ipfs/kubo test/sharness/t0040-add-and-cat.sh: planets/{mars,venus}.txt
    const planets = await importDirectory(
      [
        { path: 'mars.txt', content: utf8('Hello Mars!\n') },
        { path: 'venus.txt', content: utf8('Hello Venus!\n') },
      ],
      discardBlocks,
    )
    expect(planets.cid.toString()).toBe('bafybeih7e5dmkyk25up5vxug4q3hrg2fxbzf23dfrac2fns5h7z4aa7ioi')
    // ipfs/kubo test/sharness/t0114-gateway-subdomains/README.md: DIR_CID of ./testdirlisting
    const listing = await importDirectory(
      [
        { path: 'hello', content: utf8('hello\n') },
        { path: 'ipfs/ipns/bar', content: utf8('text-file-content\n') },
        { path: 'api/file.txt', content: utf8('I am a txt file\n') },
        { path: 'ipfs/file.txt', content: utf8('I am a txt file\n') },
      ],
      discardBlocks,
    )
    expect(listing.cid.toString()).toBe('bafybeiht6dtwk3les7vqm6ibpvz6qpohidvlshsfyr7l5mpysdw2vmbbhe')
  })
})
