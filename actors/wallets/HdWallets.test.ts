import { describe, expect, it } from 'vitest';
import { HdWallets } from './HdWallets.ts';

const SEED = `0x${'ab'.repeat(32)}`;

describe('HdWallets', () => {
  it('wallets - one stable account per agent id, distinct from every other agent and from the operator', async () => {
    const a = HdWallets.fromSeed(SEED);
    const b = HdWallets.fromSeed(SEED);
    const payables = await a.forAgent('payables').getAddress();
    expect(await b.forAgent('payables').getAddress()).toBe(payables);
    const others = await Promise.all(
      ['fx-rebalancer', 'payables2', 'Payables'].map((id) => a.forAgent(id).getAddress()),
    );
    expect(new Set([payables, ...others, await a.operator().getAddress()]).size).toBe(5);
    expect(HdWallets.pathOf('payables')).toMatch(/^m\/44'\/60'\/1'\/\d+'\/\d+'$/);
  });

  it('wallets - another seed derives other accounts; a bad seed is refused with a coded error', async () => {
    const other = HdWallets.fromSeed(`0x${'cd'.repeat(32)}`);
    expect(await other.forAgent('payables').getAddress()).not.toBe(
      await HdWallets.fromSeed(SEED).forAgent('payables').getAddress(),
    );
    expect(() => HdWallets.fromSeed('0x1234')).toThrow(
      expect.objectContaining({ code: 'MANDATE_ERR_WALLET_KEYSTORE' }),
    );
    expect(() => HdWallets.fromSeed('not hex')).toThrow(
      expect.objectContaining({ code: 'MANDATE_ERR_WALLET_KEYSTORE' }),
    );
  });
});
