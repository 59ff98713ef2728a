import { describe, expect, it } from 'vitest';
import type { ProposedAction } from '../../machines/index.ts';
import { createX402Actuator } from './createX402Actuator.ts';
import type { X402Asset } from './x402Quote.ts';

const asset: X402Asset = {
  chainId: 84532,
  address: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  symbol: 'USDC',
  decimals: 6,
};
const payTo = '0x00000000000000000000000000000000000000aa';
const action: ProposedAction = {
  type: 'x402.pay',
  capability: 'data.buy',
  amount: { value: '0.25', asset: 'USDC' },
  counterparty: payTo,
  params: {
    url: 'http://127.0.0.1:1/eurusd',
    requirements: {
      scheme: 'exact',
      network: 'eip155:84532',
      asset: asset.address,
      amount: '250000',
      payTo,
      maxTimeoutSeconds: 60,
    },
  },
};
const ctx = { agentId: 'buyer', decisionId: 'd-1', idempotencyKey: 'k-1', mode: 'live' as const, now: 0 };

describe('x402 dry-run actuator', () => {
  it('x402 - a dry-run actuator describes the payment it would make and refuses to make it', async () => {
    const act = createX402Actuator({ dryRun: true, asset });
    expect(act.effect).toBe('external');
    expect(await act.prepare!(action, { ...ctx, mode: 'dry-run' })).toEqual({
      url: 'http://127.0.0.1:1/eurusd',
      payTo,
      value: '250000',
      asset: 'USDC',
    });
    await expect(act.prepare!({ ...action, amount: { value: '1', asset: 'USDC' } }, ctx)).rejects.toMatchObject({
      code: 'MANDATE_ERR_PAYMENT_ACTION',
    });
    await expect(act.execute(action, ctx)).rejects.toMatchObject({
      code: 'MANDATE_ERR_X402_NOT_LIVE',
      message: expect.stringContaining('agent "buyer"'),
    });
    expect(await act.reconcile!(action, ctx)).toBeUndefined();
  });

  it('x402 - a live actuator cannot be built without authorizations: a type error, and refused when built', () => {
    // @ts-expect-error: live options need authorizations (and signerOf); only `dryRun: true` goes without.
    expect(() => createX402Actuator({ asset, signerOf: () => undefined as never })).toThrow(
      expect.objectContaining({ code: 'MANDATE_ERR_X402_NOT_LIVE', message: expect.stringContaining('dryRun: true') }),
    );
  });
});
