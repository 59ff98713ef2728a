import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { RulesDecider } from '../../actors/index.ts';
import { servicesOf } from '../../test/support/agentOf.ts';
import { openTestStore, type TestStore } from '../../test/support/db.ts';
import { createRuntime, defineAgent, type MandateRuntime } from '../index.ts';

const T0 = Date.UTC(2026, 11, 2, 12);
const MIN = 60_000;

const rules = RulesDecider.fromObject({
  rules: [
    {
      name: 'note',
      conditions: { all: [{ fact: 'due', operator: 'equal', value: true }] },
      event: { type: 'ledger.annotate', capability: 'ledger.annotate', params: {} },
    },
  ],
});

// Nothing is due: each trigger runs a whole cycle (perceive, decide: no action, learn) and counts it.
const def = defineAgent({
  id: 'keeper',
  capabilities: ['ledger.annotate'],
  triggers: [{ every: '10m' }, { message: 'invoice.due' }],
  passivation: { idleAfter: '2m' },
  perceive: () => ({ due: false }),
  decide: rules,
});

async function until(check: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`not reached in time: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('passivation prefetch', () => {
  let t: TestStore | undefined;
  let rt: MandateRuntime | undefined;
  afterEach(async () => {
    await rt?.shutdown();
    rt = undefined;
    await t?.[Symbol.asyncDispose]();
    t = undefined;
  });

  // The warm tier is off here (warmBytes: 0): these reactivations read the store, ahead or when woken.
  it('passivation prefetch - a time trigger’s snapshot is read prefetchMs ahead; the trigger reactivates the agent from it without another read', async () => {
    const clock = new SimulatedClock();
    clock.set(T0);
    t = await openTestStore('postgresql');
    const store = t.store;
    const reads: string[] = [];
    const load = store.loadSnapshots.bind(store);
    store.loadSnapshots = (id?: string) => {
      reads.push(id ?? '*');
      return load(id);
    };
    rt = await createRuntime({ store, clock, passivation: { prefetchMs: 1_000, warmBytes: 0 } });
    const s = servicesOf(rt);
    await rt.spawn(def);
    reads.length = 0; // the start's restore of every agent
    clock.increment(10 * MIN); // first trigger: never run, nothing to read ahead or back
    await until(() => s.tree.get('keeper')?.state === 'idle' && s.tree.get('keeper')?.cycles === 1, 'first cycle');
    await rt.flush();
    clock.increment(2 * MIN + 1);
    await until(() => s.passivation.size === 1, 'passivated');
    expect(reads).toEqual([]);

    clock.increment(T0 + 20 * MIN - 1_000 - clock.now()); // 1 s before its next trigger
    expect(reads).toEqual(['keeper']);
    expect(s.passivation.prefetched).toBe(1);
    expect(s.tree.get('keeper')).toBeUndefined(); // read ahead, not reactivated
    clock.increment(1_000);
    await until(() => s.tree.get('keeper')?.cycles === 2 && s.tree.get('keeper')?.state === 'idle', 'second cycle');
    expect(reads).toEqual(['keeper']); // the reactivation used the read ahead
    expect(s.passivation.prefetched).toBe(0);
    expect(s.tree.get('keeper')!.context.cycle).toBe(2); // restored from the snapshot, not started fresh
    expect(rt.listAlerts().filter((a) => a.code === 'MANDATE_ERR_SNAPSHOT_INCOMPATIBLE')).toEqual([]);

    // Passivated again: a read ahead that no trigger takes is dropped after its keep time; forget drops one too.
    await rt.flush();
    clock.increment(2 * MIN + 1);
    await until(() => s.passivation.size === 1, 'passivated again');
    s.passivation.prefetch('keeper');
    expect(s.passivation.prefetched).toBe(1);
    clock.increment(6_001); // prefetchMs + 5 s
    expect(s.passivation.prefetched).toBe(0);
    expect(s.tree.get('keeper')).toBeUndefined();
    s.passivation.prefetch('keeper');
    expect(s.passivation.forget('keeper')).toBe(true);
    expect(s.passivation.prefetched).toBe(0);
  });

  it('passivation prefetch - a wake while the read ahead is in flight reactivates from it, and each later passivation is read afresh at its own step', async () => {
    const clock = new SimulatedClock();
    clock.set(T0);
    t = await openTestStore('postgresql');
    rt = await createRuntime({ store: t.store, clock, passivation: { prefetchMs: 1_000, warmBytes: 0 } });
    const s = servicesOf(rt);
    await rt.spawn(def);
    for (let cycle = 1; cycle <= 2; cycle++) {
      // Read ahead, then woken by a message before the time trigger: it takes the read ahead at once.
      await rt.trigger('keeper', { kind: 'human', id: 'ops' });
      await until(
        () => s.tree.get('keeper')?.cycles === cycle && s.tree.get('keeper')?.state === 'idle',
        `cycle ${cycle}`,
      );
      await rt.flush();
      const seq = s.tree.get('keeper')!.snapshotSeq;
      clock.increment(2 * MIN + 1);
      await until(() => s.passivation.size === 1, `passivated ${cycle}`);
      s.passivation.prefetch('keeper');
      const woken = await s.passivation.wake('keeper')!;
      // The snapshot this passivation committed, whether or not an earlier read ahead existed.
      expect(woken.context.cycle).toBe(cycle);
      expect(woken.snapshotSeq).toBeGreaterThanOrEqual(seq);
    }
  });

  it('passivation prefetch - a bad prefetchMs is refused with MANDATE_ERR_PASSIVATION_CONFIG', async () => {
    await expect((async () => createRuntime({ passivation: { prefetchMs: -5 } }))()).rejects.toMatchObject({
      code: 'MANDATE_ERR_PASSIVATION_CONFIG',
    });
  });
});
