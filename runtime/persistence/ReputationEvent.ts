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
