import type { CodeEntry } from './CodeEntry.ts';

/** Codes only ever carried by operator alerts on the inspection stream (alerts may carry any code; these carry nothing else). Documented in docs/errors.md, "Alert codes (inspection stream, not errors)". */
export const ALERT_CODES = {
  MANDATE_GATE_CLOSED: {
    status: null,
    kind: 'alert',
    meaning: "an agent's trigger waited on a closed dependency gate",
  },
  MANDATE_CHILD_ENDED: {
    status: null,
    kind: 'alert',
    meaning: 'a supervised child ended and, by its kind, is not restarted',
  },
  MANDATE_AGENT_VERSION_PINNED: {
    status: null,
    kind: 'alert',
    meaning:
      'an agent an operator rolled to another version was loaded with an already-recorded definition: it keeps running the version it was rolled to',
  },
  MANDATE_KILL_SWITCH_RELEASED: {
    status: null,
    kind: 'alert',
    meaning: 'the kill switch was released (fully or in part)',
  },
  MANDATE_PAYMENT_FINAL: {
    status: null,
    kind: 'alert',
    meaning: 'a live payment reached a final status (settled, returned) on its rail',
  },
  MANDATE_REVIEW_FLAGGED: {
    status: null,
    kind: 'alert',
    meaning: 'a learner flagged an executed action for human review (slippage, fees, duration, confidence, failure)',
  },
  MANDATE_ERR_STORE: {
    status: null,
    kind: 'alert',
    meaning:
      'persisting snapshots or the journal failed for an error without a code; the runtime keeps the data and retries',
  },
  MANDATE_ERR_MESSAGE_HANDLER: {
    status: null,
    kind: 'alert',
    meaning: "a verified message's handler threw (alert; requests get a `mandate.error` reply)",
  },
  MANDATE_ERR_REGISTRY_RECORD: {
    status: null,
    kind: 'alert',
    meaning:
      "a stored registry record (descriptor, heartbeat or revocation) was ignored: unsigned, wrongly signed, malformed, stored under another agent's key, or a revocation signed by a key without the right (docs/protocol.md §9); the record is never used",
  },
  MANDATE_APPROVAL_SIGNATURE_REQUESTED: {
    status: null,
    kind: 'alert',
    meaning:
      'one per signer when an approval that is a Safe quorum opens: who, which Safe transaction hash, how many signatures, until when',
  },
  MANDATE_TREASURY_FUNDED: {
    status: null,
    kind: 'alert',
    meaning: "the treasury example funded its agents' wallets and the payables Safe on a new chain",
  },
  MANDATE_ERR_KILL_SWITCH_RETRACT: {
    status: null,
    kind: 'alert',
    meaning:
      "the kill switch could not take an item back (an authorization's cancel failed, a retractor threw); the alert names the item",
  },
  MANDATE_REPUTATION_WARNING: {
    status: null,
    kind: 'alert',
    meaning:
      "an agent's overall reputation fell below 50: its limits are tightened by the trust factor (docs/reputation.md)",
  },
  MANDATE_REPUTATION_BONUS: {
    status: null,
    kind: 'alert',
    meaning: "an agent's overall reputation rose above 90: its limits are loosened, up to 125% (docs/reputation.md)",
  },
  MANDATE_REPUTATION_SUSPENDED: {
    status: null,
    kind: 'alert',
    meaning:
      "an agent's overall reputation fell below the floor (30 by default): no action with an amount is approved until it recovers (docs/reputation.md)",
  },
  MANDATE_REPUTATION_SLASHED: {
    status: null,
    kind: 'alert',
    meaning:
      'an agent was slashed for a major or critical violation (a sandbox escape attempt, an ungranted capability); the alert names the violation and the score before and after',
  },
  MANDATE_ZERO_TRUST_INCIDENT: {
    status: null,
    kind: 'alert',
    meaning:
      'the zero-trust stage judged a proposal critical (invalid identity, or behaviour far outside the agent’s history): denied, the agent paused; the alert carries the reasons',
  },
  MANDATE_KYB_SANCTIONS_MATCH: {
    status: null,
    kind: 'alert',
    meaning:
      "a payment's counterparty matched a sanctions list entry (by name, alias or address): the payment is denied; the alert names the list and entry",
  },
} as const satisfies Record<string, CodeEntry>;
