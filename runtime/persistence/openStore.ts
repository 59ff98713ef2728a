import { createHash, randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Pool, PoolConfig } from 'pg';
import { z } from 'zod';
import { parseOrThrow, type MandateError } from '../../kernel/index.ts';
import { AuditLog } from '../audit/AuditLog.ts';
import { AuditWitness } from '../audit/AuditWitness.ts';
import { AuditCheckpointError } from '../audit/errors.ts';
import { PersonalDataVault } from '../audit/PersonalDataVault.ts';
import { DEFAULT_RETENTION, retentionPolicySchema, type RetentionPolicy } from './compactHistory.ts';
import { EmbeddedPostgres } from './EmbeddedPostgres.ts';
import { allEntities } from './entities.ts';
import { StoreConfigError, StoreUnavailableError } from './errors.ts';
import { loadNodeSigner } from './loadNodeSigner.ts';
import { PostgresStore } from './PostgresStore.ts';
import { COUNTERPARTY_KEY_EXTENSION } from './migrations/Migration20261203060100LimitCounterpartyDigest.ts';
import { storeMigrations } from './migrations/storeMigrations.ts';
import { migrateSchema } from './migrateSchema.ts';
import { pgExecutor } from './PgExecutor.ts';
import { SecretBox } from './SecretBox.ts';
import { withDbRetry, type DbRetryPolicy } from './withDbRetry.ts';

/** Options of {@link openStore}; every one has a default, most from the environment. */
export interface OpenStoreOptions {
  /** PostgreSQL URL; default `DATABASE_URL`. When absent the embedded database is used. */
  databaseUrl?: string;
  /**
   * A separate, privileged PostgreSQL URL that runs the migrations (default
   * `MANDATE_MIGRATE_DATABASE_URL`). Set it when `databaseUrl` uses a restricted runtime role
   * (see `runtimeRoleGrants`): that role then only checks the schema, and cannot alter audit rows,
   * drop the append-only trigger or change the tables.
   */
  migrateUrl?: string;
  /** Embedded database directory; default `MANDATE_DATA_DIR` or `.mandate/data`. */
  dataDir?: string;
  /** 32-byte key (base64 or hex) sealing secrets at rest; default `MANDATE_SECRET_KEY`. */
  secretKey?: string;
  /** Key file used (and created) when no secret key is given; default `secret.key` beside the data directory. */
  keyFile?: string;
  clock?: () => number;
  random?: (size: number) => Uint8Array;
  sleep?: (ms: number) => Promise<void>;
  /** Retries of transient database failures (default 8 attempts from 100 ms, about 15 s in all). */
  retry?: { attempts?: number; baseDelayMs?: number };
  /**
   * File mirroring the latest signed audit checkpoint outside the database; default
   * `MANDATE_AUDIT_WITNESS`, else beside the data directory on both drivers (a PostgreSQL superuser
   * can rewrite the chain and its checkpoints together, but not this file): `audit-witness.json` on
   * the embedded database, `audit-witness-<12 hex digits of sha-256 of host:port/database>.json`
   * on PostgreSQL, so that another database keeps its own witness.
   */
  witnessFile?: string;
  /** Sign a checkpoint once this many audit entries follow the last one; default 1 (every commit). */
  checkpointEvery?: number;
  /** Most writes per group commit; default 500. */
  maxBatch?: number;
  /** Connection pool size; default 10 (4 on the embedded database). */
  poolSize?: number;
  /**
   * Connections of the separate pool that loads single agents' snapshots (reactivating a passivated
   * agent, resuming a placed one), so those loads never wait for a connection behind commits and
   * other reads; default 0: they use the main pool (bench/passivation.bench.ts measured no gain for
   * one reactivation at a time on two cores, where the main pool always had an idle connection). Set
   * it for nodes whose main pool runs out under bursts of reads. Pointless on the embedded database,
   * whose one PGlite session serves every connection in turn.
   */
  readPoolSize?: number;
  retention?: RetentionPolicy;
  /** Told about problems the store handled without failing (a corrupt snapshot left out, a retry). */
  onProblem?: (error: MandateError) => void;
  /** Environment to read defaults from; default `process.env`. */
  env?: Record<string, string | undefined>;
}

