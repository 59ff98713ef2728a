import type { AuditInput } from '../audit/AuditInput.ts';

/**
 * One movement of an agent's stake, as a transfer between two ledger accounts: `posted` moves the
 * amount from `external` (the operator who funds it) to `stake:<agentId>`; `slashed` moves it from
 * `stake:<agentId>` to `penalty` (docs/reputation.md, "Stake"). Amounts are decimal strings.
 */
export interface StakeEntry {
  agentId: string;
  kind: 'posted' | 'slashed';
  asset: string;
  amount: string;
  from: string;
  to: string;
  /** The stake left after this entry. */
  balance: string;
  reason: string;
  at: number;
}

/** The stake ledger (`mandate_stake_entry`, append-only). */
export interface StakeStore {
  /** Records an entry (in the order appended); with `audit`, the audit entry recording it in the same transaction. */
  append(entry: StakeEntry, audit?: AuditInput): Promise<void>;
  /** Every entry, oldest first. */
  list(): Promise<StakeEntry[]>;
}
