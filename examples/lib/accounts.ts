// The development accounts of `hardhat node` and Hardhat's simulated network (public keys: never fund
// them on a real network): the same roles `amm dev` prints.
export { type DevRole, devAccounts, devRoles } from '../../cli/src/stack.ts'
