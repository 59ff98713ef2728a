import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import type { AgentEvent } from './agentEvents.ts';
import { agentMachine, phaseStep, type AgentInput } from './agentMachine.ts';
import type { Decision, Principal, Verdict } from './types.ts';

const limits = {
  maxAttempts: 3,
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  phaseTimeoutMs: 5_000,
  approvalTimeoutMs: 60_000,
};
const input: AgentInput = { agentId: 'a1', kind: 'permanent', limits, seed: 7, incarnation: 'i1' };
const human: Principal = { kind: 'human', id: 'ops' };

function start() {
  const clock = new SimulatedClock();
  const phases: string[] = [];
  const machine = agentMachine.provide({ actions: { startPhase: (_args, params) => void phases.push(params.phase) } });
  const actor = createActor(machine, { input, clock }).start();
  const state = () => actor.getSnapshot().value as string;
  const step = () => phaseStep(actor.getSnapshot().context);
  return { actor, clock, phases, state, step };
}

const action = { type: 'payment.send', capability: 'payments.send', params: {} };
const decision = (id = 'd1', withAction = true): Decision => ({
  id,
  action: withAction ? action : null,
  confidence: 1,
  rationale: 'r',
  rulesFired: ['x'],
  model: null,
});
const approved = (decisionId = 'd1'): Verdict => ({
  status: 'approved',
  by: 'governance',
  reason: 'ok',
  grant: { approvalId: 'ap1', decisionId, mode: 'auto', by: { kind: 'system', id: 'gov' }, at: 0 },
});
const trigger: AgentEvent = { type: 'agent.trigger', trigger: { kind: 'user', name: 'manual', at: 0 } };

function toPropose(t: ReturnType<typeof start>) {
  t.actor.send(trigger);
  t.actor.send({ type: 'agent.perceive.done', step: t.step(), facts: { x: 1 } });
  t.actor.send({ type: 'agent.decide.done', step: t.step(), decision: decision() });
}

