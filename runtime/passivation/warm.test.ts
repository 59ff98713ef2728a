import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { RulesDecider } from '../../actors/index.ts';
import { servicesOf } from '../../test/support/agentOf.ts';
import { openTestStore, type TestStore } from '../../test/support/db.ts';
import type { RuntimePassivationOptions } from '../RuntimeOptions.ts';
import { createRuntime, defineAgent, type MandateRuntime } from '../index.ts';

const T0 = Date.UTC(2026, 11, 3, 12);
const MIN = 60_000;
const ops = { kind: 'human' as const, id: 'ops' };

const rules = RulesDecider.fromObject({
  rules: [
    {
      name: 'note',
      conditions: { all: [{ fact: 'due', operator: 'equal', value: true }] },
      event: { type: 'ledger.annotate', capability: 'ledger.annotate', params: {} },
    },
  ],
});

// Message and user triggers only: nothing reads a snapshot ahead, every wake is the warm tier's or the store's.
const keeper = (id: string) =>
  defineAgent({
    id,
    capabilities: ['ledger.annotate'],
    triggers: [{ message: 'invoice.due' }],
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

describe('passivation warm tier', () => {
  let t: TestStore | undefined;
  let rt: MandateRuntime | undefined;
  afterEach(async () => {
    await rt?.shutdown();
    rt = undefined;
    await t?.[Symbol.asyncDispose]();
    t = undefined;
  });

  /** A runtime on a fresh database whose store counts snapshot reads and can hold snapshot writes back. */
  async function start(passivation: RuntimePassivationOptions = {}) {
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
    const save = store.saveSnapshot.bind(store);
    const writes = { held: undefined as Promise<void> | undefined };
    store.saveSnapshot = async (row) => {
      await writes.held;
      return save(row);
    };
    rt = await createRuntime({ store, clock, passivation });
    const s = servicesOf(rt);
    const runtime = rt;
    /** Triggers the agent (waking it if passivated), waits for its cycle, then idles it into passivation. */
    const cycle = async (id: string, n: number) => {
      await runtime.trigger(id, ops);
      await until(() => s.tree.get(id)?.cycles === n && s.tree.get(id)?.state === 'idle', `${id} cycle ${n}`);
      await runtime.flush();
      clock.increment(2 * MIN + 1);
      await until(() => s.tree.get(id) === undefined, `${id} passivated after cycle ${n}`);
    };
    return { rt, s, clock, store, reads, load, writes, cycle };
  }

  it('passivation warm - a recently passivated agent wakes from the warm tier without a database read, at the stored step', async () => {
    const { rt, s, reads, load, cycle } = await start();
    await rt.spawn(keeper('k'));
    reads.length = 0; // the start's restore
    await cycle('k', 1);
    expect(s.passivation.warm.size).toBe(1);
    expect(s.passivation.warm.bytes).toBeGreaterThan(0);
    const stored = (await load('k'))[0]!;

    const woken = await s.passivation.wake('k')!;
    expect(reads).toEqual([]); // no database read
    expect(s.passivation.warm.size).toBe(0); // taken: the active agent writes newer snapshots
    expect(woken.snapshotSeq).toBe(stored.seq);
    expect(woken.context.cycle).toBe(1); // restored from the snapshot, not started fresh
    expect(rt.listAlerts().filter((a) => a.code === 'MANDATE_ERR_SNAPSHOT_INCOMPATIBLE')).toEqual([]);

    // A newer snapshot replaces the warm copy: the next passivation keeps its own step, and the wake has it.
    await cycle('k', 2);
    const newer = (await load('k'))[0]!;
    expect(newer.seq).toBeGreaterThan(stored.seq);
    await rt.trigger('k', ops);
    await until(() => s.tree.get('k')?.cycles === 3 && s.tree.get('k')?.state === 'idle', 'cycle 3');
    expect(s.tree.get('k')!.context.cycle).toBe(3);
    expect(reads).toEqual([]);
  });

  it('passivation warm - off (warmBytes 0), the wake reads the store', async () => {
    const { rt, s, reads, cycle } = await start({ warmBytes: 0 });
    await rt.spawn(keeper('k'));
    reads.length = 0;
    await cycle('k', 1);
    expect(s.passivation.warm.size).toBe(0);
    expect((await s.passivation.wake('k')!).context.cycle).toBe(1);
    expect(reads).toEqual(['k']);
  });

  it('passivation warm - the budget evicts the least recently passivated: its wake reads the store, the kept one does not', async () => {
    // A budget for one agent's snapshot (each is ≈ 1.2 KB with its overhead): the second passivated evicts the first.
    const { rt, s, reads, cycle } = await start({ warmBytes: 2_000 });
    await rt.spawn(keeper('a'));
    await rt.spawn(keeper('b'));
    reads.length = 0;
    await cycle('a', 1);
    expect(s.passivation.warm.size).toBe(1);
    await cycle('b', 1);
    expect([s.passivation.warm.size, s.passivation.warm.evicted]).toEqual([1, 1]);
    expect(s.passivation.warm.bytes).toBeLessThanOrEqual(2_000);
    expect((await s.passivation.wake('a')!).context.cycle).toBe(1);
    expect(reads).toEqual(['a']);
    expect((await s.passivation.wake('b')!).context.cycle).toBe(1);
    expect(reads).toEqual(['a']); // b was warm
  });

  it('passivation warm - the warm copy is put only once the store committed the snapshot; a refused write leaves none', async () => {
    const { rt, s, clock, store, writes, cycle } = await start();
    await rt.spawn(keeper('k'));
    await cycle('k', 1);
    await s.passivation.wake('k');
    await until(() => s.tree.get('k')?.state === 'idle', 'woken idle');
    await rt.flush();
    let release = (): void => {};
    writes.held = new Promise<void>((r) => (release = r));
    clock.increment(2 * MIN + 1); // passivation starts: its snapshot write is held back
    await new Promise((r) => setTimeout(r, 50));
    expect(s.passivation.warm.size).toBe(0); // not before the durable write
    release();
    writes.held = undefined;
    await until(() => s.passivation.warm.size === 1, 'warm after the write committed');

    // Another node took the agent: the store refuses this node's token, the agent is not passivated or kept warm.
    await s.passivation.wake('k');
    await until(() => s.tree.get('k')?.state === 'idle', 'woken again');
    await rt.flush();
    await store.raiseFence({ agentId: 'k', token: 7, nodeId: 'other-node' });
    clock.increment(2 * MIN + 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(s.tree.get('k')).toBeDefined();
    expect(s.passivation.warm.size).toBe(0);
    // Refused as stale (placement stops it), not as a failed write (that one is alerted and retried).
    expect(rt.listAlerts().filter((a) => a.message.includes('stays active'))).toEqual([]);
  });

  it('passivation warm - losing the agent to another node (placement forgets it) drops its warm copy', async () => {
    const { rt, s, cycle } = await start();
    await rt.spawn(keeper('k'));
    await cycle('k', 1);
    expect(s.passivation.warm.has('k', [...s.passivation.passivated()][0]!)).toBe(true);
    expect(s.passivation.forget('k')).toBe(true); // what PlacedAgents.deactivate does on a lost lease or handover
    expect([s.passivation.warm.size, s.passivation.warm.bytes]).toEqual([0, 0]);
    expect(s.passivation.wake('k')).toBeUndefined();
  });

  it('passivation warm - a bad warmBytes is refused with MANDATE_ERR_PASSIVATION_CONFIG naming it', async () => {
    for (const warmBytes of [-1, 1.5, 2 ** 31, Number.NaN, '8MiB' as unknown as number])
      await expect((async () => createRuntime({ passivation: { warmBytes } }))()).rejects.toMatchObject({
        code: 'MANDATE_ERR_PASSIVATION_CONFIG',
        message: expect.stringContaining('passivation.warmBytes'),
      });
  });
});
