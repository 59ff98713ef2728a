import { allEntities } from './entities.ts';
import { StoreConfigError } from './errors.ts';

const APPEND_ONLY = new Set(['mandate_audit_entry', 'mandate_audit_checkpoint', 'mandate_agent_version']);

/**
 * SQL an administrator runs (after the migrations) so that a restricted PostgreSQL role can run
 * Mandate: read and write every table, but only SELECT and INSERT on the audit log and its
 * checkpoints and on agent versions. The role does not own the tables, so it cannot disable the append-only trigger
 * either. Connect the runtime with that role in `DATABASE_URL` and give the owner's URL as
 * `MANDATE_MIGRATE_DATABASE_URL`.
 *
 * @example
 * for (const sql of runtimeRoleGrants('mandate_runtime')) await admin.query(sql);
 */
export function runtimeRoleGrants(role: string): string[] {
  if (!/^[a-z_][a-z0-9_]*$/.test(role))
    throw new StoreConfigError(
      `The runtime role "${role}" is not a plain lower-case PostgreSQL role name; use letters, digits and underscores.`,
    );
  const tables = allEntities.map((e) => e.meta.tableName);
  return [
    `grant usage on schema public to ${role}`,
    `grant select on mandate_migrations to ${role}`,
    ...tables.map((t) =>
      APPEND_ONLY.has(t)
        ? `grant select, insert on "${t}" to ${role}`
        : `grant select, insert, update, delete on "${t}" to ${role}`,
    ),
    `grant usage, select on all sequences in schema public to ${role}`,
  ];
}
