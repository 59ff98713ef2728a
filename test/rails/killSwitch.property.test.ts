import fc from 'fast-check';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpendingLimits } from '../../actors/limits/SpendingLimits.ts';
import { LocalKeystoreSigner } from '../../actors/wallets/LocalKeystoreSigner.ts';
import type { TransactionSigner } from '../../actors/wallets/TransactionSigner.ts';
import { startRailFixture, TestKillSwitch, type RailFixture } from '../support/evmFixture.ts';
import { TEST_COUNTERPARTY_KEY } from '../support/counterpartyKey.ts';

let fx: RailFixture;
beforeAll(async () => {
  fx = await startRailFixture(3);
});
afterAll(async () => {
  await fx?.close();
});

/** Counts signatures that reach the key. */
function countingSigner(privateKey: string): TransactionSigner & { signed: number } {
  const inner = LocalKeystoreSigner.fromPrivateKey(privateKey);
  const s = {
    kind: inner.kind,
    signed: 0,
    getAddress: () => inner.getAddress(),
    async signTransaction(tx: Parameters<TransactionSigner['signTransaction']>[0]) {
      s.signed += 1;
      return inner.signTransaction(tx);
    },
  };
  return s;
}

describe('kill switch and limits in the payment path', () => {
  it('kill switch property - once engaged, nothing more is signed or sent', async () => {
    const payer = fx.node.accounts[fx.payerIndex]!;
    const provider = fx.node.provider();
    // Raw RPC: ethers' getTransactionCount may answer from a short-lived cache.
    const chainNonce = async (): Promise<number> =>
      Number(await provider.send('eth_getTransactionCount', [payer.address, 'pending']));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 6 }), async (count, engageAt) => {
        run += 1;
        const killSwitch = new TestKillSwitch();
        const signer = countingSigner(payer.privateKey);
        const rail = await fx.rail({ killSwitch, signer });
        let signedWhenEngaged = -1;
        let nonceWhenEngaged = -1;
        for (let i = 0; i < count; i++) {
          if (i === engageAt) {
            killSwitch.engaged = true;
            signedWhenEngaged = signer.signed;
            nonceWhenEngaged = await chainNonce();
          }
          const receipt = await rail.sendCrypto({
            kind: 'crypto',
            idempotencyKey: `ks-${run}-${i}-${Date.now()}`,
            agentId: 'agent-treasurer',
            asset: 'USDC',
            amount: '1',
            to: Wallet.createRandom().address,
          });
          expect(receipt.status).toBe(i >= engageAt ? 'failed' : 'confirmed');
        }
        if (signedWhenEngaged >= 0) {
          expect(signer.signed).toBe(signedWhenEngaged);
          expect(await chainNonce()).toBe(nonceWhenEngaged);
        } else {
          expect(signer.signed).toBe(count);
        }
      }),
      { numRuns: 12 },
    );
  });

  it('limits in rail - a payment over the per-transaction limit or the supervisor rolling budget is refused before signing', async () => {
    const limits = new SpendingLimits({
      sql: fx.db.sql,
      rules: [
        { scope: 'agent:agent-limited', window: 'transaction', unit: 'native', asset: 'USDC', max: '10' },
        { scope: 'supervisor:gov-1', window: 'rolling-24h', unit: 'reference', max: '15' },
      ],
      assetDecimals: { USDC: 6 },
      referenceDecimals: 6,
      counterpartyKey: TEST_COUNTERPARTY_KEY,
    });
    const signer = countingSigner(fx.node.accounts[fx.payerIndex]!.privateKey);
    const rail = await fx.rail({ limits, signer, agentId: 'agent-limited', toReference: (_asset, base) => base });
    const pay = (k: string, amount: string) =>
      rail.sendCrypto({
        kind: 'crypto',
        idempotencyKey: `${k}-${Date.now()}`,
        agentId: 'agent-limited',
        supervisorIds: ['gov-1'],
        asset: 'USDC',
        amount,
        to: Wallet.createRandom().address,
      });
    const big = await pay('over-tx', '10.01');
    expect(big.status).toBe('failed');
    expect(big.failure?.code).toBe('MANDATE_ERR_LIMIT_EXCEEDED');
    expect((await pay('ok-1', '9')).status).toBe('confirmed');
    const daily = await pay('over-day', '7');
    expect(daily.failure?.code).toBe('MANDATE_ERR_LIMIT_EXCEEDED');
    expect((await pay('ok-2', '6')).status).toBe('confirmed');
    expect(signer.signed).toBe(2);
    // Reference-currency limits without a valuer would silently count zero: refused at construction.
    await expect(fx.rail({ limits })).rejects.toMatchObject({ code: 'MANDATE_ERR_LIMIT_CONFIG' });
  });
});
