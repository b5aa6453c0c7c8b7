import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { keccak256, toHex, zeroHash } from 'viem'
import { DAY, KEY_COMMITMENT, WRAPPED_KEY, createProtocol } from './helpers.ts'

const { viem, networkHelpers, accounts, load, list } = await createProtocol()
const { seller, evaluator, other, buyer } = accounts
const EVALUATOR_KEY = keccak256(toHex('evaluator x25519 key'))
const Verdict = { None: 0, Pass: 1, Warn: 2, Fail: 3 }
const KeyCheck = { NotChecked: 0, Opens: 1, DoesNotOpen: 2 }

describe('Evaluations', () => {
  it('lets an evaluator publish its key, the owner request, and the evaluator attest and fulfil', async () => {
    const p = await load()
    const modelId = await list(p)
    await viem.assertions.emitWithArgs(
      p.evaluations.write.setEvaluatorKey([EVALUATOR_KEY], { account: evaluator.account }),
      p.evaluations,
      'EvaluatorKeySet',
      [evaluator.account.address, EVALUATOR_KEY],
    )
    await viem.assertions.emitWithArgs(
      p.evaluations.write.requestEvaluation([modelId, 1, evaluator.account.address, WRAPPED_KEY], {
        account: seller.account,
      }),
      p.evaluations,
      'EvaluationRequested',
      [1n, modelId, 1, evaluator.account.address, seller.account.address, WRAPPED_KEY],
    )
    await viem.assertions.emitWithArgs(
      p.evaluations.write.attest(
        [modelId, 1, 1n, 'safety/v1', Verdict.Pass, 1_000_000, 'ipfs://report', KEY_COMMITMENT, KeyCheck.Opens],
        { account: evaluator.account },
      ),
      p.evaluations,
      'EvaluationAttested',
      [
        1n,
        modelId,
        1,
        evaluator.account.address,
        1n,
        'safety/v1',
        Verdict.Pass,
        1_000_000,
        'ipfs://report',
        KEY_COMMITMENT,
        KeyCheck.Opens,
      ],
    )
    assert.equal((await p.evaluations.read.getRequest([1n])).status, 2) // Fulfilled
    const a = await p.evaluations.read.getAttestation([1n])
    assert.equal(a.verdict, Verdict.Pass)
    assert.equal(a.requestId, 1n)
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.evaluations.write.attest([modelId, 1, 1n, 'safety/v1', Verdict.Pass, 1, 'ipfs://r', zeroHash, KeyCheck.NotChecked], {
        account: evaluator.account,
      }),
      p.evaluations,
      'EvaluationsRequestNotOpen',
      [1n],
    )
  })

  it('refuses requests by non-owners, to non-evaluators or keyless evaluators, and for unknown versions', async () => {
    const p = await load()
    const modelId = await list(p)
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.evaluations.write.requestEvaluation([modelId, 1, evaluator.account.address, '0x'], { account: other.account }),
      p.evaluations,
      'EvaluationsNotModelOwner',
      [modelId, other.account.address],
    )
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.evaluations.write.requestEvaluation([modelId, 1, evaluator.account.address, '0x'], { account: seller.account }),
      p.evaluations,
      'EvaluationsEvaluatorHasNoKey',
      [evaluator.account.address],
    )
    await viem.assertions.revertWithCustomError(
      p.evaluations.write.requestEvaluation([modelId, 1, other.account.address, '0x'], { account: seller.account }),
      p.evaluations,
      'EvaluationsNotEvaluator',
    )
    await viem.assertions.revertWithCustomError(
      p.evaluations.write.requestEvaluation([modelId, 9, evaluator.account.address, '0x'], { account: seller.account }),
      p.registry,
      'RegistryUnknownVersion',
    )
    await viem.assertions.revertWithCustomError(
      p.evaluations.write.setEvaluatorKey([EVALUATOR_KEY], { account: other.account }),
      p.evaluations,
      'AccessManagedUnauthorized',
    )
  })

  it('refuses to fulfil a request for another version, evaluator or an unknown request', async () => {
    const p = await load()
    const modelId = await list(p)
    await p.registry.write.publishVersion([modelId, { contentCID: '0x0155', sha256: EVALUATOR_KEY, size: 1n, semver: '2.0.0', changelogURI: '' }], {
      account: seller.account,
    })
    await p.evaluations.write.setEvaluatorKey([EVALUATOR_KEY], { account: evaluator.account })
    await p.evaluations.write.requestEvaluation([modelId, 1, evaluator.account.address, '0x'], { account: seller.account })
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.evaluations.write.attest([modelId, 2, 1n, 'safety/v1', Verdict.Pass, 1, 'ipfs://r', zeroHash, KeyCheck.NotChecked], { account: evaluator.account }),
      p.evaluations,
      'EvaluationsRequestMismatch',
      [1n],
    )
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.evaluations.write.attest([modelId, 1, 7n, 'safety/v1', Verdict.Pass, 1, 'ipfs://r', zeroHash, KeyCheck.NotChecked], { account: evaluator.account }),
      p.evaluations,
      'EvaluationsUnknownRequest',
      [7n],
    )
    // An attestation without a request is allowed and leaves the request open.
    await p.evaluations.write.attest([modelId, 2, 0n, 'safety/v1', Verdict.Warn, 500_000, 'ipfs://r', zeroHash, KeyCheck.NotChecked], {
      account: evaluator.account,
    })
    assert.equal((await p.evaluations.read.getRequest([1n])).status, 1)
  })

  it('cancels an unanswered request only after the window, only by its requester', async () => {
    const p = await load()
    const modelId = await list(p)
    await p.evaluations.write.setEvaluatorKey([EVALUATOR_KEY], { account: evaluator.account })
    await p.evaluations.write.requestEvaluation([modelId, 1, evaluator.account.address, '0x'], { account: seller.account })
    await viem.assertions.revertWithCustomError(
      p.evaluations.write.cancelRequest([1n], { account: seller.account }),
      p.evaluations,
      'EvaluationsRequestWindowOpen',
    )
    await networkHelpers.time.increase(7n * DAY)
    await viem.assertions.revertWithCustomError(
      p.evaluations.write.cancelRequest([1n], { account: other.account }),
      p.evaluations,
      'EvaluationsNotModelOwner',
    )
    await viem.assertions.emitWithArgs(
      p.evaluations.write.cancelRequest([1n], { account: seller.account }),
      p.evaluations,
      'EvaluationRequestCancelled',
      [1n],
    )
    await viem.assertions.revertWithCustomError(
      p.evaluations.write.attest([modelId, 1, 1n, 'safety/v1', Verdict.Fail, 0, 'ipfs://r', zeroHash, KeyCheck.NotChecked], {
        account: evaluator.account,
      }),
      p.evaluations,
      'EvaluationsRequestNotOpen',
    )
  })

  it('validates attestations and lets only their evaluator revoke them, once', async () => {
    const p = await load()
    const modelId = await list(p)
    const attest = (args: Partial<{ verdict: number; score: number; suite: string; uri: string; version: number; commitment: `0x${string}`; keyCheck: number }>) =>
      p.evaluations.write.attest(
        [modelId, args.version ?? 1, 0n, args.suite ?? 'safety/v1', args.verdict ?? Verdict.Warn, args.score ?? 5, args.uri ?? 'ipfs://r', args.commitment ?? zeroHash, args.keyCheck ?? KeyCheck.NotChecked],
        { account: evaluator.account },
      )
    await viem.assertions.revertWithCustomError(attest({ verdict: Verdict.None }), p.evaluations, 'EvaluationsInvalidVerdict')
    await viem.assertions.revertWithCustomErrorWithArgs(attest({ score: 1_000_001 }), p.evaluations, 'EvaluationsInvalidScore', [1_000_001])
    await viem.assertions.revertWithCustomError(attest({ suite: '' }), p.evaluations, 'EvaluationsInvalidField')
    await viem.assertions.revertWithCustomError(attest({ uri: '' }), p.evaluations, 'EvaluationsInvalidField')
    await viem.assertions.revertWithCustomError(attest({ version: 2 }), p.registry, 'RegistryUnknownVersion')
    await viem.assertions.revertWithCustomError(attest({ keyCheck: KeyCheck.Opens }), p.evaluations, 'EvaluationsInvalidKeyCheck')
    await viem.assertions.revertWithCustomError(attest({ commitment: KEY_COMMITMENT }), p.evaluations, 'EvaluationsInvalidKeyCheck')
    await viem.assertions.revertWithCustomError(
      p.evaluations.write.attest([modelId, 1, 0n, 's', Verdict.Pass, 1, 'ipfs://r', zeroHash, KeyCheck.NotChecked], { account: buyer.account }),
      p.evaluations,
      'AccessManagedUnauthorized',
    )
    await attest({})
    await viem.assertions.revertWithCustomErrorWithArgs(
      p.evaluations.write.revoke([1n], { account: other.account }),
      p.evaluations,
      'EvaluationsNotAttester',
      [1n, other.account.address],
    )
    await viem.assertions.emitWithArgs(
      p.evaluations.write.revoke([1n], { account: evaluator.account }),
      p.evaluations,
      'EvaluationRevoked',
      [1n, evaluator.account.address],
    )
    assert.equal((await p.evaluations.read.getAttestation([1n])).revoked, true)
    await viem.assertions.revertWithCustomError(
      p.evaluations.write.revoke([1n], { account: evaluator.account }),
      p.evaluations,
      'EvaluationsAlreadyRevoked',
    )
    await viem.assertions.revertWithCustomError(
      p.evaluations.write.revoke([2n], { account: evaluator.account }),
      p.evaluations,
      'EvaluationsUnknownAttestation',
    )
  })

  it('bounds the request window and restricts it to the TREASURER role', async () => {
    const p = await load()
    await viem.assertions.revertWithCustomError(
      p.evaluations.write.setRequestWindow([60], { account: accounts.deployer.account }),
      p.evaluations,
      'EvaluationsInvalidWindow',
    )
    await viem.assertions.revertWithCustomError(
      p.evaluations.write.setRequestWindow([3600], { account: other.account }),
      p.evaluations,
      'AccessManagedUnauthorized',
    )
    await p.evaluations.write.setRequestWindow([3600], { account: accounts.deployer.account })
    assert.equal(await p.evaluations.read.requestWindow(), 3600)
  })
})
