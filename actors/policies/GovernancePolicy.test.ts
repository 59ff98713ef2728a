import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ProposedAction } from '../../machines/index.ts';
import { GovernancePolicy } from './GovernancePolicy.ts';
import type { Proposal } from './SupervisorPolicy.ts';

const YAML = readFileSync(join(import.meta.dirname, '../../examples/treasury/governance.yaml'), 'utf8');
const LIMITS = { perTransaction: { USDC: '25000' }, daily: { USDC: '100000' } };

function proposal(action: Partial<ProposedAction> & { value: string }, confidence = 0.9, id = 'd1'): Proposal {
  const { value, ...rest } = action;
  return {
    agentId: 'payables',
    group: 'payables',
    capabilities: ['payments.send'],
    decision: { id, action: null, confidence, rationale: 'r', rulesFired: [], model: null },
    action: {
      type: 'payment.send',
      capability: 'payments.send',
      account: 'ops',
      amount: { value, asset: 'USDC' },
      params: {},
      ...rest,
    },
    facts: {},
    at: 1_790_000_000_000,
  };
}

describe('governance policy (the treasury example governance.yaml)', () => {
  it('governance - a blocked counterparty is denied whatever the amount, the confidence or the other rules that fire', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 25_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (amount, confidence) => {
          const policy = GovernancePolicy.fromYaml(YAML, () => LIMITS);
          const verdict = await policy.evaluate(
            proposal({ value: `${amount}.00`, counterparty: 'cp-sanctioned-01' }, confidence),
          );
          expect(verdict.status).toBe('denied');
          expect(verdict.reason).toMatch(/^blocked-counterparty: /);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('governance - the same payment to another counterparty is approved under 10,000 and waits for approval above it', async () => {
    const policy = GovernancePolicy.fromYaml(YAML, () => LIMITS);
    expect((await policy.evaluate(proposal({ value: '1840.00', counterparty: 'cp-cloudhost' }))).status).toBe(
      'approved',
    );
    const large = await policy.evaluate(proposal({ value: '18500.00', counterparty: 'cp-auditor-1' }, 0.9, 'd2'));
    expect(large.status).toBe('pending');
    expect(large.reason).toMatch(/^large-payment-needs-approval: /);
  });

  it('governance - a payment over the per-transaction limit is denied before any rule runs', async () => {
    const policy = GovernancePolicy.fromYaml(YAML, () => LIMITS);
    const verdict = await policy.evaluate(proposal({ value: '25000.01', counterparty: 'cp-cloudhost' }));
    expect(verdict).toEqual({ status: 'denied', reason: '25000.01 USDC exceeds the per-transaction limit 25000' });
  });
});
