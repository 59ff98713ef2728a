import { Migration } from '@mikro-orm/migrations';

/** Sales of capabilities behind x402, one row per authorization (`RailX402SaleEntity`), claimed before verifying. */
export class Migration20261201210001X402Sales extends Migration {
  override name = 'Migration20261201210001X402Sales';

  override up(): void {
    this.addSql(
      `create table "rail_x402_sales" ("id" varchar(160) not null, "capability" varchar(255) not null, "payer" varchar(42) not null, "pay_to" varchar(42) not null, "nonce" varchar(66) not null, "value" numeric(78,0) not null, "signature" text not null, "status" varchar(16) not null, "result" jsonb null, "settlement" jsonb null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "rail_x402_sales_status_capability_index" on "rail_x402_sales" ("status", "capability");`,
    );
  }

  override down(): void {
    this.addSql(`drop table if exists "rail_x402_sales" cascade;`);
  }
}
