import { describe, expect, it } from 'vitest';
import type { AgentHost } from '../host/AgentHost.ts';
import type { AuditInput } from '../persistence/RuntimeStore.ts';
import { Tasks } from './Tasks.ts';

function fakeAgent(id: string, capabilities: string[], state = 'idle') {
  const h = {
    id,
    state,
    def: { capabilities },
    context: {
      cycle: 0,
      decision: { id: `${id}:1` },
      verdict: { status: 'approved', by: 'governance', reason: 'ok' },
      outcome: { status: 'succeeded' },
    },
  };
  return { h, host: h as unknown as AgentHost };
}

function setup(agents: AgentHost[], canStart: (h: AgentHost) => boolean = (h) => h.state === 'idle') {
  const fired: string[] = [];
  const audited: AuditInput[] = [];
  const tasks = new Tasks({
    clock: { now: () => 1 },
    agents: () => agents,
    triggers: { canStart, canWake: () => true, fire: (h) => (fired.push(h.id), true) },
    audit: async (e) => void audited.push(e),
  });
  return { tasks, fired, audited };
}

const ops = { kind: 'human' as const, id: 'ops' };

describe('tasks', () => {
  it('tasks - a task runs on an idle holder of the capability and resolves when that cycle is over', async () => {
    const busy = fakeAgent('a', ['x.y'], 'act');
    const free = fakeAgent('b', ['x.y']);
    const t = setup([busy.host, free.host]);
    const done = t.tasks.submit({ capability: 'x.y', input: { n: 1 }, by: ops });
    await new Promise((r) => setImmediate(r));
    expect(t.fired).toEqual(['b']);
    expect(t.audited.map((e) => [e.action, e.subject])).toEqual([['task.submitted', 'b']]);
    free.h.context.cycle = 1;
    t.tasks.onTransition(free.host, 'learn'); // not over yet
    t.tasks.onTransition(free.host, 'idle');
    expect(await done).toEqual({
      decisionId: 'b:1',
      agentId: 'b',
      verdict: { status: 'approved', by: 'governance', reason: 'ok' },
      outcome: { status: 'succeeded' },
    });
  });

  it('tasks - no holder is 404; holders that cannot start are 409; bad input is refused', async () => {
    const busy = fakeAgent('a', ['x.y'], 'act');
    const t = setup([busy.host]);
    await expect(t.tasks.submit({ capability: 'teleport', input: {}, by: ops })).rejects.toMatchObject({
      code: 'MANDATE_ERR_NOT_FOUND',
      status: 404,
    });
    await expect(t.tasks.submit({ capability: 'x.y', input: {}, by: ops })).rejects.toMatchObject({
      code: 'MANDATE_ERR_STATE_CONFLICT',
      status: 409,
    });
    await expect(t.tasks.submit({ capability: 'x.y', input: [] as never, by: ops })).rejects.toMatchObject({
      code: 'MANDATE_ERR_EVENT_INVALID',
    });
    expect(t.fired).toEqual([]);
  });

  it('tasks - a waiter for a later cycle keeps waiting while an earlier cycle ends', async () => {
    const a = fakeAgent('a', ['x.y']);
    const t = setup([a.host]);
    let resolved = 0;
    void t.tasks.waitForCycle(a.host, 2).then(() => resolved++);
    a.h.context.cycle = 1;
    t.tasks.onTransition(a.host, 'idle');
    await new Promise((r) => setImmediate(r));
    expect(resolved).toBe(0);
    a.h.context.cycle = 2;
    t.tasks.onTransition(a.host, 'killed');
    await new Promise((r) => setImmediate(r));
    expect(resolved).toBe(1);
  });
});
