import { describe, expect, it } from 'vitest';
import { flagSuboptimal } from './flagSuboptimal.ts';

const decision = { action: { type: 'fx.swap' }, confidence: 0.55 };

describe('flagSuboptimal', () => {
  it('flagSuboptimal - flags slippage, fees, duration, confidence and failures beyond the bounds', async () => {
    const learn = flagSuboptimal({
      maxSlippageBps: 50,
      maxFees: { USDC: '5' },
      maxDurationMs: 1_000,
      minConfidence: 0.6,
    });
    const report = await learn({
      agentId: 'a',
      facts: {},
      decision,
      outcome: { status: 'succeeded', slippageBps: 80, fees: { value: '5.01', asset: 'USDC' }, durationMs: 2_000 },
    });
    expect(report).toEqual({
      flags: [
        'slippage 80 bps above 50 bps',
        'fees 5.01 USDC above 5',
        'took 2000 ms, over 1000 ms',
        'decided with confidence 0.55, under 0.6',
      ],
    });
    const fine = await learn({
      agentId: 'a',
      facts: {},
      decision: { ...decision, confidence: 0.9 },
      outcome: { status: 'succeeded', slippageBps: 10, fees: { value: '1', asset: 'USDC' }, durationMs: 10 },
    });
    expect(fine).toEqual({ flags: [] });
    const failed = await learn({
      agentId: 'a',
      facts: {},
      decision: { ...decision, confidence: 0.9 },
      outcome: { status: 'failed', error: { code: 'MANDATE_ERR_SWAP_SLIPPAGE', message: 'too high' } },
    });
    expect(failed).toEqual({ flags: ['failed: MANDATE_ERR_SWAP_SLIPPAGE too high'] });
  });
});
