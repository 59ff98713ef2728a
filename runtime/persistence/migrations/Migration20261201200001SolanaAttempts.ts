import { Migration } from '@mikro-orm/migrations';

/** Signed Solana transactions with their blockhash window (`RailSolanaAttemptEntity`), stored before they are sent. */
export class Migration20261201200001SolanaAttempts extends Migration {
  override name = 'Migration20261201200001SolanaAttempts';

  override up(): void {
    this.addSql(
      `create table "rail_solana_attempts" ("signature" varchar(88) not null, "idempotency_key" varchar(255) not null, "cluster" varchar(44) not null, "from_address" varchar(44) not null, "wire_tx" text not null, "blockhash" varchar(44) not null, "last_valid_block_height" numeric(20,0) not null, "status" varchar(16) not null, "reason" text null, "created_at" timestamptz not null, primary key ("signature"));`,
    );
    this.addSql(
      `create index "rail_solana_attempts_idempotency_key_index" on "rail_solana_attempts" ("idempotency_key");`,
    );
  }

  override down(): void {
    this.addSql(`drop table if exists "rail_solana_attempts" cascade;`);
  }
}
