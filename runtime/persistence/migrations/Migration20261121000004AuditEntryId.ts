import { Migration } from '@mikro-orm/migrations';

/**
 * Gives each audit entry the store-assigned id of the write that made it, so that a write retried
 * after an ambiguous commit (connection lost while COMMIT was in flight) does not append twice.
 */
export class Migration20261121000004AuditEntryId extends Migration {
  override name = 'Migration20261121000004AuditEntryId';

  override up(): void {
    this.addSql(`alter table "mandate_audit_entry" add "entry_id" text null;`);
    this.addSql(
      `alter table "mandate_audit_entry" add constraint "mandate_audit_entry_entry_id_unique" unique ("entry_id");`,
    );
  }

  override down(): void {
    this.addSql(`alter table "mandate_audit_entry" drop constraint "mandate_audit_entry_entry_id_unique";`);
    this.addSql(`alter table "mandate_audit_entry" drop column "entry_id";`);
  }
}
