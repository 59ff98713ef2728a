import { describe, expect, it } from 'vitest';
import type { Proposal } from './SupervisorPolicy.ts';
import { HALF_LIFE_MS } from './reputationModel.ts';
import { evidenceOf } from './reputationEvidence.ts';
import { ReputationPolicy, type ReputationChange } from './ReputationPolicy.ts';

let seq = 0;
const proposal = (value: string, at = 0, extra: Partial<Proposal> = {}): Proposal => ({
  agentId: 'fx',
  group: 'treasury',
  capabilities: ['fx.swap'],
  decision: { id: `d-${++seq}`, action: null, confidence: 1, rationale: '', rulesFired: [], model: null },
  action: { type: 'fx.swap', capability: 'fx.swap', amount: { value, asset: 'USDC' }, params: {} },
  facts: {},
  at,
  ...extra,
});
const limits = () => ({ perTransaction: { USDC: '1000' } });

describe('reputation policy', () => {
  it('reputation policy - falling below 50 is a warning, below 30 suspended (each once); limits shrink with the score', async () => {
    const changes: ReputationChange[] = [];
    const rep = new ReputationPolicy({ limitsOf: limits, onChange: (c) => void changes.push(c) });
    expect(await rep.evaluate(proposal('800'))).toMatchObject({ status: 'denied' }); // 75 → 79% of 1000
    expect(await rep.evaluate(proposal('780'))).toMatchObject({ status: 'approved' });
    for (let i = 0; i < 12; i++)
      rep.slash('fx', { severity: 'major', type: 'financial-misconduct', reason: 'test', at: 0 });
    expect(changes.filter((c) => c.threshold === 'warning')).toHaveLength(1);
    expect(changes.filter((c) => c.threshold === 'suspended')).toHaveLength(1);
    expect(changes.at(-1)).toMatchObject({
      kind: 'slash',
      violation: { severity: 'major', type: 'financial-misconduct' },
    });
    expect(rep.score('fx')).toBeLessThan(30);
    expect(rep.dimensions('fx').financialResponsibility).toBe(0);
    expect(await rep.evaluate(proposal('1'))).toMatchObject({
      status: 'denied',
      reason: expect.stringContaining('below 30'),
    });
  });

  it('reputation policy - above 90 is a bonus: up to 125% of the configured limit, reached by settled payments', async () => {
    const changes: ReputationChange[] = [];
    const rep = new ReputationPolicy({ limitsOf: limits, onChange: (c) => void changes.push(c) });
    rep.setScore('fx', 100);
    expect(await rep.evaluate(proposal('1250'))).toMatchObject({ status: 'approved' });
    expect(await rep.evaluate(proposal('1251'))).toMatchObject({ status: 'denied' });
    rep.setScore('fx', 85);
    // Settled payments pull reliability and financial responsibility toward 100: 85 + 0.5 · (100 − 85)(1 − 0.9²⁰) > 90.
    for (let i = 0; i < 20; i++) rep.settle(proposal('100'), { status: 'succeeded' });
    expect(changes.filter((c) => c.threshold === 'bonus')).toHaveLength(1);
    expect(rep.score('fx')).toBeGreaterThan(90);
    expect(rep.dimensions('fx')).toMatchObject({ compliance: 85, cooperation: 85, efficiency: 85 });
  });

  it('reputation policy - a denial by its own trust gate is not held against compliance; a denial by policy is', async () => {
    const rep = new ReputationPolicy({ limitsOf: limits });
    const big = proposal('900');
    expect(await rep.evaluate(big)).toMatchObject({ status: 'denied' });
    rep.settle(big, { status: 'denied' });
    expect(rep.dimensions('fx').compliance).toBe(75);
    rep.settle(proposal('10'), { status: 'denied' }); // denied further up (governance)
    expect(rep.dimensions('fx').compliance).toBe(67.5);
  });

  it('reputation policy - scores decay toward neutral on the clock; state and restore round-trip', async () => {
    let now = 0;
    const rep = new ReputationPolicy({ limitsOf: limits, now: () => now });
    rep.slash('fx', { severity: 'critical', type: 'compliance-violation', reason: 'test', at: 0 });
    expect(rep.score('fx')).toBe(40.2); // 75 − 30 penalty − 0.2 · 24
    now = HALF_LIFE_MS;
    expect(rep.score('fx')).toBe(57.6); // penalty 15, compliance 75 − 12
    const other = new ReputationPolicy({ limitsOf: limits, now: () => now });
    other.restore('fx', rep.state('fx')!);
    expect(other.dimensions('fx')).toEqual(rep.dimensions('fx'));
    expect(other.state('unknown')).toBeUndefined();
    expect(other.score('unknown')).toBe(75);
  });

  it('reputation evidence - money at stake, a contract-net award, and the fee paid over the fee expected', () => {
    const award = proposal('100', 0, {
      trigger: { kind: 'user', name: 'agent:did:key:z6Mk', at: 0 },
      action: {
        type: 'payment.send',
        capability: 'payments.send',
        amount: { value: '100', asset: 'USDC' },
        params: { expectedFee: '0.50' },
      },
    });
    expect(evidenceOf(award, { status: 'succeeded', fees: { value: '0.60', asset: 'USDC' } })).toEqual({
      status: 'succeeded',
      financial: true,
      multiAgent: true,
      costRatio: 1.2,
    });
    const operator = proposal('1', 0, { trigger: { kind: 'user', name: 'human:ops', at: 0 } });
    expect(evidenceOf(operator, { status: 'failed' })).toEqual({ status: 'failed', financial: true });
    const bad = { ...award, action: { ...award.action, params: { expectedFee: 'lots' } } };
    expect(evidenceOf(bad, { status: 'succeeded', fees: { value: '1', asset: 'USDC' } }).costRatio).toBeUndefined();
  });
});
