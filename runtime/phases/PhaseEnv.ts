import type { CollectedSignatures } from '../../actors/index.ts';
import type { ErrorCode } from '../../kernel/index.ts';
import type { Decision, Outcome } from '../../machines/index.ts';
import type { AgentDefinition } from '../agents/defineAgent.ts';
import type { KillTarget } from '../control/KillScopes.ts';
import type { DecisionRecords } from '../decisions/DecisionRecords.ts';
import type { AgentHost, AlertInput } from '../host/AgentHost.ts';
import type { IntentLog } from '../host/IntentLog.ts';
import type { ProposalPipeline } from '../proposals/ProposalPipeline.ts';
import type { FactBoard } from '../scheduler/FactBoard.ts';
import type { ChildSpan } from '../tracing/CycleTracer.ts';

/** What the five phases need from the runtime, and nothing more. */
export interface PhaseEnv {
  readonly clock: { now(): number };
  /** Perceived facts are published here (fact-threshold triggers watch it). */
  readonly facts: FactBoard;
  /** Applies what-if overrides (simulation) to perceived facts; the identity when there are none. */
  overrideFacts(facts: Record<string, unknown>): Record<string, unknown>;
  readonly decisions: DecisionRecords;
  readonly pipeline: ProposalPipeline;
  /** The write-ahead log of effects. */
  readonly intents: IntentLog;
  /** Whether the kill switch covers the agent now. */
  killed(target: KillTarget): boolean;
  /** `live` only when both the runtime and the agent's own definition allow it. */
  modeFor(def: AgentDefinition): 'dry-run' | 'live';
  alert(alert: AlertInput): void;
  /** A sandboxed strategy violated its sandbox (`MANDATE_ERR_SANDBOX_*`): audit it and count it against reputation. */
  sandboxViolation?(host: AgentHost, phase: string, error: { code: ErrorCode; message: string }): void;
  /** Reports a span inside the agent's running cycle trace (tracing on): the rail call of `act`. */
  span?(agentId: string, span: ChildSpan): void;
  /** The signatures an approval collected (a Safe quorum), handed to the actuator with the act. */
  signaturesOf?(approvalId: string): Promise<CollectedSignatures | undefined>;
  /** Files a learner's flags on an executed action as a review item in the approvals queue. */
  review?(host: AgentHost, item: { decision: Decision; outcome: Outcome; flags: readonly string[] }): Promise<void>;
  /** After learn: the rules' tunable parameters take at most one bounded step per period (runtime/learning). */
  afterLearn?(host: AgentHost, decision: Decision | null, outcome: Outcome): Promise<void>;
}
