import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { getAddress, hexToBigInt, keccak256, pad, toFunctionSelector, toHex } from 'viem'
import { deployProtocol, protocolRoleCalls } from '../contracts/deploy/deploy.ts'
import { UpgradeValidationError, releasedLayout, upgradeContract, validateUpgrade } from '../contracts/deploy/upgrade.ts'
import { roles } from '../contracts/deploy/roles.ts'
import { createProtocol } from './helpers.ts'

const { viem, publicClient, accounts, load, delivered } = await createProtocol()
const { deployer, buyer, other, seller } = accounts
const contractsDir = join(import.meta.dirname, '..', 'contracts')
const IMPLEMENTATION_SLOT = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc'

/** ERC-7201: keccak256(abi.encode(uint256(keccak256(id)) - 1)) & ~0xff */
const erc7201 = (id: string) =>
  toHex(hexToBigInt(keccak256(pad(toHex(hexToBigInt(keccak256(toHex(id))) - 1n)))) & ~0xffn, { size: 32 })

/** Reads one storage word; fails the test if the node returns none. */
async function storageAt(address: `0x${string}`, slot: `0x${string}`) {
  const value = await publicClient.getStorageAt({ address, slot })
  assert.ok(value, `no storage word at ${address} ${slot}`)
  return value
}

describe('Deployment', () => {
  it('declares every ERC-7201 slot constant as the formula gives it', () => {
    const files = ['ModelRegistry', 'Marketplace', 'Arbitration', 'Reputation', 'Evaluations', 'mocks/ReputationV2']
    for (const file of files) {
      const source = readFileSync(join(contractsDir, `${file}.sol`), 'utf8')
      const id = /erc7201:([\w.-]+)/.exec(source)?.[1]
      const constant = /_STORAGE_LOCATION =\s+(0x[0-9a-f]{64})/.exec(source)?.[1]
      assert.ok(id && constant, file)
      assert.equal(constant, erc7201(id), file)
    }
  })

  it('puts each namespace where the contract reads it', async () => {
    const p = await load()
    await delivered(p)
    const word = (address: `0x${string}`, id: string) =>
      storageAt(address, erc7201(`ai-model-marketplace.storage.${id}`))
    assert.equal(hexToBigInt(await word(p.registry.address, 'ModelRegistry')), 1n) // modelCount
    const marketplaceWord = await word(p.marketplace.address, 'Marketplace')
    assert.equal(getAddress(`0x${marketplaceWord.slice(-40)}`), p.registry.address) // registry
    assert.equal(getAddress(`0x${(await word(p.reputation.address, 'Reputation')).slice(-40)}`), p.registry.address)
    assert.equal(getAddress(`0x${(await word(p.evaluations.address, 'Evaluations')).slice(-40)}`), p.registry.address)
    await p.marketplace.write.dispute([1n, 'ipfs://e'], { account: buyer.account })
    assert.equal(hexToBigInt(await word(p.arbitration.address, 'Arbitration')), 1n) // disputeCount
  })

  it('sets function roles, grants the marketplace PROTOCOL, emits the meta-evidence, locks implementations', async () => {
    const p = await load()
    const role = (target: `0x${string}`, signature: string) =>
      p.manager.read.getTargetFunctionRole([target, toFunctionSelector(signature)])
    assert.equal(await role(p.arbitration.address, 'giveRuling(uint256,uint256)'), roles.ARBITER)
    assert.equal(await role(p.marketplace.address, 'pause()'), roles.PAUSER)
    assert.equal(await role(p.marketplace.address, 'upgradeToAndCall(address,bytes)'), roles.UPGRADER)
    assert.equal(await role(p.token.address, 'mint(address,uint256)'), roles.MINTER)
    assert.equal(await role(p.reputation.address, 'setMarketplace(address)'), roles.ADMIN)
    assert.deepEqual(await p.manager.read.hasRole([roles.PROTOCOL, p.marketplace.address]), [true, 0])
    assert.equal(await p.registry.read.isPaymentTokenAllowed([p.token.address]), true)
    const logs = await p.marketplace.getEvents.MetaEvidence({}, { fromBlock: 0n })
    assert.equal(logs.length, 1)
    assert.equal(logs[0].args._metaEvidenceID, 0n)
    const slot = await storageAt(p.marketplace.address, IMPLEMENTATION_SLOT)
    const implementation = await viem.getContractAt('Marketplace', getAddress(`0x${slot.slice(-40)}`))
    await viem.assertions.revertWithCustomError(
      implementation.write.initialize([
        {
          authority: p.manager.address,
          registry: p.registry.address,
          arbitrator: p.arbitration.address,
          reputation: p.reputation.address,
          treasury: deployer.account.address,
          feeBps: 0,
          deliveryWindow: 3600,
          disputeWindow: 3600,
          rulingWindow: 3600,
          metaEvidenceURI: '',
        },
      ]),
      implementation,
      'InvalidInitialization',
    )
  })

  it('hands the protocol to a separate admin: the deployer keeps no role', async () => {
    await load()
    const d = await deployProtocol({ walletClient: other, publicClient, admin: seller.account.address })
    const manager = await viem.getContractAt('AccessManager', d.contracts.AccessManager.address)
    assert.deepEqual(await manager.read.hasRole([roles.ADMIN, seller.account.address]), [true, 0])
    assert.deepEqual(await manager.read.hasRole([roles.ARBITER, seller.account.address]), [true, 0])
    for (const role of [roles.ADMIN, roles.MINTER, roles.TREASURER]) {
      assert.deepEqual(await manager.read.hasRole([role, other.account.address]), [false, 0])
    }
  })

  it('resumes a partial deployment, keeping what is on chain and redeploying what is not', async () => {
    await load()
    const first = await deployProtocol({ walletClient: other, publicClient })
    const steps: string[] = []
    const resumed = await deployProtocol({
      walletClient: other,
      publicClient,
      resume: {
        chainId: first.chainId,
        contracts: {
          AccessManager: first.contracts.AccessManager,
          PlatformToken: first.contracts.PlatformToken,
          // A stale entry (no code there, e.g. a restarted dev node) is deployed again.
          ModelRegistry: { address: buyer.account.address, blockNumber: 1 },
        },
      },
      onProgress: (step) => steps.push(step),
    })
    assert.deepEqual(resumed.contracts.AccessManager, first.contracts.AccessManager)
    assert.deepEqual(resumed.contracts.PlatformToken, first.contracts.PlatformToken)
    assert.notEqual(resumed.contracts.ModelRegistry.address, getAddress(buyer.account.address))
    assert.deepEqual(steps, ['ModelRegistry', 'Arbitration', 'Reputation', 'Marketplace', 'Evaluations', 'roles', 'configuration', 'done'])
    // Run again on a finished deployment handed to another admin: nothing to do, nothing sent.
    const handed = await deployProtocol({ walletClient: other, publicClient, admin: seller.account.address })
    const blockBefore = await publicClient.getBlockNumber()
    const again = await deployProtocol({ walletClient: other, publicClient, resume: handed })
    assert.deepEqual(again, handed)
    assert.equal(await publicClient.getBlockNumber(), blockBefore)
  })
})

