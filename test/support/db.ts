import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type PostgresStore, type OpenStoreOptions } from '../../runtime/persistence/index.ts';

/** The PostgreSQL server integration tests create their databases on. */
export const TEST_POSTGRES_URL =
  process.env.TEST_POSTGRES_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

const HOW_TO_START =
  'Integration tests need PostgreSQL: start one on 127.0.0.1:5432 with trust auth (e.g. `docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:17`) or set TEST_POSTGRES_URL to a server where this user may CREATE DATABASE.';

/** A fresh database on the test server, dropped on dispose. */
export interface TestDatabase extends AsyncDisposable {
  url: string;
  name: string;
}

/** Creates `mandate_t_<random>` on {@link TEST_POSTGRES_URL}; fails (never skips) with how to start PostgreSQL when it is not there. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `mandate_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  try {
    await admin.connect();
  } catch (cause) {
    throw new Error(
      `PostgreSQL at ${TEST_POSTGRES_URL} is not reachable (${(cause as Error).message}). ${HOW_TO_START}`,
      { cause },
    );
  }
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async [Symbol.asyncDispose]() {
      const c = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** Which driver a parameterised suite runs on. */
export type StoreDriver = 'postgresql' | 'embedded';

/** Both drivers, for `describe.each`. */
export const STORE_DRIVERS: StoreDriver[] = ['postgresql', 'embedded'];

/** A store on a fresh database of one driver, with a superuser connection to the same database for tampering. */
export interface TestStore extends AsyncDisposable {
  store: PostgresStore;
  driver: StoreDriver;
  /** The embedded driver's data directory (unused on PostgreSQL). */
  dataDir: string;
  /** The file holding the store's secret key. */
  keyFile: string;
  /** Opens another store on the same database (after `store.close()` on the embedded driver, which allows one process). */
  reopen(options?: Partial<OpenStoreOptions>): Promise<PostgresStore>;
  /** A superuser node-postgres client on the store's database; closed on dispose. */
  superuser(): Promise<pg.Client>;
}

/** Opens a store on a fresh database: a new PostgreSQL database, or a new embedded data directory. */
export async function openTestStore(driver: StoreDriver, options: Partial<OpenStoreOptions> = {}): Promise<TestStore> {
  const dir = mkdtempSync(join(tmpdir(), 'mandate-store-'));
  const database = driver === 'postgresql' ? await createTestDatabase() : undefined;
  const base: OpenStoreOptions = {
    dataDir: join(dir, 'data'),
    keyFile: join(dir, 'secret.key'),
    env: {},
    retry: { attempts: 3, baseDelayMs: 20 },
    ...(database === undefined ? {} : { databaseUrl: database.url }),
    ...options,
  };
  const stores: PostgresStore[] = [];
  const clients: pg.Client[] = [];
  const open = async (more: Partial<OpenStoreOptions> = {}): Promise<PostgresStore> => {
    const s = await openStore({ ...base, ...more });
    stores.push(s);
    return s;
  };
  const store = await open();
  return {
    store,
    driver,
    dataDir: base.dataDir!,
    keyFile: base.keyFile!,
    reopen: open,
    async superuser() {
      const live = stores.at(-1)!;
      const c = new pg.Client({ connectionString: live.databaseUrl });
      // The embedded server stops with its store; a superuser session cut that way is expected.
      c.on('error', () => undefined);
      await c.connect();
      clients.push(c);
      return c;
    },
    async [Symbol.asyncDispose]() {
      for (const c of clients) await c.end().catch(() => undefined);
      for (const s of stores) await s.close().catch(() => undefined);
      await database?.[Symbol.asyncDispose]();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
