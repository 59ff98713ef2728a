/**
 * The KYB (know your business) provider contract: what a counterparty check asks and what a
 * provider answers. Records and sanctions entries are plain data, validated with zod at the
 * boundary (a list file or an HTTP answer), so a policy only ever sees well-formed answers.
 */
import { z } from 'zod';

/** ISO 3166-1 alpha-2 country code, e.g. `DE`. */
const jurisdiction = z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as "DE"');
const instant = z.iso.datetime({ offset: true });

/** A counterparty's verification status at the provider. */
export const kybRecordSchema = z
  .object({
    status: z.enum(['verified', 'pending', 'rejected']),
    jurisdiction: jurisdiction.optional(),
    verifiedAt: instant.optional(),
    /** After this the verification must be renewed: the check then asks a human. */
    expiresAt: instant.optional(),
    /** The provider's case or file reference. */
    reference: z.string().min(1).max(200).optional(),
  })
  .strict();

/** One entry of a sanctions list. */
export const sanctionsEntrySchema = z
  .object({
    name: z.string().min(1).max(300),
    aliases: z.array(z.string().min(1).max(300)).default([]),
    /** The list it comes from, e.g. `OFAC SDN`, `EU consolidated`, `UN 1267`. */
    list: z.string().min(1).max(100),
    /** Wallet addresses listed with the entry (matched case-insensitively). */
    addresses: z.array(z.string().min(1).max(100)).default([]),
    jurisdiction: jurisdiction.optional(),
  })
  .strict();

export type KybRecord = z.output<typeof kybRecordSchema>;
export type SanctionsEntry = z.output<typeof sanctionsEntrySchema>;

/** A sanctions match: which list, which entry, and what matched. */
export interface SanctionsHit {
  readonly list: string;
  readonly name: string;
  readonly matched: string;
}

/** What a provider knows of one counterparty. `record` is absent when it has none (unknown). */
export interface KybAnswer {
  readonly record?: KybRecord;
  readonly sanctions: readonly SanctionsHit[];
}

/** A source of KYB records and sanctions screening. */
export interface KybProvider {
  /** Names it in verdicts and the audit trail. */
  readonly name: string;
  /** Looks `counterparty` up; throws `KybUnavailableError` when it cannot answer. */
  lookup(counterparty: string): Promise<KybAnswer>;
}

/** A name as sanctions screening compares it: accents stripped, case and punctuation ignored. */
export function screeningName(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The entries of `list` that `counterparty` matches, by name, alias or listed address. */
export function screen(counterparty: string, list: readonly SanctionsEntry[]): SanctionsHit[] {
  const name = screeningName(counterparty);
  const address = counterparty.toLowerCase();
  const hits: SanctionsHit[] = [];
  for (const entry of list) {
    const names = [entry.name, ...entry.aliases].filter((n) => screeningName(n) === name);
    const addresses = entry.addresses.filter((a) => a.toLowerCase() === address);
    const matched = names[0] ?? addresses[0];
    if (matched !== undefined) hits.push({ list: entry.list, name: entry.name, matched });
  }
  return hits;
}
