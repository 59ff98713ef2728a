import type { Pool, PoolClient } from 'pg';
import type { SqlExecutor } from '../audit/SqlExecutor.ts';
import { isTransientDbError } from './isTransientDbError.ts';

const converted = new Map<string, string>();

/** Rewrites `?` placeholders to node-postgres' `$1, $2, …`, leaving quoted strings and identifiers alone. */
export function toPgPlaceholders(sql: string): string {
  let out = converted.get(sql);
  if (out !== undefined) return out;
  out = '';
  let n = 0;
  let quote: string | undefined;
  for (const ch of sql) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      out += `$${++n}`;
    } else {
      out += ch;
    }
  }
  if (converted.size > 1000) converted.clear();
  converted.set(sql, out);
  return out;
}

/** A {@link SqlExecutor} over a node-postgres pool or a checked-out client. */
export function pgExecutor(target: Pool | PoolClient): SqlExecutor {
  return {
    async execute(sql: string, params: unknown[] = []) {
      // Without parameters node-postgres uses the simple protocol, where one text may hold several statements.
      const result = (await target.query(toPgPlaceholders(sql), params)) as unknown as
        { rows: unknown[] } | { rows: unknown[] }[];
      return Array.isArray(result) ? result[result.length - 1]!.rows : result.rows;
    },
  };
}

/** An executor inside a transaction, with the rows of the statement sent together with BEGIN. */
export type PgTx = SqlExecutor & { prelude?: unknown[] };

/**
 * Runs `work` in one transaction on a client of `pool` and commits. The client is always
 * returned to the pool — destroyed when its connection failed — so a database that goes away
 * mid-transaction never leaks a pooled connection. A parameterless `prelude` is sent in the same
 * round trip as BEGIN; its last statement's rows reach `work` as `tx.prelude`.
 */
export async function pgTransaction<R>(pool: Pool, work: (tx: PgTx) => Promise<R>, prelude?: string): Promise<R> {
  const client = await pool.connect();
  let failure: unknown;
  try {
    const tx: PgTx = pgExecutor(client);
    if (prelude === undefined) await client.query('begin');
    else tx.prelude = (await tx.execute(`begin; ${prelude}`)) as unknown[];
    const result = await work(tx);
    await client.query('commit');
    return result;
  } catch (error) {
    failure = error;
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release(failure !== undefined && isTransientDbError(failure) ? (failure as Error) : undefined);
  }
}
