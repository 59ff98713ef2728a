/**
 * The minimal SQL client the rails and limits use: parameterized queries (`$1`, `$2`, ...) and
 * transactions. Two implementations: {@link pgRailSql} over a `pg` Pool and
 * {@link mikroOrmRailSql} over a MikroORM `EntityManager` (PostgreSQL driver), so the rails
 * share the runtime's connection pool. Schema: {@link railEntities} in `entities.ts`.
 */
import type { Pool, PoolClient } from 'pg';

/** A SQL client: run a query, or run a function inside one transaction. */
export interface RailSql {
  /** Runs one parameterized statement and returns its rows. */
  query<R extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<R[]>;
  /** Runs `fn` inside a transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: RailSql) => Promise<T>): Promise<T>;
}

function clientSql(client: PoolClient): RailSql {
  const self: RailSql = {
    async query<R extends Record<string, unknown>>(sql: string, params: readonly unknown[] = []) {
      return (await client.query<R>(sql, params as unknown[])).rows;
    },
    // Nested transactions reuse the outer one: the outer commit decides.
    transaction: (fn) => fn(self),
  };
  return self;
}

/** A {@link RailSql} over a `pg` Pool. */
export function pgRailSql(pool: Pool): RailSql {
  return {
    async query<R extends Record<string, unknown>>(sql: string, params: readonly unknown[] = []) {
      return (await pool.query<R>(sql, params as unknown[])).rows;
    },
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn(clientSql(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
        throw error;
      } finally {
        // A connection that could not even roll back is dropped, not handed to the next caller.
        client.release(broken);
      }
    },
  };
}

/** The part of MikroORM's SQL `EntityManager` this adapter needs. */
export interface MikroOrmSqlEntityManager {
  execute(sql: string, params?: unknown[]): Promise<unknown>;
  transactional<T>(fn: (em: MikroOrmSqlEntityManager) => Promise<T>): Promise<T>;
}

/** Rewrites `$1`-style placeholders to MikroORM's `?` style (our SQL never uses a literal `?`). */
function toQuestionMarks(sql: string, params: readonly unknown[]): { sql: string; params: unknown[] } {
  const ordered: unknown[] = [];
  const text = sql.replace(/\$(\d+)/g, (_m, n: string) => {
    ordered.push(params[Number(n) - 1]);
    return '?';
  });
  return { sql: text, params: ordered };
}

/** A {@link RailSql} over a MikroORM PostgreSQL `EntityManager` (fork it per request). */
export function mikroOrmRailSql(em: MikroOrmSqlEntityManager): RailSql {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const q = toQuestionMarks(sql, params);
      return (await em.execute(q.sql, q.params)) as R[];
    },
    transaction: (fn) => em.transactional((tem) => fn(mikroOrmRailSql(tem))),
  };
}
