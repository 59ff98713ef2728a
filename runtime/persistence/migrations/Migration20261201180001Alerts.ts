import { Migration } from '@mikro-orm/migrations';

/** The alert book's alerts (`AlertEntity`), kept across restarts and listed by status. */
export class Migration20261201180001Alerts extends Migration {
  override name = 'Migration20261201180001Alerts';

  override up(): void {
    this.addSql(
      `create table "mandate_alert" ("id" text not null, "dedup_key" text not null, "code" text not null, "severity" text not null, "status" text not null, "record" jsonb not null, "last_at" bigint not null, primary key ("id"));`,
    );
    this.addSql(`create index "mandate_alert_status_last_at_index" on "mandate_alert" ("status", "last_at");`);
  }

  override down(): void {
    this.addSql(`drop table if exists "mandate_alert" cascade;`);
  }
}
