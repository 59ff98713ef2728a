import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { SecretBox } from '../persistence/SecretBox.ts';
import { AuditInputError, VaultSubjectUnknownError } from './errors.ts';
import type { SqlExecutor } from './SqlExecutor.ts';

/** Personal data of a counterparty (a data subject). */
export interface PersonalData {
  name?: string;
  iban?: string;
  email?: string;
  [field: string]: string | undefined;
}

/** What the vault holds about a subject: the data, or the time it was erased. */
export type VaultSubject =
  | { id: string; erased: false; data: PersonalData; createdAt: number }
  | { id: string; erased: true; erasedAt: number; createdAt: number };

const personalSchema = z
  .record(z.string(), z.string().max(2000))
  .refine((d) => Object.keys(d).length > 0, 'at least one field');

/** Options of {@link PersonalDataVault}. */
export interface PersonalDataVaultOptions {
  db: () => SqlExecutor;
  box: SecretBox;
  clock: () => number;
  /** Random bytes (for pseudonyms). */
  random: (size: number) => Uint8Array;
  /** Key of the lookup HMAC (so the same IBAN or email maps to the same pseudonym without storing it in clear). */
  lookupKey: Uint8Array;
  /** Key of the keyed hashes that name a counterparty outside the vault (see {@link PersonalDataVault.counterpartyKey}). */
  counterpartyKey: Uint8Array;
}

/**
 * The GDPR vault: counterparty personal data kept apart from the audit chain, encrypted, and
 * referenced everywhere else by a random pseudonymous id (`subj_…`). Erasing a subject deletes its
 * data and lookup hash; the chain keeps only the pseudonym, so it still verifies.
 */
export class PersonalDataVault {
  readonly #o: PersonalDataVaultOptions;

  constructor(options: PersonalDataVaultOptions) {
    this.#o = options;
  }

  /**
   * The key spending limits name payees by (`new SpendingLimits({ counterpartyKey: store.vault.counterpartyKey })`):
   * `limit_reservations` keeps an HMAC of the IBAN or address, never the value. Derived from the
   * data key, so every node sharing the database and the key derives the same one.
   */
  get counterpartyKey(): Uint8Array {
    return this.#o.counterpartyKey;
  }

  /**
   * Stores a subject's data and returns its pseudonym; the same IBAN (else email) gives the same
   * pseudonym, or with `lookup` the same lookup text (a rail keeps one subject per exact IBAN and name).
   */
  async put(data: PersonalData, options: { lookup?: string } = {}): Promise<string> {
    const parsed = personalSchema.safeParse(data);
    if (!parsed.success)
      throw new AuditInputError(
        `Invalid personal data: ${parsed.error.issues[0]!.message}. Give string fields such as name, iban, email.`,
      );
    const natural =
      options.lookup ?? parsed.data.iban?.replace(/\s+/g, '').toUpperCase() ?? parsed.data.email?.trim().toLowerCase();
    const lookup = natural === undefined ? null : createHmac('sha256', this.#o.lookupKey).update(natural).digest('hex');
    const id = `subj_${Buffer.from(this.#o.random(16)).toString('base64url')}`;
    const sealed = this.#o.box.seal(JSON.stringify(parsed.data), `vault:${id}`);
    const rows = (await this.#o.db().execute(
      `insert into mandate_vault_subject (id, lookup_hash, sealed, created_at) values (?, ?, ?, ?)
       on conflict (lookup_hash) do update set lookup_hash = excluded.lookup_hash returning id, (xmax = 0) as created`,
      [id, lookup, sealed, this.#o.clock()],
    )) as { id: string; created: boolean }[];
    return rows[0]!.id;
  }

  /** The subject's data, or its erasure tombstone; throws {@link VaultSubjectUnknownError}. */
  async get(id: string): Promise<VaultSubject> {
    const rows = (await this.#o.db().execute('select * from mandate_vault_subject where id = ?', [id])) as {
      sealed: string;
      created_at: string | number;
      erased_at: string | number | null;
    }[];
    const row = rows[0];
    if (row === undefined)
      throw new VaultSubjectUnknownError(
        `No data subject "${id}" in the vault; pseudonyms look like subj_… and come from vault.put().`,
        { details: { id } },
      );
    if (row.erased_at !== null)
      return { id, erased: true, erasedAt: Number(row.erased_at), createdAt: Number(row.created_at) };
    return {
      id,
      erased: false,
      data: JSON.parse(this.#o.box.open(row.sealed, `vault:${id}`)) as PersonalData,
      createdAt: Number(row.created_at),
    };
  }

  /** GDPR erasure: deletes the subject's personal data and lookup hash, keeping a tombstone. Idempotent. */
  async eraseSubject(id: string): Promise<void> {
    const rows = (await this.#o
      .db()
      .execute(
        'update mandate_vault_subject set sealed = null, lookup_hash = null, erased_at = coalesce(erased_at, ?) where id = ? returning id',
        [this.#o.clock(), id],
      )) as unknown[];
    if (rows.length === 0)
      throw new VaultSubjectUnknownError(
        `No data subject "${id}" in the vault to erase; it was erased already or never stored (pseudonyms come from vault.put()).`,
        { details: { id } },
      );
  }
}