const optionsSchema = z.object({
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a postgresql:// URL')
    .optional(),
  migrateUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a postgresql:// URL')
    .optional(),
  dataDir: z.string().min(1),
  checkpointEvery: z.number().int().positive(),
  maxBatch: z.number().int().min(1).max(2000),
  poolSize: z.number().int().min(1).max(100),
  readPoolSize: z.number().int().min(0).max(20),
  retryAttempts: z.number().int().min(1),
  retryBaseMs: z.number().int().min(1),
  retention: retentionPolicySchema,
});

/**
 * Opens the store: PostgreSQL when `databaseUrl` (or `DATABASE_URL`) is set, otherwise the
 * embedded PGlite database under the data directory. Runs pending migrations, refuses a schema
 * newer than this code, and waits (with retries) for a database that is still starting.
 *
 * @example
 * const store = await openStore({});            // embedded, .mandate/data
 * const pg = await openStore({ databaseUrl: 'postgresql://postgres@127.0.0.1:5432/mandate' });
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<PostgresStore> {
  const env = options.env ?? process.env;
  const databaseUrl = options.databaseUrl ?? (env.DATABASE_URL || undefined);
  const migrateUrl = options.migrateUrl ?? (env.MANDATE_MIGRATE_DATABASE_URL || undefined);
  const raw = {
    databaseUrl,
    migrateUrl,
    dataDir: options.dataDir ?? (env.MANDATE_DATA_DIR || '.mandate/data'),
    checkpointEvery: options.checkpointEvery ?? 1,
    maxBatch: options.maxBatch ?? 500,
    poolSize: options.poolSize ?? (databaseUrl === undefined ? 4 : 10),
    readPoolSize: options.readPoolSize ?? 0,
    retryAttempts: options.retry?.attempts ?? 8,
    retryBaseMs: options.retry?.baseDelayMs ?? 100,
    retention: options.retention ?? DEFAULT_RETENTION,
  };
  const fix =
    'fix the option given to openStore(), or the environment variable behind it (DATABASE_URL, MANDATE_MIGRATE_DATABASE_URL, MANDATE_DATA_DIR)';
  const o = parseOrThrow(optionsSchema, raw, { what: 'store option', error: StoreConfigError, fix });
  const clock = options.clock ?? Date.now;
  const random = options.random ?? ((n: number) => new Uint8Array(randomBytes(n)));
  const onProblem = options.onProblem ?? (() => undefined);
  const retry: DbRetryPolicy = {
    attempts: o.retryAttempts,
    baseDelayMs: o.retryBaseMs,
    sleep: options.sleep ?? ((ms) => delay(ms)),
    onRetry: (error, attempt) =>
      onProblem(
        new StoreUnavailableError(`Database call failed (attempt ${attempt}), retrying: ${(error as Error).message}`, {
          cause: error,
        }),
      ),
  };
  const dataDir = resolve(o.dataDir);
  const box = SecretBox.load({
    secretKey: options.secretKey ?? env.MANDATE_SECRET_KEY,
    keyFile: options.keyFile ?? resolve(dirname(dataDir), 'secret.key'),
  });

  const embedded =
    o.databaseUrl === undefined
      ? await EmbeddedPostgres.start({ dataDir, maxConnections: o.poolSize + o.readPoolSize + 2 })
      : undefined;
  const url = o.databaseUrl ?? embedded!.url;
  let orm: MikroORM | undefined;
  let readPool: Pool | undefined;
  try {
    orm = await withDbRetry(() => MikroORM.init(ormOptions(url, o.poolSize)), retry, 'the connection at start');
    const pool = await orm.em.getConnection().getNativeClient();
    // An idle connection the server ends (a restart, pg_terminate_backend, a failover) is dropped
    // from the pool and the next query reconnects; without a listener it would crash the process.
    const onIdleError = (err: Error) =>
      onProblem(
        new StoreUnavailableError(
          `An idle database connection was closed by the server (${err.message}); it was discarded and the next query reconnects.`,
          { cause: err },
        ),
      );
    pool.on('error', onIdleError);
    await withDbRetry(() => pool.query('select 1'), retry, 'the connection at start');
    readPool = o.readPoolSize === 0 ? undefined : siblingPool(pool, o.readPoolSize);
    readPool?.on('error', onIdleError);
    await readPool?.query('select 1'); // opened now, not by the first reactivation
    const counterpartyKey = box.derive('limit-counterparty');
    if (o.migrateUrl !== undefined && o.databaseUrl !== undefined) {
      await runMigrations(o.migrateUrl, retry, counterpartyKey);
      await migrateSchema(undefined, pgExecutor(pool));
    } else {
      orm.config.registerExtension(COUNTERPARTY_KEY_EXTENSION, () => counterpartyKey);
      await migrateSchema(orm, pgExecutor(pool));
    }
    const signer = await loadNodeSigner(pgExecutor(pool), box, clock);
    const audit = new AuditLog({ signer, checkpointEvery: o.checkpointEvery });
    const vault = new PersonalDataVault({
      db: () => pgExecutor(pool),
      box,
      clock,
      random,
      lookupKey: box.derive('vault-lookup'),
      counterpartyKey,
    });
    const witnessFile =
      options.witnessFile ?? (env.MANDATE_AUDIT_WITNESS || resolve(dirname(dataDir), witnessFileName(o.databaseUrl)));
    const witness = new AuditWitness(witnessFile, (cause) =>
      onProblem(
        new AuditCheckpointError(
          `The audit witness file "${witnessFile}" could not be written (${cause.message}); the next checkpoint tries again. Check the directory is writable.`,
          { cause },
        ),
      ),
    );
    return new PostgresStore({
      witness,
      orm,
      pool,
      readPool,
      url,
      embedded,
      box,
      audit,
      vault,
      clock,
      random,
      retry,
      maxBatch: o.maxBatch,
      retention: o.retention,
      onProblem,
    });
  } catch (error) {
    await readPool?.end().catch(() => undefined);
    await orm?.close(true).catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    if (error instanceof StoreUnavailableError && o.databaseUrl !== undefined) {
      throw new StoreUnavailableError(
        `PostgreSQL at ${redact(o.databaseUrl)} is not reachable (${(error as Error).message}). Start the server, fix DATABASE_URL, or unset DATABASE_URL to use the embedded database.`,
        { cause: error },
      );
    }
    throw error;
  }
}

/** A second pool to the same database with `pool`'s driver, connection options and type parsers. */
function siblingPool(pool: Pool, max: number): Pool {
  const Ctor = pool.constructor as new (options: PoolConfig) => Pool;
  // Idle connections are kept (until close): a reactivation after a quiet spell must not reconnect first.
  return new Ctor({ ...(pool as unknown as { options: PoolConfig }).options, min: 0, max, idleTimeoutMillis: 0 });
}

