/**
 * Child process of the limits race test: receives batches of reservation requests over IPC
 * and reserves them through SpendingLimits against the shared database, as fast as it can.
 * Environment: RAIL_DB_URL.
 */
import pg from 'pg';
import { pgRailSql } from '../../actors/rails/RailSql.ts';
import { SpendingLimits } from '../../actors/limits/SpendingLimits.ts';
import { MandateError } from '../../kernel/index.ts';
import { TEST_COUNTERPARTY_KEY } from '../support/counterpartyKey.ts';

interface Batch {
  rules: unknown[];
  requests: {
    idempotencyKey: string;
    agentId: string;
    supervisorIds: string[];
    asset: string;
    counterparty: string;
    amountNative: string;
    amountReference: string;
  }[];
}

const pool = new pg.Pool({ connectionString: process.env['RAIL_DB_URL'], max: 2 });
const sql = pgRailSql(pool);
process.on('message', (message: Batch | 'exit') => {
  if (message === 'exit') {
    void pool.end().then(() => process.exit(0));
    return;
  }
  void (async () => {
    const limits = new SpendingLimits({
      sql,
      rules: message.rules,
      assetDecimals: { USDC: 6, ETH: 18 },
      referenceDecimals: 6,
      counterpartyKey: TEST_COUNTERPARTY_KEY,
    });
    const results: { key: string; outcome: string }[] = [];
    for (const r of message.requests) {
      try {
        await limits.reserve({
          ...r,
          amountNative: BigInt(r.amountNative),
          amountReference: BigInt(r.amountReference),
        });
        results.push({ key: r.idempotencyKey, outcome: 'reserved' });
      } catch (error) {
        results.push({
          key: r.idempotencyKey,
          outcome: error instanceof MandateError ? error.code : `unexpected: ${String(error)}`,
        });
      }
    }
    process.send!(results);
  })();
});
process.send!('ready');
