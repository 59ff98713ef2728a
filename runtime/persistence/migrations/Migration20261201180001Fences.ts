import { Migration } from '@mikro-orm/migrations';

/** The fencing token of every placed agent's current lease (`FenceEntity`): intents and snapshots carrying another token are refused. */
export class Migration20261201180001Fences extends Migration {
  override name = 'Migration20261201180001Fences';

  override up(): void {
    this.addSql(
      `create table "mandate_fence" ("agent_id" text not null, "token" bigint not null, "node_id" text not null, "at" bigint not null, primary key ("agent_id"));`,
    );
  }

  override down(): void {
    this.addSql(`drop table if exists "mandate_fence" cascade;`);
  }
}
