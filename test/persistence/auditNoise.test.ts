/**
 * The audit query's `noise: 'hide'`: routine bookkeeping entries left out in the database, so pages
 * stay full and keyset paging still walks every remaining entry exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditInput, PostgresStore } from '../../runtime/persistence/index.ts';
import { ROUTINE_AUDIT_ACTIONS } from '../../runtime/audit/index.ts';
import { STORE_DRIVERS, openTestStore, type TestStore } from '../support/db.ts';

const T0 = 1_790_000_000_000;
const ACTIONS = ['agent.payment.send.succeeded', ...ROUTINE_AUDIT_ACTIONS, 'operator.pause', 'reputation.changed'];

const entry = (i: number): AuditInput => ({
  who: { kind: 'system', id: 'test' },
  action: ACTIONS[i % ACTIONS.length]!,
  subject: `s-${i}`,
  where: 'node-1',
  why: `entry ${i}`,
  data: { agentId: 'payables' },
  at: T0 + i * 1000,
});

describe.each(STORE_DRIVERS)('audit noise on %s', (driver) => {
  let t: TestStore;
  let store: PostgresStore;
  beforeAll(async () => {
    t = await openTestStore(driver);
    store = t.store;
    for (let i = 0; i < 30; i++) await store.appendAudit(entry(i));
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  it('audit - noise "hide" leaves out every routine action and nothing else, across pages', async () => {
    const all = (await store.audit.query({ limit: 100 })).entries;
    expect(all).toHaveLength(30);
    const expected = all.filter((e) => !ROUTINE_AUDIT_ACTIONS.includes(e.action)).map((e) => e.seq);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(30);
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.audit.query({ noise: 'hide', limit: 3, ...(cursor === undefined ? {} : { cursor }) });
      expect(page.entries.length).toBeLessThanOrEqual(3);
      seen.push(...page.entries.map((e) => e.seq));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(seen).toEqual(expected);
    expect((await store.audit.query({ noise: 'show', limit: 100 })).entries).toHaveLength(30);
  });

  it('audit - noise combines with the other filters', async () => {
    const paused = await store.audit.query({ noise: 'hide', action: 'operator', match: 'prefix', limit: 100 });
    expect(paused.entries.length).toBeGreaterThan(0);
    expect(paused.entries.every((e) => e.action === 'operator.pause')).toBe(true);
  });

  it('audit - an unknown noise value is refused with a code', async () => {
    await expect(store.audit.query({ noise: 'mute' as 'hide', limit: 1 })).rejects.toMatchObject({
      code: 'MANDATE_ERR_AUDIT_QUERY',
    });
  });
});
