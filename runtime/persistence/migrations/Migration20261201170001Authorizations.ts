import { Migration } from '@mikro-orm/migrations';

/** EIP-3009 transfer authorizations signed by agents (`RailAuthorizationEntity`), which the kill switch cancels. */
export class Migration20261201170001Authorizations extends Migration {
  override name = 'Migration20261201170001Authorizations';

  override up(): void {
    this.addSql(
      `create table "rail_authorizations" ("nonce" varchar(66) not null, "chain_id" int not null, "token" varchar(42) not null, "agent_id" varchar(255) not null, "from_address" varchar(42) not null, "to_address" varchar(42) not null, "value" numeric(78,0) not null, "valid_after" numeric(20,0) not null, "valid_before" numeric(20,0) not null, "signature" text not null, "status" varchar(16) not null, "cancel_tx" varchar(66) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("nonce"));`,
    );
    this.addSql(
      `create index "rail_authorizations_status_agent_id_index" on "rail_authorizations" ("status", "agent_id");`,
    );
  }

  override down(): void {
    this.addSql(`drop table if exists "rail_authorizations" cascade;`);
  }
}
