/** One fact the zero-trust stage learned of an agent's behaviour (a proposal's time, or an executed action). */
export interface BehaviourEvent {
  agentId: string;
  kind: 'proposed' | 'executed';
  at: number;
  amount?: number;
  /** A digest of the counterparty, never the counterparty itself. */
  counterparty?: string;
}

/** The zero-trust stage's behaviour history (`mandate_behaviour_event`, append-only). */
export interface BehaviourStore {
  /** Records a fact (in the order appended). */
  append(event: BehaviourEvent): Promise<void>;
  /**
   * The newest `perKind` facts of each kind of every agent, oldest first (what the baselines are
   * rebuilt from); older facts, which no baseline would keep, are deleted.
   */
  load(perKind: number): Promise<BehaviourEvent[]>;
}
