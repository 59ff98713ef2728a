import { Migration } from '@mikro-orm/migrations';

/**
 * Makes the audit log and its checkpoints append-only in the database itself: a trigger refuses
 * every UPDATE, DELETE and TRUNCATE, whatever role the runtime connects with, and PUBLIC loses
 * those privileges. Only a superuser who disables triggers (session_replication_role = replica)
 * can alter rows, and `verify()` detects what it did.
 */
export class Migration20261121000002AuditAppendOnly extends Migration {
  override name = 'Migration20261121000002AuditAppendOnly';

  override up(): void {
    this.addSql(`create or replace function mandate_audit_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'MANDATE_ERR_AUDIT_APPEND_ONLY: % on % is not allowed; the audit log is append-only', tg_op, tg_table_name
    using errcode = 'insufficient_privilege';
end
$$;`);
    for (const table of ['mandate_audit_entry', 'mandate_audit_checkpoint']) {
      this.addSql(
        `create trigger ${table}_no_update before update or delete on "${table}" for each row execute function mandate_audit_append_only();`,
      );
      this.addSql(
        `create trigger ${table}_no_truncate before truncate on "${table}" for each statement execute function mandate_audit_append_only();`,
      );
      this.addSql(`revoke update, delete, truncate on "${table}" from public;`);
    }
  }

  override down(): void {
    for (const table of ['mandate_audit_entry', 'mandate_audit_checkpoint']) {
      this.addSql(`drop trigger if exists ${table}_no_update on "${table}";`);
      this.addSql(`drop trigger if exists ${table}_no_truncate on "${table}";`);
    }
    this.addSql('drop function if exists mandate_audit_append_only();');
  }
}
