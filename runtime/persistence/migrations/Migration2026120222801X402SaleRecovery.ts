import { Migration } from '@mikro-orm/migrations';

/**
 * `rail_x402_sales.valid_before`: the authorization's `validBefore` (Unix seconds), so a sale
 * interrupted mid-task is known to be unsettleable once it has passed, without the buyer's header.
 */
export class Migration2026120222801X402SaleRecovery extends Migration {
  override name = 'Migration2026120222801X402SaleRecovery';

  override up(): void {
    this.addSql(`alter table "rail_x402_sales" add column "valid_before" bigint null;`);
  }

  override down(): void {
    this.addSql(`alter table "rail_x402_sales" drop column "valid_before";`);
  }
}
