import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRailPool, pgRailSql } from '../../actors/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { startDbProxy, type DbProxy } from '../support/dbProxy.ts';

describe('issue 15 #2 - live mode crashes on any database connection reset', () => {
  let db: TestDatabase;
  let proxy: DbProxy;
  beforeAll(async () => {
    db = await createTestDatabase();
    proxy = await startDbProxy(db.url);
  });
  afterAll(async () => {
    await proxy?.[Symbol.asyncDispose]();
    await db?.[Symbol.asyncDispose]();
  });

  it('rail pool - connections reset while idle and mid-transaction: no crash, nothing half-written, recovery', async () => {
    const dropped: string[] = [];
    const pool = createRailPool(proxy.url, { max: 2, onError: (e) => void dropped.push(e.message) });
    const sql = pgRailSql(pool);
    try {
      await sql.query('create table intent (key text primary key, status text not null)');
      // One idle connection in the pool, one checked out inside a transaction, when the database goes away.
      await sql.query('select 1');
      let inTx!: () => void;
      const reached = new Promise<void>((r) => (inTx = r));
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const tx = sql.transaction(async (t) => {
        await t.query(`insert into intent values ('pay-1', 'pending')`);
        inTx();
        await held;
        await t.query(`update intent set status = 'signed' where key = 'pay-1'`);
      });
      await reached;
      await proxy.down();
      release();
      await expect(tx).rejects.toThrow();
      await expect(sql.query('select 1')).rejects.toThrow();
      // The process is still here (an unhandled 'error' event would have ended it) and was told.
      expect(dropped.length).toBeGreaterThan(0);
      await proxy.up();
      expect(await sql.query('select count(*)::int as n from intent')).toEqual([{ n: 0 }]);
      await sql.transaction((t) => t.query(`insert into intent values ('pay-1', 'pending')`));
      expect(await sql.query('select key, status from intent')).toEqual([{ key: 'pay-1', status: 'pending' }]);
    } finally {
      await pool.end();
    }
  });
});
