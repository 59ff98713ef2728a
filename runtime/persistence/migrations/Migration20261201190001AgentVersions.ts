import { Migration } from '@mikro-orm/migrations';

/**
 * Agent definition versions (`AgentVersionEntity`), immutable: a trigger refuses every UPDATE,
 * DELETE and TRUNCATE, as on the audit log; and the version each agent runs
 * (`AgentActiveVersionEntity`), which a rollback moves.
 */
export class Migration20261201190001AgentVersions extends Migration {
  override name = 'Migration20261201190001AgentVersions';

  override up(): void {
    this.addSql(
      `create table "mandate_agent_version" ("agent_id" text not null, "number" int not null, "hash" text not null, "label" text not null, "definition" jsonb not null, "source" jsonb null, "created_at" bigint not null, primary key ("agent_id", "number"));`,
    );
    this.addSql(
      `alter table "mandate_agent_version" add constraint "mandate_agent_version_agent_id_hash_unique" unique ("agent_id", "hash");`,
    );
    this.addSql(
      `create table "mandate_agent_active_version" ("agent_id" text not null, "number" int not null, "at" bigint not null, primary key ("agent_id"));`,
    );
    this.addSql(`create or replace function mandate_agent_version_immutable() returns trigger language plpgsql as $$
begin
  raise exception 'MANDATE_ERR_AGENT_VERSION_IMMUTABLE: % on % is not allowed; agent versions are immutable', tg_op, tg_table_name
    using errcode = 'insufficient_privilege';
end
$$;`);
    this.addSql(
      `create trigger mandate_agent_version_no_update before update or delete on "mandate_agent_version" for each row execute function mandate_agent_version_immutable();`,
    );
    this.addSql(
      `create trigger mandate_agent_version_no_truncate before truncate on "mandate_agent_version" for each statement execute function mandate_agent_version_immutable();`,
    );
    this.addSql(`revoke update, delete, truncate on "mandate_agent_version" from public;`);
  }

  override down(): void {
    this.addSql(`drop table if exists "mandate_agent_active_version" cascade;`);
    this.addSql(`drop table if exists "mandate_agent_version" cascade;`);
    this.addSql('drop function if exists mandate_agent_version_immutable();');
  }
}
