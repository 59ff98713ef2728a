import { describe, expect, it } from 'vitest';
import { RulesDecider } from './RulesDecider.ts';
import { ShadowedDecider } from './ShadowedDecider.ts';
import type { Decider } from './RulesDecider.ts';

const swapAbove = (threshold: number, slippage = 100) =>
  RulesDecider.fromObject({
    rules: [
      {
        name: 'above',
        params: { threshold: { value: threshold, tunable: { min: 0, max: 1, step: 0.05 } } },
        conditions: { all: [{ fact: 'share', operator: 'greaterThan', value: '$param:threshold' }] },
        event: { type: 'fx.swap', amount: { value: '10.00', asset: 'EURC' }, params: { maxSlippageBps: slippage } },
      },
    ],
  });

describe('ShadowedDecider', () => {
  it('shadow decider - the live decision stands; a disagreeing candidate is described beside it', async () => {
    const live = swapAbove(0.45);
    const d = (candidate: Decider, share: number) =>
      new ShadowedDecider(live, candidate, 'next.yaml').decide({ share });
    expect((await d(swapAbove(0.45), 0.5)).shadow).toBeUndefined();
    expect((await d(swapAbove(0.45), 0.4)).shadow).toBeUndefined();
    const changed = await d(swapAbove(0.45, 50), 0.5);
    expect(changed.action).toMatchObject({ params: { maxSlippageBps: 100 } });
    expect(changed.shadow).toMatchObject({
      policy: 'next.yaml',
      kind: 'changed',
      action: { params: { maxSlippageBps: 50 } },
      rulesFired: ['above'],
    });
    expect((await d(swapAbove(0.3), 0.4)).shadow).toMatchObject({ kind: 'new', action: { type: 'fx.swap' } });
    const dropped = await d(swapAbove(0.6), 0.5);
    expect(dropped).toMatchObject({ action: { type: 'fx.swap' }, shadow: { kind: 'dropped', action: null } });
  });

  it('shadow decider - a candidate that throws is a "failed" difference, never a failed cycle; only the live rules tune', async () => {
    const broken: Decider = {
      decide: () => Promise.reject(new Error('rule above: "expect.x" is "n/a", not a number')),
    };
    const live = swapAbove(0.45);
    const s = new ShadowedDecider(live, broken, 'next.yaml');
    const d = await s.decide({ share: 0.5 });
    expect(d.action).toMatchObject({ type: 'fx.swap' });
    expect(d.shadow).toEqual({
      policy: 'next.yaml',
      kind: 'failed',
      action: null,
      confidence: 0,
      rulesFired: [],
      rationale: 'rule above: "expect.x" is "n/a", not a number',
    });
    expect(s.tunable).toBe(live);
  });
});
