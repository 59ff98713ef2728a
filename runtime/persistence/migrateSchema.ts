import type { MikroORM } from '@mikro-orm/postgresql';
import type { SqlExecutor } from '../audit/SqlExecutor.ts';
import { allEntities } from './entities.ts';
import { StoreSchemaError } from './errors.ts';
import { storeMigrations } from './migrations/storeMigrations.ts';

/**
 * Brings the schema up to date with the checked-in migrations, after refusing a database that a
 * newer Mandate migrated (unknown migrations) and before checking every table is really there.
 * With `orm` undefined (the runtime connects with a restricted role and another connection
 * migrates) only the checks run, and a pending migration is an error.
 */
export async function migrateSchema(orm: MikroORM | undefined, db: SqlExecutor): Promise<void> {
  const known = new Set(storeMigrations.map((m) => m.name));
  const hasTable = (await db.execute(`select to_regclass('mandate_migrations') is not null as present`)) as {
    present: boolean;
  }[];
  if (hasTable[0]?.present === true) {
    const executed = (await db.execute('select name from mandate_migrations order by id')) as { name: string }[];
    const unknown = executed.map((r) => r.name.replace(/\.(ts|js)$/, '')).filter((n) => !known.has(n));
    if (unknown.length > 0) {
      throw new StoreSchemaError(
        `The database was migrated by a newer Mandate (unknown migrations: ${unknown.join(', ')}). Upgrade Mandate, or point DATABASE_URL / MANDATE_DATA_DIR at another database.`,
        { details: { unknown } },
      );
    }
  }
  if (orm === undefined) {
    const executed =
      hasTable[0]?.present === true
        ? ((await db.execute('select name from mandate_migrations')) as { name: string }[]).map((r) =>
            r.name.replace(/\.(ts|js)$/, ''),
          )
        : [];
    const pending = [...known].filter((n) => !executed.includes(n));
    if (pending.length > 0) {
      throw new StoreSchemaError(
        `The database lacks migrations ${pending.join(', ')}; run them with the migration connection (MANDATE_MIGRATE_DATABASE_URL) first.`,
        { details: { pending } },
      );
    }
  } else {
    try {
      await orm.migrator.up();
    } catch (cause) {
      throw new StoreSchemaError(
        `Migrating the database schema failed: ${(cause as Error).message}. The migration was rolled back; fix the database or restore it from a backup.`,
        {
          cause,
        },
      );
    }
  }
  const tables = allEntities.map((e) => e.meta.tableName);
  const present = (await db.execute(
    `select table_name from information_schema.tables where table_schema = current_schema()`,
  )) as { table_name: string }[];
  const names = new Set(present.map((r) => r.table_name));
  const missing = tables.filter((t) => !names.has(t));
  if (missing.length > 0) {
    throw new StoreSchemaError(
      `The database schema does not match: tables ${missing.join(', ')} are missing although their migrations are recorded as executed. Restore the database from a backup, or use a fresh one.`,
      { details: { missing } },
    );
  }
}
