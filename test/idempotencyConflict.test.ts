/**
 * The two write-ahead records (runtime intents, rail ledger) refuse a reused idempotency key with
 * one code; see actors/rails/README.md, "Two write-ahead records, two jobs".
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { CryptoIntentSchema, IntentLedger, parseIntent, pgRailSql } from '../actors/rails/index.ts';
import { IdempotencyConflictError } from '../kernel/index.ts';
import { MemoryIntentLog, paramsHash } from '../runtime/index.ts';
import { openTestStore } from './support/db.ts';

const T0 = 1_790_000_000_000;
const conflict = { code: 'MANDATE_ERR_IDEMPOTENCY_CONFLICT', status: 409 };

describe('idempotency conflicts', () => {
  it('idempotency - the runtime intent log (memory and PostgreSQL) and the rail ledger refuse a reused key with one code', async () => {
    await using t = await openTestStore('postgresql');
    const begin = (hash: string) => ({
      key: 'agent:inv-7',
      agentId: 'payables',
      decisionId: 'd-7',
      paramsHash: hash,
      params: { amount: '10' },
      at: T0,
    });
    const memory = new MemoryIntentLog();
    for (const log of [memory, t.store]) {
      await log.beginIntent(begin(paramsHash({ amount: '10' })));
      const again = log.beginIntent(begin(paramsHash({ amount: '11' })));
      await expect(again).rejects.toBeInstanceOf(IdempotencyConflictError);
      await expect(log.beginIntent(begin(paramsHash({ amount: '11' })))).rejects.toMatchObject(conflict);
    }
    const pool = new pg.Pool({ connectionString: t.store.databaseUrl, max: 1 });
    // pg-pool's end() resolves before its sockets close, so the fixture's DROP DATABASE … WITH (FORCE)
    // can terminate a connection that is still closing (57P01); the ending client reports that as an error.
    pool.on('connect', (client) =>
      client.on('error', (error: Error & { code?: string }) => {
        if (error.code !== '57P01') throw error;
      }),
    );
    try {
      const ledger = new IntentLedger(pgRailSql(pool));
      const intent = (amount: string) =>
        parseIntent(CryptoIntentSchema, {
          kind: 'crypto',
          idempotencyKey: 'agent:inv-7',
          agentId: 'payables',
          asset: 'USDC',
          amount,
          to: `0x${'ab'.repeat(20)}`,
        });
      await ledger.begin(intent('10'), { rail: 'evm', now: new Date(T0) });
      await expect(ledger.begin(intent('10'), { rail: 'evm', now: new Date(T0) })).resolves.toMatchObject({
        status: 'pending',
      });
      await expect(ledger.begin(intent('11'), { rail: 'evm', now: new Date(T0) })).rejects.toMatchObject(conflict);
    } finally {
      await pool.end();
    }
  });
});
