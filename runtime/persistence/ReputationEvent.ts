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

/** The reputation history (`mandate_reputation_event`, append-only): what a restart takes scores back from. */
export interface ReputationStore {
  /**
   * Records a change (in the order appended). With `stake`, the stake entry the change slashed is
   * recorded in the same transaction: both are stored, or neither (docs/reputation.md, "Stake").
   */
  append(event: ReputationEvent, effects?: { stake?: StakeEntry }): Promise<void>;
  /** An agent's changes, newest first. */
  list(agentId: string, limit?: number): Promise<ReputationEvent[]>;
  /** The newest change of every agent. */
  latest(): Promise<ReputationEvent[]>;
}
