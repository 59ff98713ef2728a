import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { approvalMachine, mayAnswer, type ApprovalInput } from './approvalMachine.ts';
import type { Principal } from './types.ts';

const alice: Principal = { kind: 'human', id: 'alice' };
const bob: Principal = { kind: 'human', id: 'bob' };
const carol: Principal = { kind: 'human', id: 'carol' };

function start(overrides: Partial<ApprovalInput> = {}) {
  const clock = new SimulatedClock();
  const input: ApprovalInput = {
    id: 'apr-1',
    agentId: 'payables',
    decisionId: 'd1',
    required: 1,
    approvers: [],
    timeoutMs: 60_000,
    ...overrides,
  };
  const actor = createActor(approvalMachine, { input, clock }).start();
  const state = () => actor.getSnapshot().value as string;
  return { actor, clock, state };
}

describe('approval machine', () => {
  it('approvals - one grant settles a single-approver request as approved, with the grant as output', () => {
    const t = start();
    expect(t.state()).toBe('open');
    t.actor.send({ type: 'approval.grant', by: alice, at: 5, reason: 'checked' });
    expect(t.state()).toBe('approved');
    expect(t.actor.getSnapshot().status).toBe('done');
    expect(t.actor.getSnapshot().output).toEqual({
      status: 'approved',
      answer: { by: alice, at: 5, reason: 'checked' },
      grants: [{ by: alice, at: 5, reason: 'checked' }],
    });
  });

  it('approvals - a rejection ends the request at once, even with grants already counted', () => {
    const t = start({ required: 2 });
    t.actor.send({ type: 'approval.grant', by: alice, at: 1 });
    t.actor.send({ type: 'approval.reject', by: bob, at: 2, reason: 'wrong payee' });
    expect(t.state()).toBe('rejected');
    expect(t.actor.getSnapshot().output).toMatchObject({
      status: 'rejected',
      answer: { by: bob, reason: 'wrong payee' },
      grants: [{ by: alice }],
    });
  });

  it('approvals - a quorum of 2 needs two distinct approvers; the same approver twice counts once', () => {
    const t = start({ required: 2 });
    t.actor.send({ type: 'approval.grant', by: alice, at: 1 });
    expect(t.state()).toBe('open');
    t.actor.send({ type: 'approval.grant', by: alice, at: 2 });
    expect(t.state()).toBe('open');
    expect(t.actor.getSnapshot().context.grants).toHaveLength(1);
    t.actor.send({ type: 'approval.grant', by: bob, at: 3 });
    expect(t.state()).toBe('approved');
    expect(t.actor.getSnapshot().output?.grants.map((g) => g.by.id)).toEqual(['alice', 'bob']);
  });

  it('approvals - answers from someone off the approver list change nothing; roles on the list admit', () => {
    const t = start({ approvers: ['human:alice', 'role:treasurer'] });
    t.actor.send({ type: 'approval.grant', by: carol, at: 1 });
    t.actor.send({ type: 'approval.reject', by: carol, at: 1, reason: 'no' });
    expect(t.state()).toBe('open');
    t.actor.send({ type: 'approval.grant', by: bob, roles: ['treasurer'], at: 2 });
    expect(t.state()).toBe('approved');
    expect(mayAnswer({ approvers: ['human:alice'] }, alice)).toBe(true);
    expect(mayAnswer({ approvers: ['human:alice'] }, bob, ['treasurer'])).toBe(false);
    expect(mayAnswer({ approvers: [] }, carol)).toBe(true);
  });

  it('approvals - an unanswered request expires after its timeout on the injected clock, not before', () => {
    const t = start({ timeoutMs: 60_000 });
    t.clock.increment(59_999);
    expect(t.state()).toBe('open');
    t.clock.increment(1);
    expect(t.state()).toBe('expired');
    expect(t.actor.getSnapshot().output).toEqual({ status: 'expired', grants: [] });
    t.actor.send({ type: 'approval.grant', by: alice, at: 60_001 });
    expect(t.state()).toBe('expired');
  });

  it('approvals - an explicit expiry (a restored request past its deadline) and a zero timeout both expire', () => {
    const a = start();
    a.actor.send({ type: 'approval.expire', at: 1 });
    expect(a.state()).toBe('expired');
    const b = start({ timeoutMs: -5 });
    b.clock.increment(0);
    expect(b.state()).toBe('expired');
  });

  it('approvals - answers given early (before any timer fires) are kept: a grant at t=0 is approved and the timer no longer matters', () => {
    const t = start({ timeoutMs: 1_000 });
    t.actor.send({ type: 'approval.grant', by: alice, at: 0 });
    t.clock.increment(5_000);
    expect(t.state()).toBe('approved');
  });

  it('approvals - a decided request ignores every later answer', () => {
    const t = start();
    t.actor.send({ type: 'approval.reject', by: alice, at: 1, reason: 'no' });
    t.actor.send({ type: 'approval.grant', by: bob, at: 2 });
    t.actor.send({ type: 'approval.expire', at: 3 });
    expect(t.actor.getSnapshot().output).toMatchObject({ status: 'rejected', answer: { by: alice } });
  });
});