/** Runs pending migrations through a short-lived privileged connection. */
async function runMigrations(url: string, retry: DbRetryPolicy, counterpartyKey: Uint8Array): Promise<void> {
  const admin = await withDbRetry(() => MikroORM.init(ormOptions(url, 1)), retry, 'the migration connection');
  // The one migration that needs a key (hashing limit_reservations.counterparty) gets it here.
  admin.config.registerExtension(COUNTERPARTY_KEY_EXTENSION, () => counterpartyKey);
  try {
    const pool = await admin.em.getConnection().getNativeClient();
    await migrateSchema(admin, pgExecutor(pool));
  } finally {
    await admin.close(true);
  }
}

function ormOptions(url: string, poolSize: number) {
  return {
    clientUrl: url,
    entities: [...allEntities],
    extensions: [Migrator],
    migrations: {
      migrationsList: storeMigrations,
      tableName: 'mandate_migrations',
      snapshot: false,
      silent: true,
      allOrNothing: true,
    },
    pool: { min: 0, max: poolSize },
    debug: false,
    ensureDatabase: false,
  };
}

/** The default witness file's name: one per PostgreSQL database (by address, never by credentials). */
export function witnessFileName(databaseUrl: string | undefined): string {
  if (databaseUrl === undefined) return 'audit-witness.json';
  const u = new URL(databaseUrl);
  const where = `${decodeURIComponent(u.hostname)}:${u.port || '5432'}${decodeURIComponent(u.pathname)}`;
  return `audit-witness-${createHash('sha256').update(where).digest('hex').slice(0, 12)}.json`;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
