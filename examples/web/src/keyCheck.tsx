import type { EvaluationInfo } from '@ai-model-marketplace/sdk'

export type KeyCheck = 'Opens' | 'DoesNotOpen' | 'NotChecked'

/**
 * What evaluators attested about one version under one key commitment: whether the committed key
 * decrypts the version to its on-chain sha256. Attestations about another commitment (an earlier
 * key) and revoked ones do not count; a single "does not open" outweighs any "opens".
 */
export function keyCheckOf(evaluations: readonly EvaluationInfo[] | undefined, version: number, commitment: string | null | undefined): KeyCheck {
  if (!commitment) return 'NotChecked'
  const about = (evaluations ?? []).filter(
    (e) => !e.revoked && e.version === version && e.keyCheck !== 'NotChecked' && e.keyCommitment?.toLowerCase() === commitment.toLowerCase(),
  )
  if (about.some((e) => e.keyCheck === 'DoesNotOpen')) return 'DoesNotOpen'
  return about.some((e) => e.keyCheck === 'Opens') ? 'Opens' : 'NotChecked'
}

const words: Record<KeyCheck, string> = {
  Opens: 'an evaluator attested that the committed key opens it',
  DoesNotOpen: 'an evaluator attested that the committed key does NOT open it',
  NotChecked: 'no evaluator has checked the committed key',
}

export function KeyCheckNote({ check }: { check: KeyCheck }) {
  return (
    <span data-testid="key-check" data-key-check={check} className={check === 'DoesNotOpen' ? 'warning' : undefined}>
      Key: {words[check]}
    </span>
  )
}
