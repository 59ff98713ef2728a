/**
 * Issue 15 #8 (left over): `limit_reservations.counterparty` held the creditor's IBAN in clear,
 * outside the vault. It now holds a keyed hash under the store's vault key; the migration rewrites
 * the rows written before, and per-counterparty limits still add up, old rows included. On both
 * drivers: the rail tables live in the store's database.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenBankingRail, SandboxBank, SpendingLimits, counterpartyDigest } from '../../actors/index.ts';
import { pgRailSql } from '../../actors/rails/RailSql.ts';
import { STORE_DRIVERS, openTestStore, type TestStore } from '../support/db.ts';
import { TestKillSwitch } from '../support/evmFixture.ts';

const IBAN = 'FR1420041010050500013M02606';
const OTHER = 'GB29NWBK60161331926819';
const OLD = 'DE44500105175407324931';
const DEBTOR = 'DE89370400440532015000';
const MIGRATION = 'Migration20261203060100LimitCounterpartyDigest';
const now = () => new Date('2026-03-02T09:00:00Z');

describe.each(STORE_DRIVERS)(
  'issue 15 #8 - limit_reservations.counterparty in clear (%s)',
  { timeout: 120_000 },
  (driver) => {
    let t: TestStore;
    let pool: pg.Pool;
    beforeAll(async () => {
      t = await openTestStore(driver);
      pool = new pg.Pool({ connectionString: t.store.databaseUrl, max: 2 });
    }, 120_000);
    afterAll(async () => {
      await pool?.end();
      await t?.[Symbol.asyncDispose]();
    });

    const bank = new SandboxBank({ balances: { [DEBTOR]: '10000.00' }, settlementLagMs: 3_600_000, now });
    const rail = () =>
      new OpenBankingRail({
        sql: pgRailSql(pool),
        // The embedded server runs one session at a time, and the vault writes through the store's
        // own connections while the rail's transaction is open on this pool; this test is about
        // limit_reservations (rail_intents with the vault: issue15-8-dataAtRestInClear).
        ...(driver === 'postgresql' ? { payees: t.store.vault } : {}),
        api: bank,
        debtorIban: DEBTOR,
        killSwitch: new TestKillSwitch(),
        agentId: 'agent-payroll',
        now,
        limits: new SpendingLimits({
          sql: pgRailSql(pool),
          // At most 150 EUR a day to any one creditor.
          rules: [
            {
              scope: 'agent:agent-payroll',
              window: 'rolling-24h',
              unit: 'native',
              asset: 'EUR',
              perCounterparty: true,
              max: '150.00',
            },
          ],
          assetDecimals: { EUR: 2 },
          referenceDecimals: 6,
          counterpartyKey: t.store.vault.counterpartyKey,
          now,
        }),
      });
    let n = 0;
    const pay = (iban: string, amount = '99.10') =>
      rail().sendFiat({
        kind: 'fiat',
        idempotencyKey: `cp-${driver}-${++n}`,
        agentId: 'agent-payroll',
        currency: 'EUR',
        amount,
        creditor: { name: 'Jeanne Dupont', iban },
      });
    const dump = async () =>
      JSON.stringify((await pool.query('SELECT * FROM limit_reservations ORDER BY id')).rows).toLowerCase();

    it('hardening - after a payment no row of limit_reservations holds the IBAN, and the per-counterparty limit still holds', async () => {
      expect((await pay(IBAN)).status).toBe('submitted');
      const rows = (await pool.query<{ counterparty: string }>('SELECT counterparty FROM limit_reservations')).rows;
      expect(rows).toHaveLength(1);
      expect(rows[0]!.counterparty).toBe(counterpartyDigest(t.store.vault.counterpartyKey, IBAN));
      expect(await dump()).not.toContain(IBAN.toLowerCase());

      // 99.10 + 99.10 > 150 to the same creditor; another creditor is free.
      expect((await pay(IBAN)).failure).toMatchObject({ code: 'MANDATE_ERR_LIMIT_EXCEEDED' });
      expect((await pay(OTHER)).status).toBe('submitted');
      const refused = await pay(OTHER);
      expect(refused).toMatchObject({ status: 'failed', failure: { code: 'MANDATE_ERR_LIMIT_EXCEEDED' } });
      // The refusal names the creditor by its digest only.
      expect(refused.failure?.message).toContain(counterpartyDigest(t.store.vault.counterpartyKey, OTHER));
      expect(JSON.stringify(refused)).not.toContain(OTHER);
      expect(await dump()).not.toContain(OTHER.toLowerCase());
    });

    it('hardening - the migration rewrites rows stored in clear to the same hash, so they keep counting', async () => {
      const su = await t.superuser();
      // A row as the old code wrote it (IBAN in clear, lower case), then the migration run again.
      await su.query(
        `INSERT INTO limit_reservations (id, idempotency_key, scope, asset, counterparty, amount_native, amount_reference, status, created_at)
       VALUES ('old|agent:agent-payroll', 'old', 'agent:agent-payroll', 'EUR', $1, 10000, 0, 'reserved', $2)`,
        [OLD.toLowerCase(), now()],
      );
      await su.query('DELETE FROM mandate_migrations WHERE name LIKE $1', [`${MIGRATION}%`]);
      await pool.end();
      if (driver === 'embedded') await t.store.close();
      t.store = await t.reopen();
      pool = new pg.Pool({ connectionString: t.store.databaseUrl, max: 2 });

      const old = (
        await pool.query<{ counterparty: string }>("SELECT counterparty FROM limit_reservations WHERE id LIKE 'old|%'")
      ).rows[0]!;
      expect(old.counterparty).toBe(counterpartyDigest(t.store.vault.counterpartyKey, OLD));
      expect(await dump()).not.toContain(OLD.toLowerCase());
      // 100 EUR already went to OLD today: another 99.10 would pass 150.
      expect((await pay(OLD)).failure).toMatchObject({ code: 'MANDATE_ERR_LIMIT_EXCEEDED' });
      expect((await pay(OLD, '50.00')).status).toBe('submitted');
    });
  },
);
