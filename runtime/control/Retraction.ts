/**
 * What the kill switch takes back when it engages: signed-but-unsettled EIP-3009 authorizations
 * (cancelled on chain), pending Safe proposals (withdrawn). Each retractor reports every item it
 * handled; the kill switch audits them one by one.
 */

/** One item the kill switch took back, or found it could not. */
export interface RetractedItem {
  /** `eip3009-authorization`, `safe-proposal`, … */
  readonly kind: string;
  readonly id: string;
  readonly agentId: string;
  /** `retracted`; `settled` when it had settled before the cancel landed; `failed` with why in `detail`. */
  readonly status: 'retracted' | 'settled' | 'failed';
  readonly detail: string;
  /** The cancelling transaction, when one was sent. */
  readonly tx?: string;
}

/** Takes back what it holds for the agents `covers` names. */
export type Retractor = (covers: (agentId: string) => boolean) => Promise<RetractedItem[]>;
