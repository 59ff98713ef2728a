import type {
  AgentLimits,
  ApprovalGrant,
  Decision,
  Outcome,
  Phase,
  PhaseError,
  RestartKind,
  Trigger,
  Verdict,
} from './types.ts';

/** What an agent actor is started with. */
export interface AgentInput {
  agentId: string;
  kind: RestartKind;
  limits: AgentLimits;
  /** Seed of the jitter PRNG (any 32-bit integer). */
  seed: number;
  /** Random id of this spawn; decision ids (and so idempotency keys) derive from it and the cycle. */
  incarnation: string;
}

/** The agent's working memory. Kept small: 100,000 idle agents must fit in one process. */
export interface AgentContext {
  agentId: string;
  kind: RestartKind;
  limits: AgentLimits;
  incarnation: string;
  /** Cycles started since spawn. Together with `attempts` it names the running phase: see {@link phaseStep}. */
  cycle: number;
  trigger: Trigger | null;
  facts: Record<string, unknown> | null;
  decision: Decision | null;
  verdict: Verdict | null;
  /** The approval record `act` requires. */
  grant: ApprovalGrant | null;
  outcome: Outcome | null;
  /** Failed attempts of the current phase. */
  attempts: number;
  retryPhase: Phase | null;
  retryDelayMs: number;
  lastError: PhaseError | null;
  /** A pause that arrived during act/learn: honoured when the cycle ends. */
  pauseRequested: boolean;
  rng: number;
  /** Set by `agent.stop`: the actor ended normally. */
  stopReason: string | null;
}

/** How an agent actor ended; its supervisor reads it to decide on a restart. */
export interface AgentOutput {
  exit: 'normal' | 'abnormal';
  kind: RestartKind;
  error?: PhaseError;
  reason?: string;
}

/** Attempts of one phase are bounded well below this (limits allow at most 100). */
const ATTEMPT_SPAN = 1 << 20;

/**
 * The step a phase result must carry to be accepted: which cycle, which attempt. Each phase has
 * its own result events, and a phase is entered once per (cycle, attempt), so a late result from an
 * abandoned phase (after pause, kill, timeout or a retry) never matches. Derived rather than
 * counted, so entering a phase costs no context update.
 */
export function phaseStep(context: Pick<AgentContext, 'cycle' | 'attempts'>): number {
  return context.cycle * ATTEMPT_SPAN + context.attempts;
}
