import { describe, expect, it } from 'vitest';
import type { PaymentStory } from '../types.ts';
import { newestDecision, zeroTrustOf } from './trustSource.ts';

const audit = (at: number, action: string, subject: string) => ({ at, action, subject });

describe('agent trust - where the newest zero-trust verdict is read from', () => {
  it('agent trust - the newest decision that acted wins, from transitions or audit entries', () => {
    const recent = [
      { at: 10, summary: { action: 'payment.send', decisionId: 'd-1' } },
      { at: 30, summary: { decisionId: 'd-no-action' } },
      { at: 20, summary: { action: 'payment.send', decisionId: 'd-2' } },
    ];
    expect(newestDecision(recent, [])).toBe('d-2');
    expect(newestDecision(recent, [audit(25, 'agent.payment.send.succeeded', 'd-3')])).toBe('d-3');
    // A stake posted (subject the agent, data an asset) or a gate set names no decision.
    expect(newestDecision(recent, [audit(40, 'stake.posted', 'custodian'), audit(50, 'gate.set', 'fees-ok')])).toBe(
      'd-2',
    );
    expect(newestDecision([], [])).toBeUndefined();
  });

  it('agent trust - the zero-trust stage of the decision, or null without one', () => {
    const story = (stages?: Array<{ stage: string; reason: string }>) =>
      ({
        decision: {
          id: 'd-9',
          verdict: {
            status: 'approved',
            by: 'governance',
            reason: 'ok',
            ...(stages ? { stages: stages.map((s) => ({ ...s, role: 'governance', status: 'approved' })) } : {}),
          },
        },
      }) as unknown as Pick<PaymentStory, 'decision'>;
    expect(
      zeroTrustOf(
        story([
          { stage: 'sandbox', reason: 'within limits' },
          { stage: 'zero-trust', reason: 'threat low: behaviour matches' },
        ]),
      ),
    ).toEqual({ reason: 'threat low: behaviour matches', decisionId: 'd-9' });
    expect(zeroTrustOf(story([{ stage: 'sandbox', reason: 'within limits' }]))).toBeNull();
    expect(zeroTrustOf(story())).toBeNull();
  });
});
