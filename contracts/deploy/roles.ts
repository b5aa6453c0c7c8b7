// Role ids of the protocol's AccessManager; the same numbers as contracts/Roles.sol.
export const roles = {
  ADMIN: 0n,
  UPGRADER: 1n,
  PAUSER: 2n,
  ARBITER: 3n,
  EVALUATOR: 4n,
  TREASURER: 5n,
  MINTER: 6n,
  PROTOCOL: 7n,
  ARBITRABLE: 8n,
} as const

export type RoleName = keyof typeof roles

/** Which role may call each restricted function; every other restricted function stays ADMIN-only. */
export const functionRoles = {
  PlatformToken: { mint: 'MINTER', upgradeToAndCall: 'UPGRADER' },
  ModelRegistry: { setPaymentTokenAllowed: 'TREASURER', upgradeToAndCall: 'UPGRADER' },
  Marketplace: {
    setFee: 'TREASURER',
    setTreasury: 'TREASURER',
    setWindows: 'TREASURER',
    setArbitrator: 'TREASURER',
    pause: 'PAUSER',
    unpause: 'PAUSER',
    upgradeToAndCall: 'UPGRADER',
  },
  Arbitration: {
    createDispute: 'ARBITRABLE',
    giveRuling: 'ARBITER',
    setArbitrationCost: 'TREASURER',
    withdrawFees: 'TREASURER',
    upgradeToAndCall: 'UPGRADER',
  },
  Reputation: { recordDisputeOutcome: 'PROTOCOL', upgradeToAndCall: 'UPGRADER' },
  Evaluations: {
    setEvaluatorKey: 'EVALUATOR',
    attest: 'EVALUATOR',
    setRequestWindow: 'TREASURER',
    upgradeToAndCall: 'UPGRADER',
  },
} as const satisfies Record<string, Record<string, RoleName>>
