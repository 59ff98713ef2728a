import { PayeeVaultError } from './errors.ts';
import type { PayeeVault } from './PayeeVault.ts';
import type { FiatIntent, PaymentIntent } from './PaymentIntent.ts';

/** A fiat intent as `rail_intents` keeps it with a vault: the creditor by pseudonym only. */
type ConcealedFiat = Omit<FiatIntent, 'creditor'> & { creditor: { subject: string } };

/** What `rail_intents.params` holds: an intent, with a fiat creditor concealed when the rail has a vault. */
export type StoredIntent = Exclude<PaymentIntent, FiatIntent> | FiatIntent | ConcealedFiat;

/** Whether a stored intent names its creditor by pseudonym (rows from before the vault hold it in clear). */
export function isConcealed(stored: StoredIntent): stored is ConcealedFiat {
  return stored.kind === 'fiat' && 'subject' in stored.creditor;
}

/**
 * The form of `intent` to store: a fiat creditor's name and IBAN go to the vault, one subject per
 * exact (IBAN, name) pair, so a retry with the same details maps to the same pseudonym and the same
 * fingerprint, and other details to another. Without a vault, or for other kinds, the intent itself.
 */
export async function concealPayee(intent: PaymentIntent, vault: PayeeVault | undefined): Promise<StoredIntent> {
  if (intent.kind !== 'fiat' || vault === undefined) return intent;
  const { name, iban } = intent.creditor;
  const subject = await vault.put({ name, iban }, { lookup: `rail-payee\n${iban}\n${name}` });
  return { ...intent, creditor: { subject } };
}

/** The intent behind a stored one: a concealed creditor opened from the vault; throws {@link PayeeVaultError}. */
export async function revealPayee(stored: StoredIntent, vault: PayeeVault | undefined): Promise<PaymentIntent> {
  if (!isConcealed(stored)) return stored;
  const { subject } = stored.creditor;
  if (vault === undefined)
    throw new PayeeVaultError(
      `payment "${stored.idempotencyKey}" names its creditor by the vault pseudonym "${subject}", but this rail has no vault; give the rail the store's vault (payees: store.vault)`,
      { details: { idempotencyKey: stored.idempotencyKey, subject } },
    );
  const found = await vault.get(subject);
  if (found.erased || found.data.name === undefined || found.data.iban === undefined)
    throw new PayeeVaultError(
      `payment "${stored.idempotencyKey}" cannot be sent: its creditor "${subject}" was erased from the vault; make a new payment to the payee's current details`,
      { details: { idempotencyKey: stored.idempotencyKey, subject } },
    );
  return { ...stored, creditor: { name: found.data.name, iban: found.data.iban } };
}
