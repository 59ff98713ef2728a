import type { AuditInput } from '../audit/AuditInput.ts';
import type { StakeEntry } from './StakeStore.ts';

/** A reputation change, as the reputation supervisor records it. */
export interface ReputationEvent {
  agentId: string;
  kind: string;
  delta: number;
  score?: number;
  reason: string;
  data?: Record<string, unknown>;
  at: number;
}

/** What a reputation change writes with it, in its transaction (see {@link ReputationStore.append}). */
export interface ReputationEffects {
  /** The stake entry the change slashed. */
  stake?: StakeEntry;
  /** The audit entries recording the change (and the slash), appended to the hash chain in order. */
  audit?: readonly AuditInput[];
}

/** The reputation history (`mandate_reputation_event`, append-only): what a restart takes scores back from. */
export interface ReputationStore {
  /**
   * Records a change (in the order appended). With `stake`, the stake entry the change slashed, and with
   * `audit`, the audit entries recording them, are written in the same transaction: all are stored, or
   * none (docs/reputation.md, "Stake"). A store without an audit chain may leave `audit` to its caller.
   */
  append(event: ReputationEvent, effects?: ReputationEffects): Promise<void>;
  /** An agent's changes, newest first. */
  list(agentId: string, limit?: number): Promise<ReputationEvent[]>;
  /** The newest change of every agent. */
  latest(): Promise<ReputationEvent[]>;
}
