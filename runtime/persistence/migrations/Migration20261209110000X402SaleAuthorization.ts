import { Migration } from '@mikro-orm/migrations';

/**
 * `rail_x402_sales.payment` and `.requirements`: the whole signed payment (the x402 payload with its
 * EIP-3009 authorization and signature) and the requirement it paid, kept from the claim on, so a
 * sale whose task delivered but whose settle was never recorded (the seller died in between) is
 * settled by the seller's scan at start, without waiting for the buyer to retry. Null on rows
 * claimed before: those are settled by the buyer's retry, as before.
 */
export class Migration20261209110000X402SaleAuthorization extends Migration {
  override name = 'Migration20261209110000X402SaleAuthorization';

  override up(): void {
    this.addSql(`alter table "rail_x402_sales" add column "payment" jsonb null, add column "requirements" jsonb null;`);
  }

  override down(): void {
    this.addSql(`alter table "rail_x402_sales" drop column "payment", drop column "requirements";`);
  }
}
