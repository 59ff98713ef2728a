import { describe, expect, it } from 'vitest';
import type { Proposal } from './SupervisorPolicy.ts';
import { ReputationPolicy, type ReputationChange } from './ReputationPolicy.ts';

const proposal = (value: string, at = 0): Proposal => ({
  agentId: 'fx',
  group: 'treasury',
  capabilities: ['fx.swap'],
  decision: { id: 'd', action: null, confidence: 1, rationale: '', rulesFired: [], model: null },
  action: { type: 'fx.swap', capability: 'fx.swap', amount: { value, asset: 'USDC' }, params: {} },
  facts: {},
  at,
});

describe('reputation policy', () => {
  it('reputation policy - falling below 50 is a warning (once), limits shrink with the score, below 30 is denied', async () => {
    const changes: ReputationChange[] = [];
    const rep = new ReputationPolicy({
      limitsOf: () => ({ perTransaction: { USDC: '1000' } }),
      onChange: (c) => void changes.push(c),
    });
    expect(await rep.evaluate(proposal('800'))).toMatchObject({ status: 'denied' }); // 75 → 79% of 1000
    expect(await rep.evaluate(proposal('780'))).toMatchObject({ status: 'approved' });
    for (let i = 0; i < 12; i++)
      rep.slash('fx', { severity: 'major', type: 'financial-misconduct', reason: 'test', at: 0 });
    expect(changes.filter((c) => c.threshold === 'warning')).toHaveLength(1);
    expect(rep.score('fx')).toBeLessThan(30);
    expect(await rep.evaluate(proposal('1'))).toMatchObject({
      status: 'denied',
      reason: expect.stringContaining('below 30'),
    });
  });

  it('reputation policy - above 90 is a bonus: up to 125% of the configured limit', async () => {
    const changes: ReputationChange[] = [];
    const rep = new ReputationPolicy({
      limitsOf: () => ({ perTransaction: { USDC: '1000' } }),
      onChange: (c) => void changes.push(c),
    });
    rep.setScore('fx', 100);
    expect(await rep.evaluate(proposal('1250'))).toMatchObject({ status: 'approved' });
    expect(await rep.evaluate(proposal('1251'))).toMatchObject({ status: 'denied' });
    rep.setScore('fx', 85);
    for (let i = 0; i < 10; i++) rep.record('fx', 'succeeded', 0);
    expect(changes.filter((c) => c.threshold === 'bonus')).toHaveLength(1);
  });
});