describe('Upgrades', () => {
  it('upgrades Reputation to a compatible V2 with its state intact', async () => {
    const p = await load()
    const { orderId, modelId } = await delivered(p)
    await p.marketplace.write.confirm([orderId], { account: buyer.account })
    await p.reputation.write.review([orderId, 5, 'ipfs://r'], { account: buyer.account })
    await p.reputation.write.setProfile(['buyer_1', 'ipfs://p'], { account: buyer.account })
    await viem.assertions.revertWithCustomError(
      p.reputation.write.upgradeToAndCall([p.reputation.address, '0x'], { account: other.account }),
      p.reputation,
      'AccessManagedUnauthorized',
    )
    await upgradeContract({
      walletClient: deployer,
      publicClient,
      deployment: p.deployment,
      name: 'Reputation',
      newImplementation: 'contracts/mocks/ReputationV2.sol/ReputationV2.json',
    })
    const v2 = await viem.getContractAt('ReputationV2', p.reputation.address)
    assert.equal(await v2.read.version(), '2')
    assert.deepEqual(await v2.read.modelRating([modelId]), [5n, 1n])
    assert.deepEqual(await v2.read.profileOf([buyer.account.address]), ['buyer_1', 'ipfs://p'])
    assert.equal(await v2.read.isReviewed([orderId]), true)
    await v2.write.setFeaturedModel([modelId])
    assert.equal(await v2.read.featuredModel(), modelId)
  })

  it('accepts this build as an upgrade of the first release (recorded layouts): namespaces only appended to', () => {
    for (const name of ['PlatformToken', 'ModelRegistry', 'Marketplace', 'Arbitration', 'Reputation', 'Evaluations'] as const) {
      validateUpgrade(releasedLayout(name), name)
    }
    // The check has teeth: an incompatible layout fails against the recorded one too.
    assert.throws(
      () => validateUpgrade(releasedLayout('Reputation'), 'contracts/mocks/ReputationV2Incompatible.sol/ReputationV2Incompatible.json'),
      UpgradeValidationError,
    )
  })

  it('gives a protocol configured before the upgrade its new function roles in one multicall', async () => {
    const p = await load()
    // As configured by the first release: createDispute unrestricted (here: ADMIN only), no ARBITRABLE grant,
    // Evaluations' evaluator functions open to anyone (here: ADMIN only).
    const createDispute = toFunctionSelector('createDispute(uint256,bytes)')
    await p.manager.write.setTargetFunctionRole([p.arbitration.address, [createDispute], roles.ADMIN], { account: deployer.account })
    await p.manager.write.revokeRole([roles.ARBITRABLE, p.marketplace.address], { account: deployer.account })
    const { orderId } = await delivered(p)
    await viem.assertions.revertWithCustomError(
      p.marketplace.write.dispute([orderId, 'ipfs://e'], { account: buyer.account }),
      p.arbitration,
      'AccessManagedUnauthorized',
    )
    await p.manager.write.multicall([protocolRoleCalls(p.deployment)], { account: deployer.account })
    await p.marketplace.write.dispute([orderId, 'ipfs://e'], { account: buyer.account })
    assert.equal(await p.arbitration.read.disputeCount(), 1n)
  })

  it('refuses an implementation whose storage layout is incompatible', async () => {
    const p = await load()
    await assert.rejects(
      upgradeContract({
        walletClient: deployer,
        publicClient,
        deployment: p.deployment,
        name: 'Reputation',
        newImplementation: 'contracts/mocks/ReputationV2Incompatible.sol/ReputationV2Incompatible.json',
      }),
      (error: Error) => error instanceof UpgradeValidationError && /Inserted `reviewCount`/.test(error.message),
    )
  })
})
