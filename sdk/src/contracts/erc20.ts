import { erc20Abi, parseAbi } from 'viem'

/** ERC-20 plus the EIP-2612 and EIP-5267 views a permit needs; any payment token may lack the latter two. */
export const erc20PermitAbi = [
  ...erc20Abi,
  ...parseAbi([
    'function nonces(address owner) view returns (uint256)',
    'function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)',
  ]),
] as const
