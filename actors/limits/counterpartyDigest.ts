/**
 * How `limit_reservations.counterparty` names a payee: a keyed hash (HMAC-SHA-256 under a key
 * derived from the store's data key, `store.counterpartyKey`), never the IBAN or address itself.
 * The same payee always gives the same digest, so per-counterparty limits still add up, but a
 * copy of the table tells nobody who was paid.
 */
import { createHmac } from 'node:crypto';

/** What every digest starts with, so a row still holding a payee in clear is told apart. */
export const COUNTERPARTY_DIGEST_PREFIX = 'cph_';

/**
 * The digest of `counterparty` under `key`: spaces removed and case folded first, so
 * `FR14 2004 …` and `fr142004…` are one payee for the limits (as they are for the bank).
 *
 * @example
 * counterpartyDigest(store.counterpartyKey, 'FR1420041010050500013M02606'); // 'cph_…'
 */
export function counterpartyDigest(key: Uint8Array, counterparty: string): string {
  const normal = counterparty.replace(/\s+/g, '').toLowerCase();
  return (
    COUNTERPARTY_DIGEST_PREFIX + createHmac('sha256', key).update(`limit-counterparty\n${normal}`).digest('base64url')
  );
}
