import { Migration } from '@mikro-orm/migrations';

/** The zero-trust stage's behaviour history (`BehaviourEventEntity`): what a restart takes each agent's baseline back from. */
export class Migration2026120222401BehaviourEvents extends Migration {
  override name = 'Migration2026120222401BehaviourEvents';

  override up(): void {
    this.addSql(
      `create table "mandate_behaviour_event" ("id" bigserial primary key, "agent_id" text not null, "kind" text not null, "at" bigint not null, "amount" double precision null, "counterparty" text null);`,
    );
    this.addSql(
      `create index "mandate_behaviour_event_agent_id_kind_id_index" on "mandate_behaviour_event" ("agent_id", "kind", "id");`,
    );
  }

  override down(): void {
    this.addSql(`drop table if exists "mandate_behaviour_event" cascade;`);
  }
}
