import { describe, expect, it } from 'vitest';
import { threatOf, trustSections, type ReputationLike } from './reputationView.ts';

const report: ReputationLike = {
  overall: 57.6,
  reliability: 75,
  efficiency: 75,
  cooperation: 75,
  compliance: 63,
  financialResponsibility: 75,
  limitFactor: 0.5371,
  standing: 'normal',
  stake: {
    asset: 'USDC',
    posted: '1000',
    slashed: '150',
    balance: '850',
    entries: [
      { kind: 'slashed', amount: '150', reason: 'major: sandbox violation MANDATE_ERR_SANDBOX_FORBIDDEN in decide' },
      { kind: 'posted', amount: '1000', reason: 'stake posted by the agent definition' },
    ],
  },
};
const health = { score: 87, errors: 80, latency: 100, reputation: 58, sandbox: 100 };

describe('agent trust view - reputation, health, threat and stake', () => {
  it('shows the six dimensions, the standing and limits, the health parts, the threat and the stake', () => {
    const sections = trustSections(report, health, {
      reason: 'flagged, threat medium: new counterparty shell-co; verified: a re-perceive agrees on 2 facts',
    });
    expect(sections.map((s) => s.title)).toEqual(['Reputation', 'Health', 'Threat', 'Stake']);
    expect(sections[0]!.rows).toContainEqual(['compliance', '63.00']);
    expect(sections[0]!.rows).toContainEqual(['limits granted', '54% of the configured limits']);
    expect(sections[1]!.rows[0]).toEqual(['score', '87']);
    expect(sections[2]!.rows).toEqual([
      ['level', 'medium (flagged)'],
      ['reasons', 'new counterparty shell-co; verified: a re-perceive agrees on 2 facts'],
    ]);
    expect(sections[3]!.rows).toEqual([
      ['balance', '850 USDC'],
      ['posted', '1000 USDC'],
      ['slashed', '150 USDC'],
      ['last slash', '150 USDC: major: sandbox violation MANDATE_ERR_SANDBOX_FORBIDDEN in decide'],
    ]);
  });

  it('leaves out the threat without a verdict and the stake without one; a warning standing says limits are tightened', () => {
    const sections = trustSections({ ...report, standing: 'warning', stake: null }, health);
    expect(sections.map((s) => s.title)).toEqual(['Reputation', 'Health']);
    expect(sections[0]!.rows[1]).toEqual(['standing', 'warning (below 50): limits tightened']);
  });

  it('reads the level of every zero-trust reason form, and nothing from another stage', () => {
    expect(threatOf('threat low: behaviour matches the agent’s history')).toEqual({
      level: 'low',
      flagged: false,
      detail: 'behaviour matches the agent’s history',
    });
    expect(threatOf('threat critical: identity: ghost is not an agent of this runtime')?.level).toBe('critical');
    expect(threatOf('within limits')).toBeNull();
    expect(trustSections(report, health, { reason: 'within limits' })[2]!.rows).toEqual([['verdict', 'within limits']]);
  });
});
