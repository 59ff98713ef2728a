import { Migration } from '@mikro-orm/migrations';

/** The trace id (32 hex, W3C) of the cycle that made a decision, when tracing was on: joins a decision record to its trace. */
export class Migration20261202222201DecisionTraceId extends Migration {
  override name = 'Migration20261202222201DecisionTraceId';

  override up(): void {
    this.addSql(`alter table "mandate_decision" add column "trace_id" varchar(32) null;`);
  }

  override down(): void {
    this.addSql(`alter table "mandate_decision" drop column if exists "trace_id";`);
  }
}
