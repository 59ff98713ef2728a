/**
 * A fresh PostgreSQL database per test file for the rails: created with a unique name on the
 * shared server (127.0.0.1:5432), its schema made by MikroORM's schema generator from
 * `railEntities`, dropped on close. Fails with instructions when PostgreSQL is not running.
 */
import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { railEntities } from '../../actors/rails/entities.ts';
import { pgRailSql, type RailSql } from '../../actors/rails/RailSql.ts';

/** A disposable rails database. */
export interface RailTestDatabase extends AsyncDisposable {
  /** Database name, e.g. `mandate_rails_1a2b3c4d`. */
  readonly name: string;
  /** Connection string for child processes. */
  readonly url: string;
  readonly pool: pg.Pool;
  readonly sql: RailSql;
  close(): Promise<void>;
}

const ADMIN_URL = process.env['MANDATE_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Creates the database and its rail tables. */
export async function createRailTestDatabase(prefix = 'mandate_rails'): Promise<RailTestDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await admin.connect();
  } catch (cause) {
    throw new Error(
      `PostgreSQL is not reachable at ${ADMIN_URL} (${(cause as Error).message}); start it (e.g. "service postgresql start") or set MANDATE_TEST_PG_URL`,
      { cause },
    );
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  const orm = await MikroORM.init({ clientUrl: url, entities: [...railEntities], debug: false });
  await orm.schema.create();
  await orm.close();
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  const close = async (): Promise<void> => {
    // DROP … WITH (FORCE) below terminates connections still closing (57P01); that is expected here.
    pool.on('error', (error: Error & { code?: string }) => {
      if (error.code !== '57P01') console.error('rails test database pool error', error);
    });
    await pool.end();
    const c = new pg.Client({ connectionString: ADMIN_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  };
  return { name, url, pool, sql: pgRailSql(pool), close, [Symbol.asyncDispose]: close };
}
