import { Migration } from '@mikro-orm/migrations';
import { COUNTERPARTY_DIGEST_PREFIX, counterpartyDigest } from '../../../actors/index.ts';
import { StoreSchemaError } from '../errors.ts';

/** The name under which `openStore` hands this migration the counterparty key (`orm.config.registerExtension`). */
export const COUNTERPARTY_KEY_EXTENSION = 'mandate:counterpartyKey';

/**
 * `limit_reservations.counterparty` held payees' IBANs and addresses in clear. This rewrites every
 * such row to its keyed hash (`counterpartyDigest`), the form `SpendingLimits` writes and sums by
 * from now on, so per-counterparty limits keep counting the payments made before. The key is the
 * store's (derived from the data key, which never is in the database), so it is handed over by
 * `openStore`; run outside it, the migration refuses rather than leave the IBANs in place.
 */
export class Migration20261203060100LimitCounterpartyDigest extends Migration {
  override name = 'Migration20261203060100LimitCounterpartyDigest';

  override async up(): Promise<void> {
    const key = this.config.getExtension<Uint8Array>(COUNTERPARTY_KEY_EXTENSION);
    if (key === undefined)
      throw new StoreSchemaError(
        'Migration20261203060100LimitCounterpartyDigest needs the store key to hash limit_reservations.counterparty; run migrations through openStore() (or `mandate run`), which hands it over',
      );
    const rows = (await this.execute(
      `select id, counterparty from limit_reservations where left(counterparty, ${COUNTERPARTY_DIGEST_PREFIX.length}) <> '${COUNTERPARTY_DIGEST_PREFIX}'`,
    )) as { id: string; counterparty: string }[];
    for (const row of rows)
      await this.execute('update limit_reservations set counterparty = ? where id = ?', [
        counterpartyDigest(key, row.counterparty),
        row.id,
      ]);
  }

  override down(): void {
    // A keyed hash cannot be turned back into the IBAN; the rows keep their digests.
  }
}
