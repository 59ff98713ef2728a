import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../runtime/persistence/index.ts';
import { openTestStore, STORE_DRIVERS, type TestStore } from '../support/db.ts';

const T0 = Date.UTC(2026, 11, 2);
const snap = (step: number) => ({ status: 'active', value: 'idle', context: { step }, children: {} });
const row = (agentId: string, seq: number) => ({
  agentId,
  supervisorId: 'gov',
  snapshot: snap(seq),
  state: 'idle',
  seq,
  at: T0 + seq,
});

describe.each(STORE_DRIVERS)('snapshot reads (%s)', (driver) => {
  let t: TestStore;
  // Opening the embedded database (PGlite) can take long on a loaded machine: the hook's budget, not the test's.
  beforeAll(async () => {
    t = await openTestStore(driver);
  });
  afterAll(() => t[Symbol.asyncDispose]());

  it('snapshot reads - one agent’s load sees every snapshot whose save resolved before it, loads in flight or not', async () => {
    const { store } = t;
    await store.saveSnapshot(row('x', 1));
    const inFlight = store.loadSnapshots('x'); // sent before seq 2 commits: may see either
    const others = ['y', 'z'].map((id) => store.loadSnapshots(id));
    await store.saveSnapshot(row('x', 2));
    const after = store.loadSnapshots('x'); // asked for after seq 2 was acknowledged: must see it
    expect([1, 2]).toContain((await inFlight)[0]?.seq);
    expect(await after).toMatchObject([{ agentId: 'x', seq: 2, snapshot: snap(2) }]);
    expect(await Promise.all(others)).toEqual([[], []]);
    // Saves and loads interleaved, each load asked for once its save resolved, while the writer is busy.
    const busy = Array.from({ length: 20 }, (_, i) => store.saveSnapshot(row(`w${i}`, 1)));
    for (let seq = 3; seq < 13; seq++) {
      await store.saveSnapshot(row('x', seq));
      expect((await store.loadSnapshots('x'))[0]?.seq).toBe(seq);
    }
    await Promise.all(busy);
    expect((await store.loadSnapshots()).map((s) => s.agentId)).toHaveLength(21);
  });
});

describe('snapshot reads (postgresql read pool)', () => {
  it('snapshot reads - the read pool has its own connections, and close() ends them', async () => {
    await using t = await openTestStore('postgresql');
    const su = await t.superuser();
    const database = new URL(t.store.databaseUrl).pathname.slice(1);
    const count = async () =>
      Number(
        (
          await su.query<{ n: string }>(
            'select count(*) as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
            [database],
          )
        ).rows[0]!.n,
      );
    const without = await t.reopen({ readPoolSize: 0 });
    const base = await count();
    const withPool = await t.reopen({ readPoolSize: 2 });
    await withPool.saveSnapshot(row('x', 1));
    await Promise.all(['x', 'x', 'x'].map((id) => withPool.loadSnapshots(id)));
    expect(await count()).toBeGreaterThan(base);
    await withPool.close();
    await without.close();
    await t.store.close();
    // A backend exits a moment after its client said goodbye: wait (bounded) for the count to drain.
    for (let i = 0; i < 100 && (await count()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await count()).toBe(0);
  });

  it('snapshot reads - a bad readPoolSize is refused with MANDATE_ERR_STORE_CONFIG', async () => {
    await expect(
      openStore({ databaseUrl: 'postgresql://postgres@127.0.0.1:5432/none', readPoolSize: -1, env: {} }),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_STORE_CONFIG' });
  });
});
