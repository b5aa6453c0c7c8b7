import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { getAddress, parseEther, zeroAddress, zeroHash } from 'viem'
import { CID, KEY_COMMITMENT, PRICE, SHA, createProtocol, fields, version } from './helpers.ts'

const { viem, networkHelpers, accounts, load, list } = await createProtocol()
const { seller, buyer, deployer } = accounts

describe('ModelRegistry', () => {
  it('lists a model as an ERC-721 owned by the seller, with its first version and searchable event', async () => {
    const p = await load()
    const tx = p.registry.write.listModel([fields(), version(), p.token.address, PRICE, KEY_COMMITMENT], { account: seller.account })
    await viem.assertions.emitWithArgs(tx, p.registry, 'ModelListed', [
      1n,
      seller.account.address,
      fields(),
      p.token.address,
      PRICE,
    ])
    assert.equal(await p.registry.read.ownerOf([1n]), getAddress(seller.account.address))
    assert.deepEqual(await p.registry.read.getListing([1n]), {
      seller: getAddress(seller.account.address),
      paymentToken: p.token.address,
      price: PRICE,
      active: true,
      versionCount: 1,
      keyCommitment: KEY_COMMITMENT,
    })
    const v = await p.registry.read.getVersion([1n, 1])
    assert.equal(v.contentCID, CID)
    assert.equal(v.sha256, SHA)
    assert.equal(v.size, 123_456_789n)
    assert.equal(v.deprecatedBy, 0)
    assert.ok(v.publishedAt > 0n)
  })

  it('records the key commitment at listing, requires one for a priced model, and changes it for future orders', async () => {
    const p = await load()
    await viem.assertions.emitWithArgs(
      p.registry.write.listModel([fields(), version(), p.token.address, PRICE, KEY_COMMITMENT], { account: seller.account }),
      p.registry,
      'KeyCommitmentChanged',
      [1n, KEY_COMMITMENT],
    )
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.registry.write.listModel([fields(), version(), p.token.address, PRICE, zeroHash], { account: seller.account }),
      p.registry,
      'RegistryKeyCommitmentRequired',
      [2n],
    )
    await p.registry.write.listModel([fields(), version(), zeroAddress, 0n, zeroHash], { account: seller.account })
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.registry.write.setPrice([2n, p.token.address, PRICE], { account: seller.account }),
      p.registry,
      'RegistryKeyCommitmentRequired',
      [2n],
    )
    const next = `0x${'5a'.repeat(32)}` as const
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.registry.write.setKeyCommitment([1n, next], { account: buyer.account }),
      p.registry,
      'RegistryNotModelOwner',
      [1n, getAddress(buyer.account.address)],
    )
    await viem.assertions.revertWithCustomError(
      p.registry.write.setKeyCommitment([1n, zeroHash], { account: seller.account }),
      p.registry,
      'RegistryKeyCommitmentRequired',
    )
    await viem.assertions.emitWithArgs(
      p.registry.write.setKeyCommitment([1n, next], { account: seller.account }),
      p.registry,
      'KeyCommitmentChanged',
      [1n, next],
    )
    assert.equal(await p.registry.read.keyCommitment([1n]), next)
    await p.registry.write.setKeyCommitment([2n, next], { account: seller.account })
    await p.registry.write.setPrice([2n, p.token.address, PRICE], { account: seller.account })
  })

  it('stores CIDs of every length up to 64 bytes exactly', async () => {
    const p = await load()
    const modelId = await list(p)
    for (const length of [1, 32, 33, 43, 44, 64]) {
      const cid = `0x${Array.from({ length }, (_, i) => ((i * 7 + 1) % 256).toString(16).padStart(2, '0')).join('')}` as const
      await p.registry.write.publishVersion([modelId, { ...version(), contentCID: cid }], { account: seller.account })
      const latest = await p.registry.read.latestVersion([modelId])
      assert.equal((await p.registry.read.getVersion([modelId, latest])).contentCID, cid)
    }
  })

  it('publishes append-only versions and deprecates a version once, for a later one, by the owner only', async () => {
    const p = await load()
    const modelId = await list(p)
    await viem.assertions.emitWithArgs(
      p.registry.write.publishVersion([modelId, version('1.1.0')], { account: seller.account }),
      p.registry,
      'VersionPublished',
      [modelId, 2, CID, SHA, 123_456_789n, '1.1.0', 'ipfs://bafkreichangelog'],
    )
    assert.equal(await p.registry.read.latestVersion([modelId]), 2)
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.registry.write.publishVersion([modelId, version()], { account: buyer.account }),
      p.registry,
      'RegistryNotModelOwner',
      [modelId, buyer.account.address],
    )
    await viem.assertions.revertWithCustomError(
      p.registry.write.deprecateVersion([modelId, 2, 1], { account: seller.account }),
      p.registry,
      'RegistryInvalidDeprecation',
    )
    await viem.assertions.revertWithCustomError(
      p.registry.write.deprecateVersion([modelId, 1, 3], { account: seller.account }),
      p.registry,
      'RegistryInvalidDeprecation',
    )
    await p.registry.write.deprecateVersion([modelId, 1, 2], { account: seller.account })
    assert.equal((await p.registry.read.getVersion([modelId, 1])).deprecatedBy, 2)
    await viem.assertions.revertWithCustomError(
      p.registry.write.deprecateVersion([modelId, 1, 2], { account: seller.account }),
      p.registry,
      'RegistryInvalidDeprecation',
    )
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.registry.read.getVersion([modelId, 3]),
      p.registry,
      'RegistryUnknownVersion',
      [modelId, 3],
    )
  })

  it('validates fields: empty name, over-long strings, too many tags, zero CID and sha256', async () => {
    const p = await load()
    const t = p.token.address
    const cases = [
      [{ ...fields(), name: '' }, version(), 'RegistryInvalidField', ['name', 0n, 100n]],
      [{ ...fields(), summary: 'x'.repeat(501) }, version(), 'RegistryInvalidField', ['summary', 501n, 500n]],
      [{ ...fields(), tags: Array(17).fill('t') }, version(), 'RegistryTooManyTags', [17n, 16n]],
      [{ ...fields(), tags: ['x'.repeat(33)] }, version(), 'RegistryInvalidField', ['tag', 33n, 32n]],
      [{ ...fields(), license: '' }, version(), 'RegistryInvalidField', ['license', 0n, 64n]],
      [{ ...fields(), metadataURI: 'x'.repeat(257) }, version(), 'RegistryInvalidField', ['metadataURI', 257n, 256n]],
      [fields(), { ...version(), contentCID: '0x' }, 'RegistryInvalidCID', []],
      [fields(), { ...version(), contentCID: `0x${'01'.repeat(65)}` }, 'RegistryInvalidCID', []],
      [fields(), { ...version(), sha256: `0x${'0'.repeat(64)}` }, 'RegistryInvalidSha256', []],
      [fields(), { ...version(), semver: '' }, 'RegistryInvalidField', ['semver', 0n, 32n]],
    ] as const
    for (const [f, v, error, args] of cases) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        // biome-ignore lint/suspicious/noExplicitAny: table of heterogeneous cases
        p.registry.write.listModel([f as any, v as any, t, PRICE, KEY_COMMITMENT], { account: seller.account }),
        p.registry,
        error,
        // biome-ignore lint/suspicious/noExplicitAny: table of heterogeneous cases
        args as any,
      )
    }
  })

  it('refuses unknown payment tokens and prices above 88 bits; allows a free listing without a token', async () => {
    const p = await load()
    const usd = await viem.deployContract('MockERC20')
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.registry.write.listModel([fields(), version(), usd.address, PRICE, KEY_COMMITMENT], { account: seller.account }),
      p.registry,
      'RegistryPaymentTokenNotAllowed',
      [usd.address],
    )
    await viem.assertions.revertWithCustomError(
      p.registry.write.setPaymentTokenAllowed([usd.address, true], { account: seller.account }),
      p.registry,
      'AccessManagedUnauthorized',
    )
    await viem.assertions.emitWithArgs(
      p.registry.write.setPaymentTokenAllowed([usd.address, true], { account: deployer.account }),
      p.registry,
      'PaymentTokenAllowed',
      [usd.address, true],
    )
    await p.registry.write.listModel([fields(), version(), usd.address, PRICE, KEY_COMMITMENT], { account: seller.account })
    await viem.assertions.revertWithCustomError(
      p.registry.write.listModel([fields(), version(), usd.address, 2n ** 88n, KEY_COMMITMENT], { account: seller.account }),
      p.registry,
      'RegistryPriceTooHigh',
    )
    await p.registry.write.listModel([fields(), version(), zeroAddress, 0n, zeroHash], { account: seller.account })
    assert.equal(await p.registry.read.modelCount(), 2n)
  })

  it('lets only the owner update, reprice and delist/relist', async () => {
    const p = await load()
    const modelId = await list(p)
    await viem.assertions.emitWithArgs(
      p.registry.write.updateModel([modelId, fields('Renamed')], { account: seller.account }),
      p.registry,
      'ModelUpdated',
      [modelId, fields('Renamed')],
    )
    await p.registry.write.setPrice([modelId, p.token.address, parseEther('5')], { account: seller.account })
    assert.equal((await p.registry.read.getListing([modelId])).price, parseEther('5'))
    await viem.assertions.emitWithArgs(
      p.registry.write.setActive([modelId, false], { account: seller.account }),
      p.registry,
      'ModelActiveChanged',
      [modelId, false],
    )
    for (const call of [
      p.registry.write.updateModel([modelId, fields()], { account: buyer.account }),
      p.registry.write.setPrice([modelId, p.token.address, 1n], { account: buyer.account }),
      p.registry.write.setActive([modelId, true], { account: buyer.account }),
    ]) {
      await viem.assertions.revertWithCustomError(call, p.registry, 'RegistryNotModelOwner')
    }
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.registry.write.setActive([7n, true], { account: seller.account }),
      p.registry,
      'RegistryUnknownModel',
      [7n],
    )
  })

  it('caps the platform token supply and mints by the MINTER role only', async () => {
    const p = await load()
    await viem.assertions.revertWithCustomError(
      p.token.write.mint([buyer.account.address, 1n], { account: buyer.account }),
      p.token,
      'AccessManagedUnauthorized',
    )
    const cap = await p.token.read.cap()
    const supply = await p.token.read.totalSupply()
    await viem.assertions.revertWithCustomError(
      p.token.write.mint([buyer.account.address, cap - supply + 1n], { account: deployer.account }),
      p.token,
      'ERC20ExceededCap',
    )
    await p.token.write.delegate([buyer.account.address], { account: buyer.account })
    await networkHelpers.mine()
    assert.equal(await p.token.read.getVotes([buyer.account.address]), await p.token.read.balanceOf([buyer.account.address]))
  })
})