describe('agent machine', () => {
  it('agent machine - a full cycle runs idle → perceive → decide → propose → act → learn → idle', () => {
    const t = start();
    toPropose(t);
    expect(t.state()).toBe('propose');
    t.actor.send({ type: 'agent.propose.done', step: t.step(), verdict: approved() });
    expect(t.state()).toBe('act');
    t.actor.send({ type: 'agent.act.done', step: t.step(), outcome: { status: 'succeeded' } });
    expect(t.state()).toBe('learn');
    t.actor.send({ type: 'agent.learn.done', step: t.step() });
    expect(t.state()).toBe('idle');
    expect(t.phases).toEqual(['perceive', 'decide', 'propose', 'act', 'learn']);
    expect(t.actor.getSnapshot().context.cycle).toBe(1);
  });

  it('agent machine - no action skips propose and act', () => {
    const t = start();
    t.actor.send(trigger);
    t.actor.send({ type: 'agent.perceive.done', step: t.step(), facts: {} });
    t.actor.send({ type: 'agent.decide.done', step: t.step(), decision: decision('d1', false) });
    expect(t.state()).toBe('learn');
    expect(t.actor.getSnapshot().context.outcome).toEqual({ status: 'no-action' });
  });

  it('agent machine - a denied proposal goes to learn, never act', () => {
    const t = start();
    toPropose(t);
    t.actor.send({
      type: 'agent.propose.done',
      step: t.step(),
      verdict: { status: 'denied', by: 'sandbox', reason: 'no capability' },
    });
    expect(t.state()).toBe('learn');
    expect(t.actor.getSnapshot().context.outcome?.status).toBe('denied');
    expect(t.phases).not.toContain('act');
  });

  it('agent machine - "approved" without a grant for this decision is treated as denied', () => {
    const t = start();
    toPropose(t);
    t.actor.send({ type: 'agent.propose.done', step: t.step(), verdict: approved('other-decision') });
    expect(t.state()).toBe('learn');
    t.actor.send({
      type: 'agent.propose.done',
      step: t.step(),
      verdict: { status: 'approved', by: 'governance', reason: 'ok' },
    });
    expect(t.phases).not.toContain('act');
  });

  it('agent machine - pending approval waits, then granted goes to act', () => {
    const t = start();
    toPropose(t);
    t.actor.send({
      type: 'agent.propose.done',
      step: t.step(),
      verdict: { status: 'pending', by: 'governance', reason: 'large', approvalId: 'ap9' },
    });
    expect(t.state()).toBe('awaitingApproval');
    t.actor.send({ type: 'governance.approval.granted', approvalId: 'wrong', by: human, at: 1 });
    expect(t.state()).toBe('awaitingApproval');
    t.actor.send({ type: 'governance.approval.granted', approvalId: 'ap9', by: human, at: 1 });
    expect(t.state()).toBe('act');
    expect(t.actor.getSnapshot().context.grant).toMatchObject({ approvalId: 'ap9', decisionId: 'd1', mode: 'manual' });
  });

  it('agent machine - rejected and expired approvals go to learn', () => {
    const t = start();
    toPropose(t);
    t.actor.send({
      type: 'agent.propose.done',
      step: t.step(),
      verdict: { status: 'pending', by: 'governance', reason: 'large', approvalId: 'ap9' },
    });
    t.actor.send({ type: 'governance.approval.rejected', approvalId: 'ap9', by: human, reason: 'no', at: 1 });
    expect(t.actor.getSnapshot().context.outcome?.status).toBe('rejected');

    const u = start();
    toPropose(u);
    u.actor.send({
      type: 'agent.propose.done',
      step: u.step(),
      verdict: { status: 'pending', by: 'governance', reason: 'large', approvalId: 'ap9' },
    });
    u.clock.increment(limits.approvalTimeoutMs - 1);
    expect(u.state()).toBe('awaitingApproval');
    u.clock.increment(1);
    expect(u.state()).toBe('learn');
    expect(u.actor.getSnapshot().context.outcome?.status).toBe('expired');
    expect(u.phases).not.toContain('act');
  });

  it('agent machine - kill during approval goes to killed and never acts; release returns to idle', () => {
    const t = start();
    toPropose(t);
    t.actor.send({
      type: 'agent.propose.done',
      step: t.step(),
      verdict: { status: 'pending', by: 'governance', reason: 'large', approvalId: 'ap9' },
    });
    t.actor.send({ type: 'agent.kill' });
    expect(t.state()).toBe('killed');
    t.actor.send({ type: 'governance.approval.granted', approvalId: 'ap9', by: human, at: 1 });
    t.actor.send({ type: 'agent.resume' });
    t.actor.send(trigger);
    expect(t.state()).toBe('killed');
    t.actor.send({ type: 'agent.release' });
    expect(t.state()).toBe('idle');
    expect(t.phases).not.toContain('act');
  });

  it('agent machine - pause during act finishes the cycle, then pauses', () => {
    const t = start();
    toPropose(t);
    t.actor.send({ type: 'agent.propose.done', step: t.step(), verdict: approved() });
    t.actor.send({ type: 'agent.pause' });
    expect(t.state()).toBe('act');
    t.actor.send({ type: 'agent.act.done', step: t.step(), outcome: { status: 'succeeded' } });
    t.actor.send({ type: 'agent.learn.done', step: t.step() });
    expect(t.state()).toBe('paused');
    t.actor.send(trigger);
    expect(t.state()).toBe('paused');
    t.actor.send({ type: 'agent.resume' });
    expect(t.state()).toBe('idle');
  });

  it('agent machine - pause in perceive abandons the cycle and ignores the late result', () => {
    const t = start();
    t.actor.send(trigger);
    const stale = t.step();
    t.actor.send({ type: 'agent.pause' });
    expect(t.state()).toBe('paused');
    t.actor.send({ type: 'agent.resume' });
    t.actor.send(trigger);
    t.actor.send({ type: 'agent.perceive.done', step: stale, facts: {} });
    expect(t.state()).toBe('perceive');
  });

  it('agent machine - failures retry with growing, jittered backoff and then fail', () => {
    const t = start();
    t.actor.send(trigger);
    const delays: number[] = [];
    for (let i = 0; i < limits.maxAttempts - 1; i++) {
      t.actor.send({ type: 'agent.perceive.failed', step: t.step(), error: { code: 'E', message: 'down' } });
      expect(t.state()).toBe('retrying');
      const d = t.actor.getSnapshot().context.retryDelayMs;
      delays.push(d);
      t.clock.increment(d - 1);
      expect(t.state()).toBe('retrying');
      t.clock.increment(1);
      expect(t.state()).toBe('perceive');
    }
    expect(delays[0]).toBeGreaterThanOrEqual(limits.baseDelayMs / 2);
    expect(delays[0]).toBeLessThanOrEqual(limits.baseDelayMs);
    expect(delays[1]).toBeGreaterThanOrEqual(limits.baseDelayMs);
    t.actor.send({ type: 'agent.perceive.failed', step: t.step(), error: { code: 'E', message: 'down' } });
    expect(t.state()).toBe('failed');
    expect(t.actor.getSnapshot().output).toEqual({
      exit: 'abnormal',
      kind: 'permanent',
      error: { code: 'E', message: 'down' },
    });
  });

  it('agent machine - agent.retry skips the wait; a phase timeout counts as a failure', () => {
    const t = start();
    t.actor.send(trigger);
    const step = t.step();
    t.actor.send({ type: 'agent.phase.timeout', step: step + 1 }); // not the running phase: ignored
    expect(t.state()).toBe('perceive');
    t.actor.send({ type: 'agent.phase.timeout', step });
    expect(t.state()).toBe('retrying');
    t.actor.send({ type: 'agent.phase.timeout', step }); // a second, late timeout of the same attempt: ignored
    expect(t.state()).toBe('retrying');
    expect(t.actor.getSnapshot().context.lastError?.code).toBe('MANDATE_ERR_PHASE_TIMEOUT');
    t.actor.send({ type: 'agent.retry' });
    expect(t.state()).toBe('perceive');
  });

  it('agent machine - a failed act retries act (idempotent key) and exhausts into learn, not a crash', () => {
    const t = start();
    toPropose(t);
    t.actor.send({ type: 'agent.propose.done', step: t.step(), verdict: approved() });
    t.actor.send({
      type: 'agent.act.failed',
      step: t.step(),
      error: { code: 'RPC', message: 'timeout' },
      retryable: true,
    });
    expect(t.state()).toBe('retrying');
    t.actor.send({ type: 'agent.retry' });
    expect(t.state()).toBe('act');
    t.actor.send({
      type: 'agent.act.failed',
      step: t.step(),
      error: { code: 'REVERT', message: 'revert' },
      retryable: false,
    });
    expect(t.state()).toBe('learn');
    expect(t.actor.getSnapshot().context.outcome).toMatchObject({ status: 'failed', error: { code: 'REVERT' } });
  });

  it('agent machine - stop ends normally from any state', () => {
    const t = start();
    toPropose(t);
    t.actor.send({ type: 'agent.stop', reason: 'operator' });
    expect(t.state()).toBe('stopped');
    expect(t.actor.getSnapshot().status).toBe('done');
    expect(t.actor.getSnapshot().output).toEqual({ exit: 'normal', kind: 'permanent', reason: 'operator' });
  });

  it('agent machine - learn failure is recorded and the agent goes idle', () => {
    const t = start();
    t.actor.send(trigger);
    t.actor.send({ type: 'agent.perceive.done', step: t.step(), facts: {} });
    t.actor.send({ type: 'agent.decide.done', step: t.step(), decision: decision('d1', false) });
    t.actor.send({ type: 'agent.learn.failed', step: t.step(), error: { code: 'L', message: 'x' } });
    expect(t.state()).toBe('idle');
    expect(t.actor.getSnapshot().context.lastError?.code).toBe('L');
  });

  it('agent machine - property: no act without an approval record for the current decision', () => {
    const principal = fc.constant(human);
    const event: fc.Arbitrary<(step: number) => AgentEvent> = fc.oneof(
      fc.constant(() => trigger),
      fc.constant((step: number): AgentEvent => ({ type: 'agent.perceive.done', step, facts: {} })),
      fc
        .boolean()
        .map((a) => (step: number): AgentEvent => ({ type: 'agent.decide.done', step, decision: decision('d1', a) })),
      fc
        .constantFrom<Verdict>(
          approved(),
          approved('stale'),
          { status: 'approved', by: 'governance', reason: 'no grant' },
          { status: 'denied', by: 'reputation', reason: 'low trust' },
          { status: 'pending', by: 'governance', reason: 'big', approvalId: 'ap1' },
        )
        .map((verdict) => (step: number): AgentEvent => ({ type: 'agent.propose.done', step, verdict })),
      fc
        .tuple(fc.constantFrom('ap1', 'ap2'), principal)
        .map(([approvalId, by]) => (): AgentEvent => ({ type: 'governance.approval.granted', approvalId, by, at: 0 })),
      fc.constant((step: number): AgentEvent => ({
        type: 'agent.act.failed',
        step,
        error: { code: 'X', message: 'x' },
        retryable: true,
      })),
      fc.constant((step: number): AgentEvent => ({ type: 'agent.act.done', step, outcome: { status: 'succeeded' } })),
      fc.constant((step: number): AgentEvent => ({ type: 'agent.learn.done', step })),
      fc.constant((step: number): AgentEvent => ({ type: 'agent.phase.timeout', step })),
      fc
        .constantFrom<AgentEvent>(
          { type: 'agent.pause' },
          { type: 'agent.resume' },
          { type: 'agent.kill' },
          { type: 'agent.release' },
          { type: 'agent.retry' },
        )
        .map((e) => () => e),
      fc.integer({ min: 1, max: 70_000 }).map((ms) => () => ({ type: 'tick', ms }) as unknown as AgentEvent),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), fc.boolean(), (events, staleSteps) => {
        const t = start();
        for (const make of events) {
          const e = make(staleSteps ? t.step() - 1 : t.step());
          if ((e as { type: string }).type === 'tick') t.clock.increment((e as unknown as { ms: number }).ms);
          else t.actor.send(e);
          if (t.state() === 'act') {
            const { grant, decision: d } = t.actor.getSnapshot().context;
            expect(grant).not.toBeNull();
            expect(grant?.decisionId).toBe(d?.id);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
