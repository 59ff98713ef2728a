import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import type { AgentContext, AgentEvent } from '../../machines/index.ts';
import { FactBoard } from '../scheduler/FactBoard.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import { PhaseWatchdog } from '../host/PhaseWatchdog.ts';
import type { PhaseEnv } from './PhaseEnv.ts';
import { PhaseRunner } from './PhaseRunner.ts';

const limits = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10, phaseTimeoutMs: 1_000, approvalTimeoutMs: 1_000 };

function setup(def: Record<string, unknown>) {
  const clock = new SimulatedClock();
  const inbox: AgentEvent[] = [];
  const alerts: string[] = [];
  const actor = {};
  const h = {
    id: 'a1',
    actor,
    def: { group: 'g', ...def },
    target: { id: 'a1', group: 'g', capabilities: [] },
    phaseStep: 0,
    phaseDeadline: undefined as number | undefined,
    deliver: (e: AgentEvent) => void inbox.push(e),
    phaseTimedOut: () => {},
  };
  const env: PhaseEnv = {
    clock,
    facts: new FactBoard(),
    overrideFacts: (f) => f,
    decisions: { record: async () => {}, flag: async () => {} } as never,
    pipeline: {} as never,
    intents: {} as never,
    killed: () => false,
    modeFor: () => 'dry-run',
    alert: ({ code }) => void alerts.push(code),
  };
  const runner = new PhaseRunner(env, new PhaseWatchdog(clock));
  const ctx = {
    agentId: 'a1',
    cycle: 2,
    attempts: 1,
    limits,
    incarnation: 'i',
    trigger: null,
    facts: {},
    decision: null,
    grant: null,
  } as unknown as AgentContext;
  return { runner, h, host: h as unknown as AgentHost, inbox, alerts, ctx, clock };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('phase runner', () => {
  it('phases - a phase result is reported as its done event with the step it answers, after the starting transition', async () => {
    const t = setup({ perceive: async () => ({ gas: 30 }) });
    t.runner.start(t.host, 'perceive', t.ctx);
    expect(t.inbox).toEqual([]); // never inside the transition that started the phase
    expect(t.h.phaseDeadline).toBe(1_000);
    await settle();
    expect(t.inbox).toEqual([{ type: 'agent.perceive.done', step: 2 * 2 ** 20 + 1, facts: { gas: 30 } }]);
  });

  it('phases - a throwing phase becomes its failed event with a coded error and an alert', async () => {
    const t = setup({ decide: { decide: async () => Promise.reject(new Error('model down')) } });
    t.runner.start(t.host, 'decide', t.ctx);
    await settle();
    expect(t.inbox).toEqual([
      {
        type: 'agent.decide.failed',
        step: 2 * 2 ** 20 + 1,
        error: { code: 'MANDATE_ERR_DECIDE_FAILED', message: 'model down' },
      },
    ]);
    expect(t.alerts).toEqual(['MANDATE_ERR_DECIDE_FAILED']);
  });

  it('phases - an act refused with a 4xx-class code is not retryable; it never reaches an actuator without a grant', async () => {
    let executed = 0;
    const t = setup({
      act: { name: 'x', effect: 'external', execute: async () => (executed++, { status: 'succeeded' }) },
    });
    t.runner.start(t.host, 'act', {
      ...t.ctx,
      decision: { id: 'd', action: { type: 'x', capability: 'x', params: {} } },
    } as AgentContext);
    await settle();
    expect(t.inbox).toMatchObject([
      { type: 'agent.act.failed', retryable: false, error: { code: 'MANDATE_ERR_STATE_CONFLICT' } },
    ]);
    expect(executed).toBe(0);
  });

  it('phases - a result for an actor that was replaced meanwhile (restart) is dropped', async () => {
    const t = setup({ perceive: async () => ({}) });
    t.runner.start(t.host, 'perceive', t.ctx);
    t.h.actor = {}; // the supervisor restarted the agent: a new actor
    await settle();
    expect(t.inbox).toEqual([]);
  });
});
