// The checked helpers that replace non-null assertions in the actions: they throw typed errors instead of reading undefined.
import type { TransactionReceipt } from 'viem'
import { describe, expect, it } from 'vitest'
import { eventOf, requireWallet } from '../../src/actions/internal/write.ts'
import type { MarketplaceClientConfig } from '../../src/client/types.ts'
import { EventMissingError, WalletMissingError } from '../../src/errors/chain.ts'

const hash = `0x${'ab'.repeat(32)}` as const

describe('eventOf', () => {
  it('throws EventMissingError naming the contract, event and transaction when the receipt lacks the event', () => {
    const receipt = { logs: [], transactionHash: hash } as unknown as TransactionReceipt
    const error = (() => {
      try {
        eventOf('Marketplace', 'OrderCreated', receipt)
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(EventMissingError)
    expect(error).toMatchObject({ code: 'EVENT_MISSING', contract: 'Marketplace', eventName: 'OrderCreated', hash })
  })
})

describe('requireWallet', () => {
  it('throws WalletMissingError naming the action without a wallet client or without an account', () => {
    expect(() => requireWallet({} as MarketplaceClientConfig, 'buyModel')).toThrow(WalletMissingError)
    expect(() => requireWallet({ walletClient: {} } as MarketplaceClientConfig, 'deliverOrder')).toThrow(/deliverOrder needs a wallet/)
  })
})
