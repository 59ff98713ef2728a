import { describe, expect, it } from 'vitest';
import { pendingReceipt } from '../rails/IntentLedger.ts';
import type { PaymentReceipt } from '../rails/PaymentReceipt.ts';
import { receiptOutcome } from './createPaymentActuator.ts';

const swapIntent = {
  kind: 'swap' as const,
  idempotencyKey: 'fx:1',
  agentId: 'fx',
  supervisorIds: [],
  assetIn: 'USDC',
  assetOut: 'EURC',
  amountIn: '1000',
  maxSlippageBps: 100,
};

describe('receipt outcomes', () => {
  it('outcomes - a swap receipt with a realized P&L gives the outcome its pnl (for /metrics); one without gives none', () => {
    const base = pendingReceipt(swapIntent, 'uniswap-v2:31337', new Date('2026-12-02T00:00:00Z'));
    const confirmed: PaymentReceipt = {
      ...base,
      status: 'confirmed',
      details: { amountOut: '896000000', realizedPnl: '-3.95', realizedPnlAsset: 'EURC' },
    };
    expect(receiptOutcome(confirmed)).toMatchObject({ status: 'succeeded', pnl: { value: '-3.95', asset: 'EURC' } });
    expect(receiptOutcome({ ...confirmed, details: { amountOut: '896000000' } }).pnl).toBeUndefined();
  });
});
