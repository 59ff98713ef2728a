import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { RulesDecider } from '../../actors/index.ts';
import { agentOf, servicesOf } from '../../test/support/agentOf.ts';
import { createRuntime, defineAgent, type MandateRuntime } from '../index.ts';

async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

const noRules = RulesDecider.fromObject({
  rules: [
    { name: 'never', conditions: { all: [{ fact: 'x', operator: 'equal', value: 1 }] }, event: { type: 'none' } },
  ],
});

async function agent(
  runtime: MandateRuntime,
  {
    id,
    crash,
    restart = 'permanent',
  }: { id: string; crash: { on: boolean }; restart?: 'permanent' | 'transient' | 'temporary' },
) {
  await runtime.spawn(
    defineAgent({
      id,
      group: 'g',
      restart,
      capabilities: ['x.y'],
      limits: { maxAttempts: 1 },
      perceive: () => {
        if (crash.on) throw new Error(`${id} crashed`);
        return {};
      },
      decide: noRules,
    }),
  );
  return agentOf(runtime, id);
}

async function crashOnce(runtime: MandateRuntime, id: string, crash: { on: boolean }) {
  crash.on = true;
  await runtime.trigger(id, { kind: 'system', id: 'test' });
  await settle();
  crash.on = false;
}

describe('supervision', () => {
  for (const [strategy, expected] of [
    ['one_for_one', [0, 1, 0]],
    ['one_for_all', [1, 1, 1]],
    ['rest_for_one', [0, 1, 1]],
  ] as const) {
    it(`supervision - ${strategy} restarts ${expected.join('/')} of three children when the middle one fails`, async () => {
      const runtime = await createRuntime({ clock: new SimulatedClock(), groups: { g: { strategy } } });
      const flags = [{ on: false }, { on: false }, { on: false }];
      const hosts = [
        await agent(runtime, { id: 'a', crash: flags[0]! }),
        await agent(runtime, { id: 'b', crash: flags[1]! }),
        await agent(runtime, { id: 'c', crash: flags[2]! }),
      ];
      await runtime.trigger('a', { kind: 'system', id: 't' }); // a is mid-cycle history; restarts give fresh actors
      await settle();
      const before = hosts.map((h) => h.context.incarnation);
      await crashOnce(runtime, 'b', flags[1]!);
      expect(hosts.map((h) => h.restarts)).toEqual(expected);
      expect(hosts.map((h, i) => h.context.incarnation !== before[i])).toEqual(expected.map((n) => n > 0));
      expect(hosts.every((h) => h.state === 'idle')).toBe(true);
    });
  }

  it('supervision - transient children restart only after an abnormal exit; temporary never', async () => {
    const runtime = await createRuntime({ clock: new SimulatedClock() });
    const tFlag = { on: false };
    const pFlag = { on: false };
    const transient = await agent(runtime, { id: 'tr', crash: tFlag, restart: 'transient' });
    const temporary = await agent(runtime, { id: 'tm', crash: pFlag, restart: 'temporary' });
    await crashOnce(runtime, 'tr', tFlag);
    expect(transient.restarts).toBe(1);
    expect(transient.state).toBe('idle');
    transient.deliver({ type: 'agent.stop', reason: 'done' }); // normal exit of a transient child
    await settle();
    expect(transient.state).toBe('stopped');
    expect(transient.restarts).toBe(1);
    await crashOnce(runtime, 'tm', pFlag);
    expect(temporary.state).toBe('failed');
    expect(temporary.restarts).toBe(0);
  });

  it('supervision - a root escalation stops every agent and raises a critical alert', async () => {
    const clock = new SimulatedClock();
    const runtime = await createRuntime({ clock, groups: { g: { maxRestarts: 0 } } });
    const alerts: string[] = [];
    runtime.subscribe((e) => e.type === 'alert' && e.severity === 'critical' && alerts.push(e.message));
    const flag = { on: false };
    const host = await agent(runtime, { id: 'a', crash: flag });
    const tree = servicesOf(runtime).tree;
    // Sandbox gives up at once (0 restarts allowed); reputation restarts it, up to its own intensity (3 / 60 s) …
    for (let i = 0; i < 4; i++) await crashOnce(runtime, 'a', flag);
    expect(alerts.some((m) => m.startsWith('reputation exceeded its restart intensity'))).toBe(true);
    expect(tree.reputation.restarts).toBe(1);
    // … then governance restarts reputation; once governance itself is past its intensity, everything stops.
    for (let i = 0; i < 20 && tree.governance.lastState !== 'escalated'; i++) await crashOnce(runtime, 'a', flag);
    expect(tree.governance.lastState).toBe('escalated');
    expect(alerts.some((m) => m.includes('root supervisor governance gave up'))).toBe(true);
    expect(host.actor.getSnapshot().status).not.toBe('active');
  });
});
