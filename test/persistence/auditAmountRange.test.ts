/**
 * The audit query's amount range: `minAmount` / `maxAmount` as decimals, inclusive, compared as
 * exact decimals in the database (not as text, not as floats), leaving out entries without a
 * decimal `data.amount` (a number, an object, a malformed string must not fail the query).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditInput, PostgresStore } from '../../runtime/persistence/index.ts';
import { STORE_DRIVERS, openTestStore, type TestStore } from '../support/db.ts';

const T0 = 1_790_000_000_000;
const AMOUNTS: unknown[] = ['9.99', '10', '10.00', '100', '999.999999999999999999', '1000', '25000.5', undefined];
/** Entries whose amount is no decimal string: never matched by a range, never an error. */
const ODD: unknown[] = [42, { value: '50', asset: 'USDC' }, '1e3', '-5', 'ten'];

const entry = (i: number, amount: unknown): AuditInput => ({
  who: { kind: 'system', id: 'test' },
  action: 'agent.payment.send.succeeded',
  subject: `s-${i}`,
  where: 'node-1',
  why: `entry ${i}`,
  data: { agentId: 'payables', currency: i % 2 === 0 ? 'USDC' : 'EURC', ...(amount === undefined ? {} : { amount }) },
  at: T0 + i * 1000,
});

describe.each(STORE_DRIVERS)('audit amount range on %s', (driver) => {
  let t: TestStore;
  let store: PostgresStore;
  beforeAll(async () => {
    t = await openTestStore(driver);
    store = t.store;
    let i = 0;
    for (const a of [...AMOUNTS, ...ODD]) await store.appendAudit(entry(i++, a));
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  const amounts = async (q: { minAmount?: string; maxAmount?: string; currency?: string }) =>
    (await store.audit.query({ ...q, limit: 100 })).entries.map((e) => e.data.amount).reverse();

  it('audit amounts - both ends inclusive, compared by value, not as text', async () => {
    expect(await amounts({ minAmount: '10', maxAmount: '100' })).toEqual(['10', '10.00', '100']);
    // As text, "9.99" > "10" and "25000.5" < "999…"; by value they are not.
    expect(await amounts({ minAmount: '999.999999999999999999' })).toEqual([
      '999.999999999999999999',
      '1000',
      '25000.5',
    ]);
    expect(await amounts({ maxAmount: '9.999' })).toEqual(['9.99']);
    expect(await amounts({ minAmount: '1000.000000000000000001' })).toEqual(['25000.5']);
  });

  it('audit amounts - combine with the other filters; without a bound every entry stays', async () => {
    expect(await amounts({ minAmount: '10', currency: 'USDC' })).toEqual([
      '10.00',
      '999.999999999999999999',
      '25000.5',
    ]);
    expect((await store.audit.query({ limit: 100 })).entries).toHaveLength(AMOUNTS.length + ODD.length);
  });

  it('audit amounts - a malformed bound or a min above the max is refused with a code', async () => {
    for (const q of [{ minAmount: '-1' }, { maxAmount: '1e3' }, { minAmount: '5', maxAmount: '4.99' }])
      await expect(store.audit.query({ ...q, limit: 1 })).rejects.toMatchObject({ code: 'MANDATE_ERR_AUDIT_QUERY' });
  });
});
