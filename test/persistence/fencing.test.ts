import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresStore, SnapshotRow } from '../../runtime/persistence/index.ts';
import { STORE_DRIVERS, openTestStore, type TestStore } from '../support/db.ts';

const T0 = 1_790_000_000_000;
const snap = (seq: number, fence?: number): SnapshotRow => ({
  agentId: 'payer',
  supervisorId: 'sandbox:default',
  snapshot: { status: 'active', value: 'idle', context: { seq } },
  state: 'idle',
  seq,
  at: T0 + seq,
  ...(fence === undefined ? {} : { fence }),
});
const intent = (key: string, fence?: number) => ({
  key,
  agentId: 'payer',
  decisionId: `d-${key}`,
  paramsHash: 'h',
  params: { amount: '10' },
  at: T0,
  ...(fence === undefined ? {} : { fence }),
});
const latest = async (store: PostgresStore): Promise<number | undefined> =>
  (await store.loadSnapshots()).find((s) => s.agentId === 'payer')?.seq;

describe.each(STORE_DRIVERS)('fencing on %s', (driver) => {
  let t: TestStore;
  let store: PostgresStore;
  beforeAll(async () => {
    t = await openTestStore(driver);
    store = t.store;
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  it('fencing - the database refuses intents and snapshots of any token but the current lease, and keeps nothing of them', async () => {
    // No fence yet: a runtime without placement writes without tokens.
    await store.saveSnapshot(snap(1));
    await store.beginIntent(intent('unfenced'));

    await store.raiseFence({ agentId: 'payer', token: 5, nodeId: 'node-a' });
    await expect(store.saveSnapshot(snap(2))).rejects.toMatchObject({ code: 'MANDATE_ERR_FENCE_STALE' });
    await expect(store.beginIntent(intent('no-token'))).rejects.toMatchObject({
      code: 'MANDATE_ERR_FENCE_STALE',
      message: expect.stringContaining('token 5 of node node-a'),
    });
    await store.saveSnapshot(snap(3, 5));
    await store.beginIntent(intent('pay-1', 5));
    await store.updateIntent('pay-1', { status: 'executing', at: T0 + 1, fence: 5 });

    // A successor takes over with a newer token; the old owner (token 5) wakes up.
    await store.raiseFence({ agentId: 'payer', token: 9, nodeId: 'node-b' });
    await expect(store.saveSnapshot(snap(4, 5))).rejects.toMatchObject({ code: 'MANDATE_ERR_FENCE_STALE' });
    await expect(store.beginIntent(intent('pay-2', 5))).rejects.toMatchObject({ code: 'MANDATE_ERR_FENCE_STALE' });
    await expect(
      store.updateIntent('pay-1', { status: 'succeeded', reference: '0xstale', at: T0 + 2, fence: 5 }),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_FENCE_STALE', message: expect.stringContaining('node node-b') });
    expect(await latest(store)).toBe(3);
    expect(await store.findIntent('pay-2')).toBeUndefined();
    expect(await store.findIntent('pay-1')).toMatchObject({ status: 'executing' });
    expect((await store.findIntent('pay-1'))?.reference).toBeUndefined();

    // The successor writes with its own token; an older token can never come back.
    await store.updateIntent('pay-1', { status: 'succeeded', reference: '0xgood', at: T0 + 3, fence: 9 });
    await store.saveSnapshot(snap(5, 9));
    expect(await latest(store)).toBe(5);
    await expect(store.raiseFence({ agentId: 'payer', token: 7, nodeId: 'node-a' })).rejects.toMatchObject({
      code: 'MANDATE_ERR_FENCE_STALE',
      message: expect.stringContaining('newer token 9'),
    });
    await store.raiseFence({ agentId: 'payer', token: 9, nodeId: 'node-b' }); // idempotent for the holder
    await expect(store.raiseFence({ agentId: 'payer', token: 0, nodeId: 'node-a' })).rejects.toMatchObject({
      code: 'MANDATE_ERR_STORE_INPUT',
    });
  });

  it('fencing - a stale snapshot in a batch is refused alone; the other agents of the batch are written', async () => {
    const other: SnapshotRow = { ...snap(1), agentId: 'bystander' };
    const results = await Promise.allSettled([store.saveSnapshot(snap(6, 5)), store.saveSnapshot(other)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect((await store.loadSnapshots()).find((s) => s.agentId === 'bystander')?.seq).toBe(1);
    expect(await latest(store)).toBe(5);
  });

  it('fencing - once a successor raised the fence, no write of the old owner lands after it', async () => {
    await store.raiseFence({ agentId: 'payer', token: 20, nodeId: 'node-a' });
    let seq = 100;
    const old = Array.from({ length: 40 }, () =>
      store.saveSnapshot(snap(seq++, 20)).then(
        () => 'ok',
        () => 'refused',
      ),
    );
    await store.raiseFence({ agentId: 'payer', token: 21, nodeId: 'node-b' });
    const seenAtTakeover = await latest(store);
    const outcomes = await Promise.all(old);
    // Everything the old owner wrote committed before the raise returned: the successor saw it all.
    expect(await latest(store)).toBe(seenAtTakeover);
    // Refused writes left no row; the accepted ones are exactly the rows there.
    const rows = (await store.loadSnapshots()).find((s) => s.agentId === 'payer')!;
    const accepted = outcomes.flatMap((o, i) => (o === 'ok' ? [100 + i] : []));
    expect(rows.seq).toBe(accepted.length === 0 ? 5 : Math.max(...accepted));
  });
});
