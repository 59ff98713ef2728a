import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import type { AgentEvent } from '../../machines/index.ts';
import { GateBoard } from '../control/GateBoard.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import { FactBoard } from './FactBoard.ts';
import { Scheduler } from './Scheduler.ts';
import { Triggers } from './Triggers.ts';

function fakeAgent(def: { triggers?: unknown[]; dependsOn?: string[] } = {}) {
  const inbox: AgentEvent[] = [];
  const h = {
    id: 'a1',
    state: 'idle',
    blockedBy: undefined as string | undefined,
    target: { id: 'a1', group: 'g', capabilities: [] },
    def: { triggers: def.triggers ?? [], dependsOn: def.dependsOn ?? [] },
    deliver(e: AgentEvent) {
      inbox.push(e);
      if (e.type === 'agent.trigger') h.state = 'perceive';
    },
  };
  return { h, inbox, host: h as unknown as AgentHost };
}

function setup(options: { killed?: boolean; timeTriggers?: boolean } = {}) {
  const clock = new SimulatedClock();
  const gates = new GateBoard();
  const facts = new FactBoard();
  const alerts: string[] = [];
  const triggers = new Triggers({
    scheduler: new Scheduler(clock),
    facts,
    gates,
    clock,
    killed: () => options.killed === true,
    alert: ({ code }) => void alerts.push(code),
    timeTriggers: options.timeTriggers ?? true,
  });
  return { clock, gates, facts, alerts, triggers };
}

const user = { kind: 'user' as const, name: 'ops', at: 0 };

describe('triggers', () => {
  it('triggers - a trigger starts a cycle of an idle agent, and not of a busy or killed one', () => {
    const t = setup();
    const a = fakeAgent();
    expect(t.triggers.fire(a.host, user)).toBe(true);
    expect(a.inbox).toEqual([{ type: 'agent.trigger', trigger: user }]);
    expect(t.triggers.fire(a.host, user)).toBe(false); // busy now
    const k = setup({ killed: true });
    const b = fakeAgent();
    expect(k.triggers.fire(b.host, user)).toBe(false);
    expect(b.inbox).toEqual([]);
  });

  it('triggers - a closed gate holds the agent and is alerted once per change, not on every trigger', () => {
    const t = setup();
    const a = fakeAgent({ dependsOn: ['fees-ok'] });
    expect(t.triggers.canStart(a.host)).toBe(false);
    expect(t.triggers.fire(a.host, user)).toBe(false);
    expect(t.triggers.fire(a.host, user)).toBe(false);
    expect(t.alerts).toEqual(['MANDATE_GATE_CLOSED']);
    t.gates.set({ name: 'fees-ok', open: true, reason: '', by: { kind: 'system', id: 't' }, at: 0 });
    expect(t.triggers.fire(a.host, user)).toBe(true);
    expect(a.h.blockedBy).toBeUndefined();
  });

  it('triggers - interval triggers fire on the injected clock; fact thresholds fire on crossing', () => {
    const t = setup();
    const a = fakeAgent({ triggers: [{ every: 1_000 }, { event: { fact: 'gas.gwei', above: 50 } }] });
    t.triggers.wire(a.host);
    t.clock.increment(999);
    expect(a.inbox).toEqual([]);
    t.clock.increment(1);
    expect(a.inbox.map((e) => e.type === 'agent.trigger' && e.trigger.kind)).toEqual(['time']);
    a.h.state = 'idle';
    t.facts.publish({ gas: { gwei: 80 } });
    expect(a.inbox.map((e) => e.type === 'agent.trigger' && e.trigger.kind)).toEqual(['time', 'event']);
    t.triggers.unwire('a1');
    a.h.state = 'idle';
    t.clock.increment(5_000);
    expect(a.inbox).toHaveLength(2);
  });

  it('triggers - with time triggers off (what-if runs) interval and cron triggers are not armed', () => {
    const t = setup({ timeTriggers: false });
    const a = fakeAgent({ triggers: [{ every: 1_000 }, { cron: '* * * * *' }] });
    t.triggers.wire(a.host);
    t.clock.increment(120_000);
    expect(a.inbox).toEqual([]);
  });

  it('triggers - a bad cron expression is refused with the agent named', () => {
    const t = setup();
    const a = fakeAgent({ triggers: [{ cron: 'every tuesday' }] });
    expect(() => t.triggers.wire(a.host)).toThrowError(/agent "a1"/);
  });
});
