import { type Abi, parseAbi } from 'viem'
import { arbitrationAbi, evaluationsAbi, marketplaceAbi, modelRegistryAbi, reputationAbi } from '../../contracts/abis.ts'
import type { ContractName } from '../../contracts/types.ts'
import { erc20PermitAbi } from '../../contracts/erc20.ts'
import type { MarketplaceClientConfig } from '../../client/types.ts'

export const abis = {
  ModelRegistry: modelRegistryAbi,
  Marketplace: marketplaceAbi,
  Arbitration: arbitrationAbi,
  Reputation: reputationAbi,
  Evaluations: evaluationsAbi,
} as const

export type ProtocolContract = keyof typeof abis

/** Errors a call can bubble up from the OpenZeppelin parts and any ERC-20 (EIP-6093), beside the protocol's own. */
const standardErrors = parseAbi([
  'error AccessManagedUnauthorized(address caller)',
  'error EnforcedPause()',
  'error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)',
  'error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)',
  'error ERC2612ExpiredSignature(uint256 deadline)',
  'error ERC2612InvalidSigner(address signer, address owner)',
  'error ERC721NonexistentToken(uint256 tokenId)',
  'error SafeERC20FailedOperation(address token)',
  'error ReentrancyGuardReentrantCall()',
])

/** Every custom error any protocol contract can raise, so a revert bubbling through another contract still decodes. */
export const allErrorsAbi: Abi = (() => {
  const seen = new Set<string>()
  const items = [...Object.values(abis).flat(), ...erc20PermitAbi, ...standardErrors].filter((item) => item.type === 'error')
  return items.filter((item) => {
    const key = `${item.name}(${item.inputs.map((i) => i.type).join(',')})`
    return !seen.has(key) && seen.add(key)
  })
})()

export function addressOf(client: MarketplaceClientConfig, name: ContractName) {
  return client.deployment.contracts[name].address
}
