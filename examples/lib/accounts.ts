// The development accounts of `hardhat node` and Hardhat's simulated network (public keys: never fund them on a real network).
import { type Hex, toHex } from 'viem'
import { mnemonicToAccount, privateKeyToAccount } from 'viem/accounts'

const devMnemonic = 'test test test test test test test test test test test junk'

/** Who plays which part, by the index of Hardhat's account. */
export const devRoles = { admin: 0, alice: 1, bob: 2, carol: 3, dave: 4, arbiter: 5, evaluator: 6, mallory: 7 } as const
export type DevRole = keyof typeof devRoles

function devPrivateKey(index: number): Hex {
  return toHex(mnemonicToAccount(devMnemonic, { addressIndex: index }).getHdKey().privateKey as Uint8Array)
}

/** Every role's account, with its private key (printed by `npm run dev`). */
export function devAccounts() {
  return Object.fromEntries(
    Object.entries(devRoles).map(([role, index]) => {
      const privateKey = devPrivateKey(index)
      return [role, { ...privateKeyToAccount(privateKey), privateKey }]
    }),
  ) as Record<DevRole, ReturnType<typeof privateKeyToAccount> & { privateKey: Hex }>
}
