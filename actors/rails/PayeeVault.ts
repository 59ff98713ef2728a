/**
 * Where a rail keeps a creditor's name and IBAN instead of `rail_intents`: the runtime's
 * personal-data vault (`store.vault`, runtime/audit/PersonalDataVault.ts) fits this contract. The
 * ledger stores only the pseudonym (`creditor: { subject: 'subj_…' }`) and opens it again when the
 * payment is initiated or recovered; erasing the subject leaves nothing personal on the rail.
 */
export interface PayeeVault {
  /** Stores the details and returns their pseudonym; the same `lookup` always gives the same pseudonym. */
  put(data: { name: string; iban: string }, options: { lookup: string }): Promise<string>;
  /** The details behind a pseudonym, or that they were erased; throws when the pseudonym is unknown. */
  get(id: string): Promise<{ erased: true } | { erased: false; data: { name?: string; iban?: string } }>;
}
