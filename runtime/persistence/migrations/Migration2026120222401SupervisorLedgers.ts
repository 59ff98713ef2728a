import { Migration } from '@mikro-orm/migrations';

/**
 * The supervisors' histories: the zero-trust stage's behaviour facts (`BehaviourEventEntity`), what a
 * restart rebuilds each agent's baseline from; and the stake ledger (`StakeEntryEntity`), append-only
 * by trigger like the audit log.
 */
export class Migration2026120222401SupervisorLedgers extends Migration {
  override name = 'Migration2026120222401SupervisorLedgers';

  override up(): void {
    this.addSql(
      `create table "mandate_behaviour_event" ("id" bigserial primary key, "agent_id" text not null, "kind" text not null, "at" bigint not null, "amount" double precision null, "counterparty" text null);`,
    );
    this.addSql(
      `create index "mandate_behaviour_event_agent_id_kind_id_index" on "mandate_behaviour_event" ("agent_id", "kind", "id");`,
    );
    this.addSql(
      `create table "mandate_stake_entry" ("id" bigserial primary key, "agent_id" text not null, "kind" text not null, "asset" text not null, "amount" text not null, "from_account" text not null, "to_account" text not null, "balance" text not null, "reason" text not null, "at" bigint not null);`,
    );
    this.addSql(`create index "mandate_stake_entry_agent_id_id_index" on "mandate_stake_entry" ("agent_id", "id");`);
    this.addSql(`create or replace function mandate_stake_entry_immutable() returns trigger language plpgsql as $$
begin
  raise exception 'MANDATE_ERR_STAKE_IMMUTABLE: % on % is not allowed; the stake ledger is append-only', tg_op, tg_table_name
    using errcode = 'insufficient_privilege';
end
$$;`);
    this.addSql(
      `create trigger mandate_stake_entry_no_update before update or delete on "mandate_stake_entry" for each row execute function mandate_stake_entry_immutable();`,
    );
    this.addSql(
      `create trigger mandate_stake_entry_no_truncate before truncate on "mandate_stake_entry" for each statement execute function mandate_stake_entry_immutable();`,
    );
  }

  override down(): void {
    this.addSql(`drop table if exists "mandate_stake_entry" cascade;`);
    this.addSql('drop function if exists mandate_stake_entry_immutable();');
    this.addSql(`drop table if exists "mandate_behaviour_event" cascade;`);
  }
}
